// The fusion pass keeps the MLP's step at the kernels the hand-fused engine ran: a block without a norm is one
// matmul forward and three kernels backward (dW, db, and the dX matmul that also applies the block below's φ′).
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/model/config.ts';
import { makeDataset } from '../../src/train/data/dataset.ts';
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
  it('4 without a norm (matmul with φ and skip; dW, db, dX with φ′), whether or not the step is logged', async () => {
    expect(await perBlock('none', 'none', false)).toBe(4);
    expect(await perBlock('none', 'identity', false)).toBe(4);
    expect(await perBlock('none', 'identity', true)).toBe(4);
  });

  it('one more for ReZero (its α’s gradient); batch norm adds its forward and backward', async () => {
    expect(await perBlock('none', 'rezero', false)).toBe(5);
    expect(await perBlock('batch', 'identity', false)).toBe(7);
  });
});
