import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/model/config.ts';
import type { StepRecord } from '../../src/stats/record.ts';
import { makeDataset } from '../../src/train/data/dataset.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { testContext } from '../helpers/gpu.ts';

async function train(patch: object, steps: number, stepsPerSubmit = 1) {
  const ctx = await testContext();
  const config = resolveConfig(patch);
  const data = await makeDataset(config.data, config.seed);
  const trainer = await Trainer.create(ctx, config, data, { stepsPerSubmit });
  const records: StepRecord[] = [];
  await trainer.run(steps, (r) => records.push(r));
  return { trainer, records };
}

describe('training on the GPU', () => {
  it('relu + he, depth 20, width 32 learns spiral to ≥ 95% training accuracy', async () => {
    const { trainer, records } = await train(
      {
        seed: 3,
        data: { name: 'spiral', samples: 1024, noise: 0.05 },
        model: { depth: 20, width: 32, activation: 'relu', init: { scheme: 'he' } },
        train: { optimizer: 'adam', lr: 0.003, batchSize: 128, steps: 600 },
        log: { every: 20 },
      },
      600,
      4,
    );
    expect(records.map((r) => r.step)).toEqual(Array.from({ length: 30 }, (_, i) => 20 * (i + 1)));
    const last = records.slice(-3);
    const acc = last.reduce((s, r) => s + r.accuracy!, 0) / last.length;
    expect(acc, `training accuracy over the last ${last.length} records`).toBeGreaterThanOrEqual(0.95);
    expect(records.at(-1)!.loss).toBeLessThan(records[0]!.loss / 3);
    const test = await trainer.evaluate();
    expect(test!.accuracy).toBeGreaterThan(0.85);
    trainer.destroy();
  });

  it('a config that diverges is stopped, reported at its first non-finite layer, and keeps its last finite weights', async () => {
    const { trainer, records } = await train(
      {
        data: { name: 'gaussians', samples: 256 },
        model: { depth: 8, width: 16, activation: 'relu', init: { scheme: 'meanfield', sigmaW2: 9 } },
        train: { optimizer: 'sgd', lr: 5, batchSize: 64, steps: 200 },
        log: { every: 1 },
      },
      200,
    );
    expect(trainer.status).toBe('diverged');
    expect(trainer.divergence).not.toBeNull();
    const bad = records.find((r) => r.nonFinite)!;
    expect(trainer.divergence!.step).toBe(bad.step);
    expect(records.at(-1)!.step).toBeLessThan(200);
    // The weights are still finite: the non-finite step (and any after it) applied no update.
    const w = await trainer.store.read(trainer.store.tensors.find((t) => t.name === 'blocks.0.weight')!);
    expect(w.every(Number.isFinite)).toBe(true);
    trainer.reset();
    expect(trainer.status).toBe('idle');
    trainer.destroy();
  });

  it('a training step allocates nothing: no buffers, bind groups or pipelines after the first steps', async () => {
    const ctx = await testContext();
    const config = resolveConfig({ data: { name: 'circles', samples: 256 }, model: { depth: 6, width: 16, norm: 'batch', residual: 'rezero' }, train: { batchSize: 32, steps: 40, optimizer: 'adam' } });
    const trainer = await Trainer.create(ctx, config, await makeDataset(config.data, config.seed), { stepsPerSubmit: 4 });
    await trainer.run(4, () => {});
    const before = { ...ctx.created, ...ctx.pipelines.created };
    await trainer.run(20, () => {});
    expect({ ...ctx.created, ...ctx.pipelines.created }).toEqual(before);
    trainer.destroy();
  });

  it('a sample of logged steps says where its GPU time went, phase by phase (when the adapter has timestamps)', async () => {
    const ctx = await testContext();
    const { trainer, records } = await train({ data: { name: 'xor', samples: 256 }, model: { depth: 6, width: 16 }, train: { batchSize: 32, steps: 5 } }, 5);
    if (!ctx.gpu.hasTimestamps) {
      expect(records.every((r) => r.phaseMs === null)).toBe(true);
      return;
    }
    // Every step is logged here; the first logged step is timed, then one in timePhasesEvery (10).
    expect(records.map((r) => r.phaseMs !== null)).toEqual([true, false, false, false, false]);
    trainer.timePhasesEvery = 2;
    const more: StepRecord[] = [];
    await trainer.run(4, (r) => more.push(r));
    expect(more.map((r) => r.phaseMs !== null)).toEqual([false, true, false, true]);
    for (const r of [...records, ...more].filter((x) => x.phaseMs)) {
      const p = r.phaseMs!;
      // A tiny phase (the optimizer over a few thousand floats) can fall below the timer's resolution: 0 is a
      // reading, not a failure. The matmul-heavy phases cannot.
      for (const [phase, ms] of Object.entries(p)) expect(ms, `${phase} at step ${r.step}`).toBeGreaterThanOrEqual(0);
      expect(Object.keys(p).sort(), 'one reading per phase').toEqual(['backward', 'forward', 'loss', 'norms', 'optimizer', 'statistics']);
      // Only that the matmul phases were timed at all: comparing phases to each other would assert a speed, and
      // a loaded machine reorders them.
      expect(p.forward).toBeGreaterThan(0);
      expect(p.backward).toBeGreaterThan(0);
    }
    trainer.destroy();
  });

  it('the same seed gives the same run; reset replays it', async () => {
    const patch = { seed: 9, data: { name: 'xor', samples: 256 }, model: { depth: 4, width: 8 }, train: { batchSize: 32, steps: 5 } };
    const a = await train(patch, 5);
    const b = await train(patch, 5);
    expect(b.records.map((r) => r.loss)).toEqual(a.records.map((r) => r.loss));
    a.trainer.reset();
    const again: StepRecord[] = [];
    await a.trainer.run(5, (r) => again.push(r));
    expect(again.map((r) => r.loss)).toEqual(a.records.map((r) => r.loss));
    a.trainer.destroy();
    b.trainer.destroy();
  });
});
