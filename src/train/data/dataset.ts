/**
 * makeDataset: the data set a RunConfig names, drawn from `new Rng(seed).fork('data')` and split into
 * train and test after a seeded shuffle. Same seed, same samples, same split, in Node and in the browser.
 * CIFAR-10 keeps its own split and its images as bytes (ByteImageDataset).
 */
import { Rng } from '../../math/prng.ts';
import { ConfigError } from '../../model/config-error.ts';
import type { RunConfig } from '../../model/config.ts';
import { CIFAR10_CLASSES, CIFAR10_HELP, CIFAR10_MEAN, CIFAR10_PIXELS, CIFAR10_SIDE, CIFAR10_STD, type Cifar10Split } from './cifar10.ts';
import { parseCsv } from './csv.ts';
import { adding, order } from './sequences.ts';
import { shapes } from './shapes.ts';
import { circles, gaussians, spiral, teacher, xor } from './synthetic.ts';
import type { ByteImageDataset, Dataset, FloatDataset, Samples, Split } from './types.ts';

export type { ByteImageDataset, ByteSplit, Dataset, FloatDataset, SequenceLayout, Split, Task } from './types.ts';

/** CIFAR-10 as parseCifar10 returns it: the data_batch files' images, and test_batch.bin's. */
export interface Cifar10Data {
  train: Cifar10Split;
  test: Cifar10Split;
}

/** What a data set read from the user's files is made of: a CSV's text or parsed rows, or CIFAR-10's parsed batches. */
export type UserData = string | Samples | Cifar10Data;

const isCifar10 = (d: UserData | undefined): d is Cifar10Data => typeof d === 'object' && 'train' in d && 'test' in d;

type DataConfig = RunConfig['data'];

async function generate(data: DataConfig, rng: Rng, csv: string | Samples | undefined): Promise<Samples> {
  const { samples: n, noise } = data;
  switch (data.name) {
    case 'spiral':
      return spiral(n, noise, rng);
    case 'circles':
      return circles(n, noise, rng);
    case 'xor':
      return xor(n, noise, rng);
    case 'gaussians':
      return gaussians(n, noise, rng);
    case 'teacher':
      return teacher(n, noise, rng);
    case 'shapes':
      return shapes(n, noise, rng);
    case 'adding':
      return adding(n, data.length, rng);
    case 'order':
      return order(n, data.length, rng);
    case 'mnist':
      // 800 KB of digits: loaded only by a run that asks for them, so the page does not ship them to everyone.
      return (await import('./mnist.ts')).mnist(n);
    case 'csv': {
      const source = data.path ?? 'the CSV file';
      if (csv === undefined) {
        throw new ConfigError('data.path', data.path, 'a readable CSV file', `data.path: ${JSON.stringify(source)} was not read (no CSV text given)`);
      }
      return typeof csv === 'string' ? parseCsv(csv, source) : csv;
    }
    case 'cifar10':
      throw new RangeError('generate: cifar10 is not drawn from a seed (makeDataset reads it)');
  }
}

/** CIFAR-10 as it comes: every training image in file order (the sampler shuffles), test_batch.bin as the test set. */
function cifar10Dataset(data: DataConfig, files: UserData | undefined): ByteImageDataset {
  if (!isCifar10(files)) {
    const source = data.path === null ? 'no files were picked' : `${JSON.stringify(data.path)} was not read`;
    throw new ConfigError('data.path', data.path, 'the CIFAR-10 binary files', `data.path: ${source} (cifar10 needs its binary batch files). ${CIFAR10_HELP}`);
  }
  const split = (s: Cifar10Split) => ({ pixels: s.pixels, y: s.labels, n: s.n });
  return {
    name: data.name,
    task: 'classification',
    inputDim: CIFAR10_PIXELS,
    outputDim: CIFAR10_CLASSES.length,
    image: { height: CIFAR10_SIDE, width: CIFAR10_SIDE, channels: 3 },
    bytes: { mean: CIFAR10_MEAN, std: CIFAR10_STD },
    train: split(files.train),
    test: split(files.test),
  };
}

/** The rows of `all` listed in `rows`, in that order. */
function pick(all: Samples, rows: Uint32Array): Split {
  const { inputDim, outputDim } = all;
  const x = new Float32Array(rows.length * inputDim);
  const yWidth = all.task === 'classification' ? 1 : outputDim;
  const y = all.task === 'classification' ? new Uint32Array(rows.length) : new Float32Array(rows.length * outputDim);
  rows.forEach((row, i) => {
    x.set(all.x.subarray(row * inputDim, (row + 1) * inputDim), i * inputDim);
    y.set(all.y.subarray(row * yWidth, (row + 1) * yWidth), i * yWidth);
  });
  return { x, y, n: rows.length };
}

/** Shuffles the samples with `rng` and cuts off round(n · testFraction) of them as the test split. */
export function splitSamples(all: Samples, testFraction: number, rng: Rng): { train: Split; test: Split } {
  const order = Uint32Array.from({ length: all.n }, (_, i) => i);
  rng.shuffle(order);
  const nTest = Math.round(all.n * testFraction);
  return { test: pick(all, order.subarray(0, nTest)), train: pick(all, order.subarray(nTest)) };
}

/**
 * The data set `data` describes. `files` is what the user's files hold: for csv the file's contents (the
 * CLI reads data.path) or its rows already parsed (the page parses an upload off the main thread); for
 * cifar10 the batches as parseCifar10 returns them. csv and cifar10 use every sample, whatever
 * data.samples says; cifar10 keeps its own train/test split, whatever data.testFraction says.
 */
export async function makeDataset(data: DataConfig, seed: number, files?: UserData): Promise<Dataset> {
  if (data.name === 'cifar10') return cifar10Dataset(data, files);
  const rng = new Rng(seed).fork('data');
  const all = await generate(data, rng.fork('samples'), isCifar10(files) ? undefined : files);
  const { train, test } = splitSamples(all, data.testFraction, rng.fork('split'));
  const layout = { ...(all.image ? { image: all.image } : {}), ...(all.sequence ? { sequence: all.sequence } : {}) };
  return { name: data.name, task: all.task, inputDim: all.inputDim, outputDim: all.outputDim, ...layout, train, test };
}

/** `d` when its inputs are floats on the host (every data set but cifar10); a RangeError for image bytes. */
export function floatDataset(d: Dataset): FloatDataset {
  if (d.bytes) throw new RangeError(`${d.name} keeps its images as bytes, not float rows`);
  return d;
}
