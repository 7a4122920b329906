/**
 * The MNIST subset shipped in mnist-subset.gen.ts (made by scripts/make-mnist-subset.ts): 3000 digits,
 * 300 per class, classes interleaved. Pixels are scaled to [0, 1].
 */
import { ConfigError } from '../../model/config-error.ts';
import { MNIST_COUNT, MNIST_LABELS, MNIST_PIXELS_ZERO_RUNS_BASE64 } from './mnist-subset.gen.ts';
import type { Samples } from './types.ts';

export const MNIST_PIXELS = 28 * 28;
export const MNIST_SUBSET_SIZE = MNIST_COUNT;

let cached: Uint8Array | undefined;

/** Reverses the script's encoding: base64, then 0 followed by a count stands for that many zero pixels. */
export function decodeMnistPixels(): Uint8Array {
  if (cached) return cached;
  const packed = atob(MNIST_PIXELS_ZERO_RUNS_BASE64);
  const pixels = new Uint8Array(MNIST_COUNT * MNIST_PIXELS);
  let out = 0;
  for (let i = 0; i < packed.length; i++) {
    const byte = packed.charCodeAt(i);
    if (byte === 0) out += packed.charCodeAt(++i);
    else pixels[out++] = byte;
  }
  if (out !== pixels.length) throw new Error(`mnist-subset.gen.ts decodes to ${out} pixels, not ${pixels.length}: regenerate it`);
  cached = pixels;
  return pixels;
}

/** The first `count` digits of the subset (balanced, since the classes are interleaved). */
export function mnist(count: number): Samples {
  if (count > MNIST_COUNT) {
    const allowed = `at most ${MNIST_COUNT} for mnist, the size of the bundled subset`;
    throw new ConfigError('data.samples', count, allowed, `data.samples must be ${allowed} (got ${count})`);
  }
  const pixels = decodeMnistPixels();
  const x = new Float32Array(count * MNIST_PIXELS);
  for (let i = 0; i < x.length; i++) x[i] = pixels[i]! / 255;
  const y = Uint32Array.from({ length: count }, (_, i) => Number(MNIST_LABELS[i]));
  return { task: 'classification', inputDim: MNIST_PIXELS, outputDim: 10, x, y, n: count, image: { height: 28, width: 28, channels: 1 } };
}
