/**
 * The test images of an image classification data set as the page shows them (pure): class names, and
 * images decoded from what the network reads back to RGBA bytes.
 */
import { CIFAR10_CLASSES } from '../../train/data/cifar10.ts';
import { SHAPES_CLASSES, SHAPES_MEAN, SHAPES_STD } from '../../train/data/shapes.ts';
import type { Dataset, ImageLayout } from '../../train/data/types.ts';

/** Test images shown with their classes. */
export const GRID_IMAGES = 24;

export type ImageDataset = Dataset & { image: ImageLayout; task: 'classification' };

export function isImageClassification(d: Dataset): d is ImageDataset {
  return !!d.image && d.task === 'classification';
}

/** Shapes' and CIFAR-10's words; MNIST's classes are its digits. */
export function classNames(d: ImageDataset): readonly string[] {
  if (d.name === 'shapes') return SHAPES_CLASSES;
  if (d.name === 'cifar10') return CIFAR10_CLASSES;
  return Array.from({ length: d.outputDim }, (_, c) => String(c));
}

/** How a data set of float images stored its [0, 1] pixels, as (v − mean) / std; mnist.ts keeps them in [0, 1]. */
const FLOAT_PIXELS: Readonly<Record<string, { mean: number; std: number }>> = {
  shapes: { mean: SHAPES_MEAN, std: SHAPES_STD },
};

/** Test image i as height × width × 4 RGBA bytes, opaque; one channel is grey. Bytes (cifar10) are the pixels. */
export function testImageRgba(d: ImageDataset, i: number): Uint8ClampedArray<ArrayBuffer> {
  const { height, width, channels } = d.image;
  const size = height * width * channels;
  if (!Number.isInteger(i) || i < 0 || i >= d.test.n) throw new RangeError(`testImageRgba: image ${i} is not in the ${d.test.n} test images`);
  const { mean, std } = FLOAT_PIXELS[d.name] ?? { mean: 0, std: 1 };
  // Uint8ClampedArray rounds and clamps, so noise past [0, 1] saturates instead of wrapping.
  const value = d.bytes ? (k: number) => d.test.pixels[i * size + k]! : (k: number) => (d.test.x[i * size + k]! * std + mean) * 255;
  const rgba = new Uint8ClampedArray(height * width * 4);
  for (let p = 0; p < height * width; p++) {
    for (let c = 0; c < 3; c++) rgba[4 * p + c] = value(p * channels + Math.min(c, channels - 1));
    rgba[4 * p + 3] = 255;
  }
  return rgba;
}
