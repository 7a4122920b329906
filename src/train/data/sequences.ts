/**
 * The sequence tasks recurrent nets are measured on, made from the seed (nothing to download), and the row
 * view that reads images as sequences (sequential MNIST). Inputs are stored batch-first, each row T × C
 * time-major (SequenceLayout), so an MLP reads the flattened T·C vector and a recurrent net the steps in order.
 * Hochreiter & Schmidhuber 1997, "Long Short-Term Memory", Experiments 4 (adding) and 6a (temporal order).
 */
import type { Rng } from '../../math/prng.ts';
import type { FloatDataset, Samples } from './types.ts';

/** adding: each step is [value, marker]. */
export const ADDING_CHANNELS = 2;
/** order: a one-hot symbol per step; channels 0–3 are the distractors a, b, c, d, then X, then Y. */
export const ORDER_SYMBOLS = ['a', 'b', 'c', 'd', 'X', 'Y'] as const;
export const ORDER_CHANNELS = ORDER_SYMBOLS.length;
const DISTRACTORS = 4;
const X = 4;
/** The class is which of X and Y stood at the two marked steps, in order: XX = 0, XY = 1, YX = 2, YY = 3. */
export const ORDER_CLASSES = ['XX', 'XY', 'YX', 'YY'] as const;

/**
 * The adding problem as Le et al. 2015 and Arjovsky et al. 2016 pose it: at each of T steps a value drawn
 * U(0, 1) and a marker, 1 at exactly two steps (one uniform in the first half, [0, ⌊T/2⌋), one in the second,
 * [⌊T/2⌋, T)), else 0; the target is the sum of the two marked values. The sum of two U(0, 1) has variance
 * 1/6, so predicting its mean 1 scores MSE ≈ 0.167: a net must beat that to have remembered anything.
 */
export function adding(n: number, length: number, rng: Rng): Samples {
  const T = length;
  const half = Math.floor(T / 2);
  const step = T * ADDING_CHANNELS;
  const x = new Float32Array(n * step);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const row = i * step;
    for (let t = 0; t < T; t++) x[row + t * ADDING_CHANNELS] = rng.uniform();
    const first = rng.int(half);
    const second = half + rng.int(T - half);
    x[row + first * ADDING_CHANNELS + 1] = 1;
    x[row + second * ADDING_CHANNELS + 1] = 1;
    // The sum of the stored float32 values, so the target is exactly what the inputs say.
    y[i] = x[row + first * ADDING_CHANNELS]! + x[row + second * ADDING_CHANNELS]!;
  }
  return { task: 'regression', inputDim: step, outputDim: 1, x, y, n, sequence: { length: T, channels: ADDING_CHANNELS } };
}

/** A half-open range of steps [lo, hi). */
export type StepRange = readonly [lo: number, hi: number];

/**
 * Where order's two symbols may stand for T steps: t1 in [0.1T, 0.2T), t2 in [0.5T, 0.6T), rounded (the paper's
 * [10, 20] and [50, 60] at T = 100), each at least one step wide, and t2's range starting past t1's, so that
 * 0 ≤ t1 < t2 < T holds for every T ≥ 2.
 */
export function orderRanges(T: number): { first: StepRange; second: StepRange } {
  const lo1 = Math.round(0.1 * T);
  const hi1 = Math.max(lo1 + 1, Math.round(0.2 * T));
  const lo2 = Math.max(Math.round(0.5 * T), hi1);
  const hi2 = Math.min(T, Math.max(lo2 + 1, Math.round(0.6 * T)));
  return { first: [lo1, hi1], second: [lo2, hi2] };
}

/**
 * The temporal order problem (Hochreiter & Schmidhuber 1997, Experiment 6a, without its start and end
 * markers): T one-hot symbols over ORDER_SYMBOLS, every step a random distractor but two, where X or Y
 * stands (orderRanges says where); the class is the pair in order (ORDER_CLASSES), round-robin over the
 * four, so chance is 25%. Only the order of two symbols far apart tells the classes apart.
 */
export function order(n: number, length: number, rng: Rng): Samples {
  const T = length;
  const C = ORDER_CHANNELS;
  const { first, second } = orderRanges(T);
  const x = new Float32Array(n * T * C);
  const y = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % ORDER_CLASSES.length;
    y[i] = label;
    const symbols = Array.from({ length: T }, () => rng.int(DISTRACTORS));
    symbols[first[0] + rng.int(first[1] - first[0])] = X + (label >> 1);
    symbols[second[0] + rng.int(second[1] - second[0])] = X + (label & 1);
    symbols.forEach((s, t) => (x[(i * T + t) * C + s] = 1));
  }
  return { task: 'classification', inputDim: T * C, outputDim: ORDER_CLASSES.length, x, y, n, sequence: { length: T, channels: C } };
}

/**
 * An image data set read row by row, top to bottom: H steps of W·C features (sequential MNIST by rows is
 * 28 steps of 28 pixels). NHWC rows are already time-major, so the pixels stay where they are; only the
 * layout is added, and `image` is kept, so views that draw the images still can.
 */
export function rowSequences(data: FloatDataset): FloatDataset {
  if (!data.image) throw new RangeError(`rowSequences: ${data.name} is not images, so it has no rows to read`);
  const { height, width, channels } = data.image;
  return { ...data, sequence: { length: height, channels: width * channels } };
}
