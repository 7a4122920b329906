import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, resolveConfig } from '../../src/model/config.ts';
import type { DataName, RunConfig } from '../../src/model/config.ts';
import { floatDataset, makeDataset } from '../../src/train/data/dataset.ts';
import type { Dataset, FloatDataset } from '../../src/train/data/dataset.ts';

/** makeDataset for a data set of float rows (every one but cifar10). */
const makeFloats = async (...args: Parameters<typeof makeDataset>) => floatDataset(await makeDataset(...args));

const data = (name: DataName, patch: Partial<RunConfig['data']> = {}): RunConfig['data'] => ({ ...defaultConfig().data, name, ...patch });

const SYNTHETIC: [DataName, 'classification' | 'regression', number, number][] = [
  ['spiral', 'classification', 2, 3],
  ['circles', 'classification', 2, 2],
  ['xor', 'classification', 2, 2],
  ['gaussians', 'classification', 2, 4],
  ['teacher', 'regression', 8, 1],
];

function classCounts(ds: Dataset): number[] {
  const counts = new Array<number>(ds.outputDim).fill(0);
  for (const split of [ds.train, ds.test]) for (const c of split.y) counts[c]!++;
  return counts;
}

describe.each(SYNTHETIC)('%s', (name, task, inputDim, outputDim) => {
  let ds: FloatDataset;
  beforeAll(async () => {
    ds = await makeFloats(data(name, { samples: 1000, testFraction: 0.2 }), 5);
  });

  it('has the documented task and shapes', async () => {
    expect([ds.name, ds.task, ds.inputDim, ds.outputDim]).toEqual([name, task, inputDim, outputDim]);
    expect([ds.train.n, ds.test.n]).toEqual([800, 200]);
    expect(ds.train.x.length).toBe(800 * inputDim);
    expect(ds.test.x.length).toBe(200 * inputDim);
    expect(ds.train.y).toBeInstanceOf(task === 'classification' ? Uint32Array : Float32Array);
    expect(ds.train.y.length).toBe(800 * (task === 'classification' ? 1 : outputDim));
    expect(ds.train.x.every(Number.isFinite) && ds.train.y.every(Number.isFinite)).toBe(true);
  });

  it('is the same for the same seed and different for another', async () => {
    expect(await makeFloats(data(name, { samples: 1000, testFraction: 0.2 }), 5)).toEqual(ds);
    const other = await makeFloats(data(name, { samples: 1000, testFraction: 0.2 }), 6);
    expect(other.train.x).not.toEqual(ds.train.x);
  });

  if (task === 'classification') {
    it('balances the classes and mixes them in both splits', async () => {
      const counts = classCounts(ds);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      const testClasses = new Set(ds.test.y);
      expect(testClasses.size).toBe(outputDim);
      // The split is shuffled: the first 30 training labels are not all one class.
      expect(new Set(ds.train.y.subarray(0, 30)).size).toBeGreaterThan(1);
    });
  }
});

describe('synthetic geometry', () => {
  it('puts circles on two rings and spiral points within the unit disc (noise 0)', async () => {
    const rings = await makeFloats(data('circles', { noise: 0 }), 1);
    for (let i = 0; i < rings.train.n; i++) {
      const r = Math.hypot(rings.train.x[2 * i]!, rings.train.x[2 * i + 1]!);
      expect(r).toBeCloseTo(rings.train.y[i] === 0 ? 1 : 0.5, 5);
    }
    const arms = await makeFloats(data('spiral', { noise: 0 }), 1);
    for (let i = 0; i < arms.train.n; i++) expect(Math.hypot(arms.train.x[2 * i]!, arms.train.x[2 * i + 1]!)).toBeLessThan(1);
  });

  it('labels xor by whether the coordinates’ signs differ (noise 0)', async () => {
    const ds = await makeFloats(data('xor', { noise: 0 }), 2);
    let agree = 0;
    for (let i = 0; i < ds.train.n; i++) {
      const differ = Math.sign(ds.train.x[2 * i]!) !== Math.sign(ds.train.x[2 * i + 1]!);
      if ((differ ? 1 : 0) === ds.train.y[i]) agree++;
    }
    // Spread 0.1 around (±0.5, ±0.5): a point crosses an axis only past 5 standard deviations.
    expect(agree).toBe(ds.train.n);
  });

  it('keeps the teacher’s targets a smooth function of the inputs (noise 0 ⇒ the same x gives the same y)', async () => {
    const a = await makeFloats(data('teacher', { noise: 0, samples: 64 }), 3);
    const b = await makeFloats(data('teacher', { noise: 0.5, samples: 64 }), 3);
    expect(b.train.x).toEqual(a.train.x);
    const diff = Array.from(a.train.y, (y, i) => y - b.train.y[i]!);
    const std = Math.sqrt(diff.reduce((s, d) => s + d * d, 0) / diff.length);
    expect(std).toBeGreaterThan(0.3);
    expect(std).toBeLessThan(0.7);
  });

  it('splits by testFraction, including none', async () => {
    const none = await makeFloats(data('gaussians', { samples: 100, testFraction: 0 }), 1);
    expect([none.train.n, none.test.n]).toEqual([100, 0]);
    const most = await makeFloats(data('gaussians', { samples: 100, testFraction: 0.9 }), 1);
    expect([most.train.n, most.test.n]).toEqual([10, 90]);
  });

  it('accepts a resolved config’s data section', async () => {
    const config = resolveConfig({ data: { name: 'xor', samples: 64 } });
    expect((await makeFloats(config.data, config.seed)).train.n).toBe(51);
  });
});
