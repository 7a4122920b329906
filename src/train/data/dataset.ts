/**
 * makeDataset: the data set a RunConfig names, drawn from `new Rng(seed).fork('data')` and split into
 * train and test after a seeded shuffle. Same seed, same samples, same split, in Node and in the browser.
 */
import { Rng } from '../../math/prng.ts';
import { ConfigError } from '../../model/config-error.ts';
import type { RunConfig } from '../../model/config.ts';
import { parseCsv } from './csv.ts';
import { shapes } from './shapes.ts';
import { circles, gaussians, spiral, teacher, xor } from './synthetic.ts';
import type { Dataset, Samples, Split } from './types.ts';

export type { Dataset, Split, Task } from './types.ts';

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
  }
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
 * The data set `data` describes. `csv` is the file's contents for data.name csv (the CLI reads
 * data.path), or its rows already parsed (the page parses an upload off the main thread); a csv set
 * uses every row, whatever data.samples says.
 */
export async function makeDataset(data: DataConfig, seed: number, csv?: string | Samples): Promise<Dataset> {
  const rng = new Rng(seed).fork('data');
  const all = await generate(data, rng.fork('samples'), csv);
  const { train, test } = splitSamples(all, data.testFraction, rng.fork('split'));
  return { name: data.name, task: all.task, inputDim: all.inputDim, outputDim: all.outputDim, ...(all.image ? { image: all.image } : {}), train, test };
}
