import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/math/prng.ts';
import { ConfigError, defaultConfig } from '../../src/model/config.ts';
import type { RunConfig } from '../../src/model/config.ts';
import { BatchSampler } from '../../src/train/data/batch-sampler.ts';
import { parseCsv } from '../../src/train/data/csv.ts';
import { floatDataset, makeDataset } from '../../src/train/data/dataset.ts';
import { decodeMnistPixels, MNIST_SUBSET_SIZE } from '../../src/train/data/mnist.ts';

/** makeDataset for a data set of float rows (every one but cifar10). */
const makeFloats = async (...args: Parameters<typeof makeDataset>) => floatDataset(await makeDataset(...args));

const csvData = (path = 'points.csv'): RunConfig['data'] => ({ ...defaultConfig().data, name: 'csv', path, testFraction: 0.25 });

async function errorOf(run: () => unknown): Promise<ConfigError> {
  try {
    await run();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('csv', () => {
  it('reads a header, features and integer labels as classification with max + 1 classes', async () => {
    const text = 'x,y,label\n0.1,0.2,0\n0.3,0.4,2\r\n0.5,0.6,1\n\n0.7,0.8,2\n';
    const samples = parseCsv(text, 'points.csv');
    expect(samples).toMatchObject({ task: 'classification', inputDim: 2, outputDim: 3, n: 4 });
    expect(Array.from(samples.y)).toEqual([0, 2, 1, 2]);
    expect(samples.x[6]).toBeCloseTo(0.7, 6);
  });

  it('treats fractional or negative labels as a regression with one output, with or without a header', async () => {
    const samples = parseCsv('1,2,0.5\n3,4,-1\n5,6,2', 'r.csv');
    expect(samples).toMatchObject({ task: 'regression', inputDim: 2, outputDim: 1, n: 3 });
    expect(samples.y).toBeInstanceOf(Float32Array);
    expect(Array.from(samples.y)).toEqual([0.5, -1, 2]);
  });

  it('splits through makeDataset with the seed', async () => {
    const text = Array.from({ length: 40 }, (_, i) => `${i},${i % 2}`).join('\n');
    const ds = await makeFloats(csvData(), 4, text);
    expect([ds.task, ds.inputDim, ds.outputDim, ds.train.n, ds.test.n]).toEqual(['classification', 1, 2, 30, 10]);
    expect(await makeFloats(csvData(), 4, text)).toEqual(ds);
    const all = [...ds.train.x, ...ds.test.x].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it.each([
    ['', 'data.path: "points.csv" is empty: it needs numeric rows, the last column the label'],
    ['\n \n', 'data.path: "points.csv" is empty: it needs numeric rows, the last column the label'],
    ['a,b\n', 'data.path: "points.csv" has a header but no data rows'],
    ['1\n2\n', 'data.path: "points.csv" has 1 column on line 1: it needs at least 2 (features, then the label)'],
    ['1,2,0\n3,4,1\n5,6\n', 'data.path: "points.csv" line 3 has 2 columns where line 1 has 3'],
    ['x,y,c\n1,2,0\n\n3,abc,1\n', 'data.path: "points.csv" line 4, column 2 is not a number (got "abc")'],
    ['1,2,0\n3,,1\n', 'data.path: "points.csv" line 2, column 2 is not a number (got "")'],
    ['1,5000\n2,1\n', 'data.path: "points.csv" has class id 5000 in its label column; at most 4096 classes are supported'],
  ])('rejects %j', async (text, message) => {
    const error = await errorOf(() => makeFloats(csvData(), 1, text));
    expect(error.message).toBe(message);
    expect(error.path).toBe('data.path');
  });

  it('says so when no file text was given', async () => {
    expect((await errorOf(() => makeFloats(csvData(), 1))).message).toBe('data.path: "points.csv" was not read (no CSV text given)');
  });
});

describe('mnist subset', () => {
  it('decodes to exactly the committed data/mnist-subset.bin, with the labels of mnist-subset.json', async () => {
    const bin = readFileSync(new URL('../../data/mnist-subset.bin', import.meta.url));
    const meta = JSON.parse(readFileSync(new URL('../../data/mnist-subset.json', import.meta.url), 'utf8')) as { count: number; perClass: number; labels: number[] };
    expect(meta.count).toBe(MNIST_SUBSET_SIZE);
    expect(meta.perClass * 10).toBe(meta.count);
    expect(Buffer.from(decodeMnistPixels()).equals(bin)).toBe(true);
    expect(meta.labels.slice(0, 12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  });

  it('loads 784 features in [0, 1] and 10 balanced classes', async () => {
    const ds = await makeFloats({ ...defaultConfig().data, name: 'mnist', samples: 1000, testFraction: 0.1 }, 1);
    expect([ds.task, ds.inputDim, ds.outputDim, ds.train.n, ds.test.n]).toEqual(['classification', 784, 10, 900, 100]);
    expect(ds.train.x.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(Math.max(...ds.train.x.subarray(0, 784))).toBeGreaterThan(0.9);
    const counts = new Array<number>(10).fill(0);
    for (const c of [...ds.train.y, ...ds.test.y]) counts[c]!++;
    expect(counts).toEqual(new Array<number>(10).fill(100));
  });

  it('refuses more samples than the subset holds, saying so', async () => {
    const error = await errorOf(() => makeFloats({ ...defaultConfig().data, name: 'mnist', samples: 5000 }, 1));
    expect(error.message).toBe('data.samples must be at most 3000 for mnist, the size of the bundled subset (got 5000)');
    expect(error.path).toBe('data.samples');
  });
});

describe('BatchSampler', () => {
  it('deals every index once per epoch and drops the short tail', async () => {
    const sampler = new BatchSampler(10, 3, new Rng(1));
    const out = new Uint32Array(3);
    const epoch: number[] = [];
    for (let b = 0; b < 3; b++) {
      sampler.next(out);
      epoch.push(...out);
    }
    expect(new Set(epoch).size).toBe(9);
    expect(sampler.epoch).toBe(1);
    sampler.next(out);
    expect(sampler.epoch).toBe(2);
  });

  it('is deterministic per seed and reshuffles each epoch', async () => {
    const draw = (seed: number): number[] => {
      const sampler = new BatchSampler(64, 32, new Rng(seed));
      const out = new Uint32Array(32);
      const all: number[] = [];
      for (let b = 0; b < 4; b++) {
        sampler.next(out);
        all.push(...out);
      }
      return all;
    };
    const a = draw(7);
    expect(draw(7)).toEqual(a);
    expect(draw(8)).not.toEqual(a);
    expect(a.slice(64)).not.toEqual(a.slice(0, 64));
    expect([...a.slice(0, 64)].sort((x, y) => x - y)).toEqual(Array.from({ length: 64 }, (_, i) => i));
  });

  it('refuses a batch larger than the training set, naming train.batchSize', async () => {
    const error = await errorOf(() => new BatchSampler(100, 128, new Rng(1)));
    expect(error.message).toBe('train.batchSize must be at most 100, the number of training samples (got 128)');
    expect(error.path).toBe('train.batchSize');
  });

  it('checks the output array length', async () => {
    expect(() => new BatchSampler(10, 4, new Rng(1)).next(new Uint32Array(3))).toThrow(/batchSize \(4\)/);
  });
});
