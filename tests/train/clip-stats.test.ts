// The clip overlay's statistics: τ as each step applied it, and every layer's gradient norm after clipping, against
// float64 norms of the gradients the GPU computed (which the update then clipped).
import { describe, expect, it } from 'vitest';
import { resolveConfig, type ConfigPatch } from '../../src/model/config.ts';
import type { StepRecord } from '../../src/stats/record.ts';
import { makeDataset } from '../../src/train/data/dataset.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { testContext } from '../helpers/gpu.ts';

async function oneStep(patch: ConfigPatch) {
  const ctx = await testContext();
  const config = resolveConfig({ data: { name: 'spiral', samples: 64 }, model: { depth: 4, width: 12, activation: 'tanh', init: { scheme: 'meanfield', sigmaW2: 3 } }, train: { batchSize: 16, lr: 1e-3, ...patch.train }, log: { every: 1 } });
  const trainer = await Trainer.create(ctx, config, await makeDataset(config.data, config.seed));
  let record: StepRecord | undefined;
  await trainer.run(1, (r) => (record = r));
  const grads = new Map<string, Float32Array>();
  for (const p of trainer.net.plan.paramList) grads.set(p.name, await trainer.net.readParam(p, trainer.net.grads));
  const weights = trainer.net.plan.paramList.filter((p) => p.row !== undefined).map((p) => p.name);
  return { trainer, record: record!, grads, weights };
}

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

describe('the clip overlay’s statistics', () => {
  it('value clipping: ‖clamp(g, −τ, τ)‖ per layer and in all, measured on the GPU, and τ as applied', async () => {
    const { trainer, record, grads, weights } = await oneStep({ train: { clip: { mode: 'value', max: 0.01 } } });
    try {
      expect(record.clipMax).toBeCloseTo(0.01, 7);
      const clamped = (g: Float32Array) => g.map((x) => Math.max(-0.01, Math.min(0.01, x)));
      weights.forEach((name, l) => {
        const want = norm(clamped(grads.get(name)!));
        expect(want, `${name} is clipped`).toBeLessThan(0.999 * norm(grads.get(name)!));
        expect(Math.abs(record.clippedGradNorm![l]! - want) / want, name).toBeLessThan(1e-5);
      });
      const total = Math.hypot(...[...grads.values()].map((g) => norm(clamped(g))));
      expect(Math.abs(record.clippedGradNormTotal! - total) / total).toBeLessThan(1e-5);
      // τ changes without a rebuild, and the next step's record says so.
      trainer.setHyper(resolveConfig({ ...trainer.config, train: { ...trainer.config.train, clip: { mode: 'value', max: 0.5 } } }));
      let next: StepRecord | undefined;
      await trainer.run(1, (r) => (next = r));
      expect(next!.clipMax).toBeCloseTo(0.5, 7);
    } finally {
      trainer.destroy();
    }
  });

  it('norm clipping: every layer scaled by the clip scale, the whole gradient to τ', async () => {
    const { trainer, record, grads, weights } = await oneStep({ train: { clip: { mode: 'norm', max: 0.05 } } });
    try {
      const total = Math.hypot(...[...grads.values()].map(norm));
      expect(total).toBeGreaterThan(0.05);
      expect(record.clipScale).toBeCloseTo(0.05 / total, 5);
      expect(record.clippedGradNormTotal!).toBeCloseTo(0.05, 5);
      weights.forEach((name, l) => expect(record.clippedGradNorm![l]! / (norm(grads.get(name)!) * record.clipScale)).toBeCloseTo(1, 5));
    } finally {
      trainer.destroy();
    }
  });

  it('a run that does not clip has no clip statistics', async () => {
    const { trainer, record } = await oneStep({ train: { clip: { mode: 'none', max: 1 } } });
    trainer.destroy();
    expect(record.clipMax).toBeUndefined();
    expect(record.clippedGradNorm).toBeUndefined();
  });
});
