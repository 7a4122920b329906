import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/math/prng.ts';
import { defaultConfig, resolveConfig } from '../../src/model/config.ts';
import type { DataName, RunConfig } from '../../src/model/config.ts';
import { floatDataset, makeDataset } from '../../src/train/data/dataset.ts';
import { ADDING_CHANNELS, ORDER_CHANNELS, adding, order, orderRanges, rowSequences } from '../../src/train/data/sequences.ts';

const makeFloats = async (...args: Parameters<typeof makeDataset>) => floatDataset(await makeDataset(...args));
const data = (name: DataName, patch: Partial<RunConfig['data']> = {}): RunConfig['data'] => ({ ...defaultConfig().data, name, ...patch });

/** The steps of sample i whose channel c is 1. */
function stepsWith(x: Float32Array, i: number, T: number, C: number, c: number): number[] {
  return Array.from({ length: T }, (_, t) => t).filter((t) => x[(i * T + t) * C + c] === 1);
}

describe('adding', () => {
  it('marks exactly two steps, one in each half, and targets the sum of their values', () => {
    for (const T of [2, 3, 7, 50]) {
      const s = adding(500, T, new Rng(1).fork('samples'));
      expect([s.task, s.inputDim, s.outputDim, s.sequence]).toEqual(['regression', 2 * T, 1, { length: T, channels: 2 }]);
      for (let i = 0; i < s.n; i++) {
        const marked = stepsWith(s.x, i, T, ADDING_CHANNELS, 1);
        expect(marked).toHaveLength(2);
        expect(marked[0]!).toBeLessThan(Math.floor(T / 2));
        expect(marked[1]!).toBeGreaterThanOrEqual(Math.floor(T / 2));
        const value = (t: number) => s.x[(i * T + t) * ADDING_CHANNELS]!;
        expect(s.y[i]).toBe(Math.fround(value(marked[0]!) + value(marked[1]!)));
      }
      const values = s.x.filter((_, k) => k % ADDING_CHANNELS === 0);
      expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
      expect(s.x.filter((_, k) => k % ADDING_CHANNELS === 1).every((m) => m === 0 || m === 1)).toBe(true);
    }
  });

  it('gives MSE ≈ 1/6 to the constant prediction 1 (10,000 samples)', () => {
    const s = adding(10_000, 50, new Rng(7).fork('samples'));
    const mse = Array.from(s.y).reduce((sum, y) => sum + (y - 1) ** 2, 0) / s.n;
    expect(Math.abs(mse - 1 / 6)).toBeLessThan(0.01);
  });
});

describe('order', () => {
  it('keeps 0 ≤ t1 < t2 < T in non-empty ranges for every length, the paper’s [10, 20) and [50, 60) at T = 100', () => {
    expect(orderRanges(100)).toEqual({ first: [10, 20], second: [50, 60] });
    expect(orderRanges(50)).toEqual({ first: [5, 10], second: [25, 30] });
    expect(orderRanges(2)).toEqual({ first: [0, 1], second: [1, 2] });
    for (let T = 2; T <= 1000; T++) {
      const { first, second } = orderRanges(T);
      expect(first[0]).toBeGreaterThanOrEqual(0);
      expect(first[1]).toBeGreaterThan(first[0]);
      expect(second[0]).toBeGreaterThanOrEqual(first[1]);
      expect(second[1]).toBeGreaterThan(second[0]);
      expect(second[1]).toBeLessThanOrEqual(T);
    }
  });

  it('one-hot encodes distractors everywhere but two steps, whose X/Y pair is the class', () => {
    for (const T of [2, 3, 10, 50]) {
      const s = order(400, T, new Rng(2).fork('samples'));
      expect([s.task, s.inputDim, s.outputDim, s.sequence]).toEqual(['classification', 6 * T, 4, { length: T, channels: 6 }]);
      const { first, second } = orderRanges(T);
      for (let i = 0; i < s.n; i++) {
        for (let t = 0; t < T; t++) {
          const step = s.x.subarray((i * T + t) * ORDER_CHANNELS, (i * T + t + 1) * ORDER_CHANNELS);
          expect(step.reduce((a, b) => a + b, 0)).toBe(1);
        }
        const xs = stepsWith(s.x, i, T, ORDER_CHANNELS, 4);
        const ys = stepsWith(s.x, i, T, ORDER_CHANNELS, 5);
        const [t1, t2] = [...xs, ...ys].sort((a, b) => a - b) as [number, number];
        expect(xs.length + ys.length).toBe(2);
        expect(t1).toBeGreaterThanOrEqual(first[0]);
        expect(t1).toBeLessThan(first[1]);
        expect(t2).toBeGreaterThanOrEqual(second[0]);
        expect(t2).toBeLessThan(second[1]);
        const label = 2 * Number(ys.includes(t1)) + Number(ys.includes(t2));
        expect(s.y[i]).toBe(label);
      }
    }
  });

  it('balances the four classes (chance 25%) and mixes them in both splits', async () => {
    const ds = await makeFloats(data('order', { samples: 1000, length: 30 }), 3);
    const counts = [0, 0, 0, 0];
    for (const split of [ds.train, ds.test]) for (const c of split.y) counts[c]!++;
    expect(counts).toEqual([250, 250, 250, 250]);
    expect(new Set(ds.test.y).size).toBe(4);
    expect(new Set(ds.train.y.subarray(0, 30)).size).toBeGreaterThan(1);
  });
});

