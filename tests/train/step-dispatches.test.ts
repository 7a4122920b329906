// The fusion pass keeps the MLP's step at the kernels the hand-fused engine ran: a block without a norm is one
// matmul forward and, backward, the dW matmul that also sums db (and on a logged step the column sums of dz² that
// ‖∂L/∂z‖ needs, where the device has a ninth storage binding) and the dX matmul that also applies the block below's φ′.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/model/config.ts';
import { makeDataset } from '../../src/train/data/dataset.ts';
import { rowNormsSupported } from '../../src/kernels/matmul.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { testContext } from '../helpers/gpu.ts';

async function perBlock(norm: 'none' | 'batch' | 'layer', residual: 'none' | 'identity' | 'rezero', logged: boolean): Promise<number> {
  const ctx = await testContext();
  const counts: number[] = [];
  for (const depth of [6, 7]) {
    const config = resolveConfig({ data: { name: 'spiral', samples: 64 }, model: { depth, width: 8, norm, residual }, train: { batchSize: 16 } });
    const t = await Trainer.create(ctx, config, await makeDataset(config.data, config.seed));
    counts.push(t.program.dispatches(logged));
    t.destroy();
  }
  return counts[1]! - counts[0]!;
}

describe('dispatches per block of the MLP step', () => {
  it('3 without a norm (matmul with φ and skip; dW with db, dX with φ′), on a logged step too (dW also with Σ dz²)', async () => {
    expect(await perBlock('none', 'none', false)).toBe(3);
    expect(await perBlock('none', 'identity', false)).toBe(3);
    // A device with eight storage buffers a stage keeps the bias kernel on a logged step (4); this one has more.
    expect(rowNormsSupported((await testContext()).limits)).toBe(true);
    expect(await perBlock('none', 'none', true)).toBe(3);
    expect(await perBlock('none', 'identity', true)).toBe(3);
  });

  it('one more for ReZero (its α’s gradient); batch norm adds its forward and backward', async () => {
    expect(await perBlock('none', 'rezero', false)).toBe(4);
    expect(await perBlock('batch', 'identity', false)).toBe(6);
  });

  it('an unlogged step’s gradients are the logged step’s, db from the weight matmul included', async () => {
    const ctx = await testContext();
    const grads = async (every: number) => {
      const config = resolveConfig({ data: { name: 'spiral', samples: 64 }, model: { depth: 5, width: 12, norm: 'layer', residual: 'rezero', activation: 'gelu' }, train: { batchSize: 16, steps: 10 }, log: { every } });
      const t = await Trainer.create(ctx, config, await makeDataset(config.data, config.seed));
      await t.run(2, () => {});
      const out = new Map<string, Float32Array>();
      for (const p of t.net.plan.paramList) out.set(p.name, await t.net.readParam(p, t.net.grads));
      t.destroy();
      return out;
    };
    const [logged, plain] = [await grads(1), await grads(1000)];
    for (const [name, g] of logged) {
      const h = plain.get(name)!;
      const norm = Math.hypot(...g);
      const diff = Math.hypot(...g.map((v, i) => v - h[i]!));
      expect(diff / norm, name).toBeLessThan(1e-5);
      expect(norm, name).toBeGreaterThan(0);
    }
  });
});

describe('dispatches of a recurrent net’s step', () => {
  async function count(cell: 'rnn' | 'lstm' | 'gru', T: number, depth: number, bptt: number | null = null): Promise<number> {
    const ctx = await testContext();
    const config = resolveConfig({ data: { name: 'adding', samples: 64, length: T }, model: { arch: 'rnn', cell, depth, width: 8 }, train: { batchSize: 16, bptt } });
    const t = await Trainer.create(ctx, config, await makeDataset(config.data, config.seed));
    const n = t.program.dispatches(false);
    t.destroy();
    return n;
  }

  it('grow by two per time step and layer (one step forward, one back), and truncation stops the backward ones', async () => {
    for (const cell of ['rnn', 'lstm', 'gru'] as const) {
      const [a, b] = [await count(cell, 5, 1), await count(cell, 9, 1)];
      expect(b - a, cell).toBe(2 * 4);
    }
    const [one, two] = [await count('lstm', 6, 1), await count('lstm', 6, 2)];
    // A second layer: its 1 + 6 forward, 6 + 3 backward, and the dX matmul that hands the gradient to the layer below.
    expect(two - one).toBe(1 + 6 + 6 + 3 + 1);
    expect((await count('lstm', 9, 1, 3)) - (await count('lstm', 5, 1, 3))).toBe(4);
  });
});
