import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/model/config.ts';
import type { StepRecord } from '../../src/stats/record.ts';
import { makeDataset } from '../../src/train/data/dataset.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { testContext } from '../helpers/gpu.ts';

/** The first step's record (gradients at initialisation) for each seed. */
async function atInit(patch: object, seeds: number[]): Promise<StepRecord[]> {
  const ctx = await testContext();
  const out: StepRecord[] = [];
  for (const seed of seeds) {
    const config = resolveConfig({ ...patch, seed, train: { batchSize: 64, steps: 1 }, data: { name: 'spiral', samples: 256 } });
    const trainer = await Trainer.create(ctx, config, await makeDataset(config.data, seed));
    await trainer.run(1, (r) => out.push(r));
    trainer.destroy();
  }
  return out;
}

/** Geometric mean over seeds of first block's gradNorm / the head's. */
function firstOverHead(records: StepRecord[]): number {
  const logs = records.map((r) => Math.log10(r.gradNorm[0]! / r.gradNorm.at(-1)!));
  return 10 ** (logs.reduce((a, b) => a + b, 0) / logs.length);
}

const SEEDS = [1, 2, 3, 4, 5];

describe('gradient flow at initialisation (the phenomena gradscope exists to show)', () => {
  it('sigmoid, depth 30, xavier: the first block gets less than 1e-4 of the head’s gradient', async () => {
    const r = await atInit({ model: { depth: 30, width: 32, activation: 'sigmoid', init: { scheme: 'xavier' } } }, SEEDS);
    expect(firstOverHead(r)).toBeLessThan(1e-4);
  });

  it('relu + he, depth 30: the first block stays within 10× of the head', async () => {
    const ratio = firstOverHead(await atInit({ model: { depth: 30, width: 32, activation: 'relu', init: { scheme: 'he' } } }, SEEDS));
    expect(ratio).toBeGreaterThan(0.1);
    expect(ratio).toBeLessThan(10);
  });

  // A zero-mean branch (tanh) keeps the residual stream's scale steady across 200 blocks; a relu branch
  // adds a positive mean at every block, which compounds, so the demonstration uses tanh on both sides.
  it('identity residual, depth 200: the gradient reaches the first block within 10×; without it, it does not', async () => {
    const model = (residual: string) => ({ model: { depth: 200, width: 32, activation: 'tanh', residual, init: { scheme: 'xavier', gain: 0.5 } } });
    const skip = firstOverHead(await atInit(model('identity'), SEEDS.slice(0, 3)));
    expect(skip).toBeGreaterThan(0.1);
    expect(skip).toBeLessThan(10);
    // Without the skip even the forward signal dies (the head's weight gradient underflows to 0), so compare
    // the error signal: ∂L/∂z at block 0 against ∂L/∂logits.
    for (const r of await atInit(model('none'), SEEDS.slice(0, 3))) expect(r.deltaNorm[0]! / r.deltaNorm[200]!).toBeLessThan(1e-6);
  });

  it('meanfield tanh: σ_w² = 1 shrinks the error signal toward the input, σ_w² = 4 grows it', async () => {
    const model = (sigmaW2: number) => ({ model: { depth: 30, width: 64, activation: 'tanh', init: { scheme: 'meanfield', sigmaW2, sigmaB2: 0.05 } } });
    // deltaNorm of block 0 against block 29: below one for the ordered phase, above one for the chaotic.
    const trend = (rs: StepRecord[]) => rs.map((r) => r.deltaNorm[0]! / r.deltaNorm[29]!).reduce((a, b) => a * b, 1) ** (1 / rs.length);
    expect(trend(await atInit(model(1), SEEDS.slice(0, 3)))).toBeLessThan(0.5);
    expect(trend(await atInit(model(4), SEEDS.slice(0, 3)))).toBeGreaterThan(2);
  });
});

// He et al. 2016's plain and residual CIFAR nets, with batch norm, at initialisation. Batch norm does not stop the
// plain net's backward pass from growing: each block's normalisation divides the gradient by a standard deviation
// that the block before it shrank, so toward the input it compounds (Yang et al. 2019). The identity shortcuts add
// a path that carries the gradient back unchanged, and the branches' growth no longer compounds.
describe('the CIFAR ResNets at initialisation (He et al. 2016, Fig. 6, at a size the suite affords)', () => {
  /** First stage's mean conv gradient over the linear head's, for the first step of each seed. */
  async function stage1OverHead(residual: 'none' | 'identity', seeds: number[]): Promise<number[]> {
    const ctx = await testContext();
    const out: number[] = [];
    for (const seed of seeds) {
      const config = resolveConfig({
        seed,
        model: { arch: 'resnet', depth: 56, width: 4, residual },
        data: { name: 'mnist', samples: 64 },
        train: { batchSize: 8, steps: 1 },
      });
      const trainer = await Trainer.create(ctx, config, await makeDataset(config.data, seed));
      await trainer.run(1, (r) => {
        const stage1 = r.gradNorm.slice(1, 19); // layer1.{0..8}.conv{1,2}
        out.push(stage1.reduce((a, b) => a + b, 0) / stage1.length / r.gradNorm.at(-1)!);
      });
      trainer.destroy();
    }
    return out;
  }

  it('plain-56: the first stage gets over 20× the head’s gradient; ResNet-56: within 10×', async () => {
    const plain = await stage1OverHead('none', [1, 2]);
    const residual = await stage1OverHead('identity', [1, 2]);
    for (const r of plain) expect(r).toBeGreaterThan(20);
    for (const r of residual) {
      expect(r).toBeGreaterThan(0.1);
      expect(r).toBeLessThan(10);
    }
  }, 120_000);
});