describe.each(['adding', 'order'] as const)('%s through makeDataset', (name) => {
  const config = data(name, { samples: 300, length: 20, testFraction: 0.2 });

  it('honours data.samples, data.length and data.testFraction, and records the layout', async () => {
    const ds = await makeFloats(config, 5);
    const C = name === 'adding' ? 2 : 6;
    expect([ds.name, ds.inputDim, ds.train.n, ds.test.n]).toEqual([name, 20 * C, 240, 60]);
    expect(ds.sequence).toEqual({ length: 20, channels: C });
    expect(ds.image).toBeUndefined();
    expect(ds.train.x.length).toBe(240 * 20 * C);
  });

  it('is the same for the same seed and different for another', async () => {
    const ds = await makeFloats(config, 5);
    expect(await makeFloats(config, 5)).toEqual(ds);
    expect((await makeFloats(config, 6)).train.x).not.toEqual(ds.train.x);
  });

  it('ignores data.noise and reads a resolved config', async () => {
    expect(await makeFloats({ ...config, noise: 3 }, 5)).toEqual(await makeFloats(config, 5));
    const resolved = resolveConfig({ data: { name, length: 9, samples: 64 } });
    expect((await makeFloats(resolved.data, resolved.seed)).sequence?.length).toBe(9);
  });
});

describe('rowSequences: mnist read by rows', () => {
  it('is 28 steps of 28 pixels in the same pixel order, the image layout kept', async () => {
    const digits = await makeFloats(data('mnist', { samples: 100 }), 1);
    const rows = rowSequences(digits);
    expect(rows.sequence).toEqual({ length: 28, channels: 28 });
    expect(rows.image).toEqual({ height: 28, width: 28, channels: 1 });
    expect([rows.inputDim, rows.outputDim, rows.task]).toEqual([784, 10, 'classification']);
    expect(rows.train.x).toBe(digits.train.x);
    expect(rows.test.y).toBe(digits.test.y);
    // Step t, feature f is pixel (row t, column f) of the NHWC image: the rows need no copy.
    const { length: T, channels: F } = rows.sequence!;
    const { width: W, channels: C } = digits.image!;
    for (let t = 0; t < T; t++) {
      for (let w = 0; w < W; w++) expect(rows.train.x[t * F + w * C]).toBe(digits.train.x[(t * W + w) * C]);
    }
    expect(T * F).toBe(rows.inputDim);
    expect(digits.sequence).toBeUndefined();
  });

  it('refuses a data set that is not images', async () => {
    const points = await makeFloats(data('spiral', { samples: 64 }), 1);
    expect(() => rowSequences(points)).toThrow(/spiral is not images/);
  });
});
