// Per-layer kernel time (StepRecord.layerMs): a sample of logged steps runs each row's kernels in a compute pass
// between GPU timestamps. The same dispatches in the same order, so the run is bit for bit the same.
import { describe, expect, it } from 'vitest';
import { resolveConfig, type ConfigPatch } from '../../src/model/config.ts';
import { mlpGraph } from '../../src/model/graph/mlp.ts';
import { fuseGraph } from '../../src/model/graph/fuse.ts';
import { scheduleStep } from '../../src/model/graph/schedule.ts';
import type { StepRecord } from '../../src/stats/record.ts';
import { makeDataset } from '../../src/train/data/dataset.ts';
import { backwardOwners, forwardOwners, layerTimes, segmentRows } from '../../src/train/layer-timing.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { testContext } from '../helpers/gpu.ts';

async function run(patch: ConfigPatch, steps: number, every: number, budget = Infinity) {
  const ctx = await testContext();
  const config = resolveConfig({ data: { name: 'xor', samples: 128 }, train: { batchSize: 16 }, log: { every: 1 }, ...patch });
  const trainer = await Trainer.create(ctx, config, await makeDataset(config.data, config.seed));
  trainer.timePhasesEvery = every;
  trainer.layerTimingBudget = budget;
  const records: StepRecord[] = [];
  await trainer.run(steps, (r) => records.push(r));
  trainer.destroy();
  return { records, timestamps: ctx.gpu.hasTimestamps };
}

describe('per-layer kernel time', () => {
  it('each row owns its ops from its weight on, forward and backward (sums of contributions go with the op before)', () => {
    const g = mlpGraph({ depth: 3, width: 4, activation: 'relu', norm: 'layer', residual: 'identity' }, { inputDim: 2, outputDim: 2, task: 'classification' });
    const s = scheduleStep(g, 4);
    const fwd = forwardOwners(g, fuseGraph(g));
    expect(segmentRows(fwd)).toEqual([0, 1, 2, 3]);
    expect(fwd).toEqual([...fwd].sort((a, b) => a - b));
    expect(segmentRows(backwardOwners(g, s.steps, s.backward))).toEqual([3, 2, 1, 0]);
  });

  it('turns timestamps into ms per row, and refuses timestamps that go backwards', () => {
    const segs = { forward: [0, 1, 0], backward: [1, 0] };
    const ns = BigUint64Array.from([0n, 1_000_000n, 3_000_000n, 4_000_000n, 10_000_000n, 12_000_000n, 15_000_000n].map(BigInt));
    expect(layerTimes(ns, segs, 2)).toEqual({ forward: [2, 2], backward: [3, 2] });
    expect(layerTimes(new BigUint64Array(7), segs, 2)).toBeNull();
    expect(layerTimes(BigUint64Array.from([5n, 1n, 3n, 4n, 10n, 12n, 15n]), segs, 2)).toBeNull();
  });

  it('a sample of logged steps times every row, and the run is the same as an untimed one', async () => {
    const patch: ConfigPatch = { model: { depth: 5, width: 16, residual: 'identity', norm: 'batch' } };
    const timed = await run(patch, 6, 2);
    const plain = await run(patch, 6, 1000);
    expect(timed.records.map((r) => r.loss)).toEqual(plain.records.map((r) => r.loss));
    expect(timed.records.map((r) => r.gradNorm)).toEqual(plain.records.map((r) => r.gradNorm));
    if (!timed.timestamps) {
      expect(timed.records.every((r) => r.layerMs === undefined)).toBe(true);
      return;
    }
    // timePhasesEvery = 2: logged steps 0, 2, 4 are timed by phase, 1, 3, 5 by row.
    expect(timed.records.map((r) => r.layerMs !== undefined)).toEqual([false, true, false, true, false, true]);
    expect(plain.records.every((r) => r.layerMs === undefined)).toBe(true);
    for (const r of timed.records.filter((x) => x.layerMs)) {
      const { forward, backward } = r.layerMs!;
      expect(forward).toHaveLength(6);
      expect(backward).toHaveLength(6);
      for (const ms of [...forward, ...backward]) expect(ms).toBeGreaterThanOrEqual(0);
      // Only that the walks were timed at all: comparing rows would assert a speed.
      expect(forward.reduce((a, b) => a + b)).toBeGreaterThan(0);
      expect(backward.reduce((a, b) => a + b)).toBeGreaterThan(0);
    }
  });

  it('past 4,096 timestamps the queries spread over several query sets', async () => {
    // 2,100 blocks: 2,101 passes a walk, 4,204 timestamps.
    const { records, timestamps } = await run({ model: { depth: 2100, width: 4 }, train: { batchSize: 4 } }, 2, 2);
    if (!timestamps) return;
    const r = records[1]!.layerMs!;
    expect(r.forward).toHaveLength(2101);
    expect(r.backward.every((ms) => ms >= 0)).toBe(true);
    expect(r.backward.reduce((a, b) => a + b)).toBeGreaterThan(0);
  }, 120_000);

  it('thins itself to its share of the GPU time: what a layer-timed step cost sets the gap to the next', async () => {
    const { records, timestamps } = await run({ model: { depth: 30, width: 16 } }, 24, 2, 1e-6);
    if (!timestamps) return;
    const timed = records.filter((r) => r.layerMs);
    const phases = records.find((r) => r.phaseMs)!.phaseMs!;
    const sum = (v: readonly number[]) => v.reduce((a, b) => a + b, 0);
    const extra = sum(timed[0]!.layerMs!.forward) + sum(timed[0]!.layerMs!.backward) - (phases.forward + phases.backward);
    // A pass a row costs something on any adapter; at a budget of a millionth, one such step uses it up for the run
    // (those already encoded before its record came back may follow it).
    if (extra > 0) expect(timed.length).toBeLessThanOrEqual(3);
    expect(records.filter((r) => r.phaseMs).length).toBe(12);
  });
});
