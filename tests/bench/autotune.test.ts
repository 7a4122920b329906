import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockShapes, tuneMatmul, type TuneTrial } from '../../src/bench/autotune.ts';
import { readTuning, writeTuning } from '../../src/cli/tuning-file.ts';
import { DEFAULT_TILING, MATMUL_TILINGS, shapeKey, tunedTiling, type TunedShape } from '../../src/kernels/tunables.ts';
import { resolveConfig } from '../../src/model/config.ts';
import type { StepRecord } from '../../src/stats/record.ts';
import { makeDataset } from '../../src/train/data/dataset.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { testContext } from '../helpers/gpu.ts';

describe('matmul autotuning', () => {
  it('times only correct candidates and keeps one per shape', async () => {
    const ctx = await testContext();
    const trials: TuneTrial[] = [];
    const shapes = blockShapes(16, 24);
    const table = await tuneMatmul(ctx, shapes, ['vec4x4_8x8', 'reg8x8', 'tiled32'], (t) => trials.push(t));
    expect(Object.keys(table).sort()).toEqual(shapes.map(shapeKey).sort());
    for (const name of Object.values(table)) expect(['vec4x4_8x8', 'reg8x8', 'tiled32']).toContain(name);
    expect(trials.every((t) => t.ms !== null && t.ms > 0)).toBe(true);
  });

  it('the engine uses a tuned table and trains exactly as with the default tiling', async () => {
    const ctx = await testContext();
    const config = resolveConfig({ data: { name: 'circles', samples: 256 }, model: { depth: 4, width: 24 }, train: { batchSize: 32, steps: 5 } });
    const data = await makeDataset(config.data, config.seed);
    const table = Object.fromEntries(blockShapes(32, 24).map((s) => [shapeKey(s), 'tiled32']));
    const asked: TunedShape[] = [];
    const tuned = tunedTiling(table);
    const tiling = (s: TunedShape) => (asked.push(s), tuned(s));
    const losses = async (opts: object) => {
      const t = await Trainer.create(ctx, config, data, opts);
      const out: number[] = [];
      await t.run(5, (r: StepRecord) => out.push(r.loss));
      t.destroy();
      return out;
    };
    const base = await losses({});
    const withTable = await losses({ tiling });
    expect(asked.some((s) => table[shapeKey(s)] === 'tiled32')).toBe(true);
    withTable.forEach((l, i) => expect(Math.abs(l - base[i]!) / base[i]!).toBeLessThan(1e-5));
  });

  it('falls back to the default tiling for shapes it was not tuned on, and round-trips through its file', () => {
    const t = tunedTiling({ '8x8x8': 'tiled64' });
    expect(t({ M: 8, N: 8, K: 8 })).toBe(MATMUL_TILINGS.tiled64);
    expect(t({ M: 9, N: 8, K: 8 })).toBe(DEFAULT_TILING);
    const path = join(mkdtempSync(join(tmpdir(), 'gs-tune-')), 'tuning.json');
    const adapter = { vendor: 'v', architecture: 'a', device: 'd', description: 'x' };
    expect(readTuning(adapter, path)).toBeNull();
    writeTuning(adapter, { '8x8x8': 'tiled64' }, path);
    expect(readTuning(adapter, path)).toEqual({ '8x8x8': 'tiled64' });
    expect(readTuning({ ...adapter, description: 'other' }, path)).toBeNull();
  });
});
