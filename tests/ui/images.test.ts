import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/math/prng.ts';
import { resolveConfig } from '../../src/model/config.ts';
import { CIFAR10_CLASSES, CIFAR10_MEAN, CIFAR10_STD } from '../../src/train/data/cifar10.ts';
import { makeDataset } from '../../src/train/data/dataset.ts';
import { SHAPES_CLASSES } from '../../src/train/data/shapes.ts';
import type { Dataset } from '../../src/train/data/types.ts';
import { confusionCounts, correctOf, rowShares, rowTotals } from '../../src/ui/gs-images/confusion.ts';
import { classNames, isImageClassification, testImageRgba, type ImageDataset } from '../../src/ui/gs-images/test-images.ts';

describe('the confusion matrix', () => {
  // Three classes: rows are the true class, columns the predicted one.
  const labels = [0, 0, 0, 1, 1, 2, 2, 2, 2, 0];
  const predictions = [0, 1, 0, 1, 2, 2, 2, 0, 2, 0];

  it('counts each (true, predicted) pair, every sample once', () => {
    const counts = confusionCounts(labels, predictions, 3);
    expect(Array.from(counts)).toEqual([3, 1, 0, 0, 1, 1, 1, 0, 3]);
    expect(Array.from(rowTotals(counts, 3))).toEqual([4, 2, 4]);
    expect(correctOf(counts, 3)).toEqual({ correct: 7, total: 10 });
  });

  it('shades each cell by its share of the true class; a class without test samples stays 0', () => {
    const counts = confusionCounts([0, 0, 0, 2], [0, 1, 1, 2], 3);
    const shares = Array.from(rowShares(counts, 3));
    expect(shares).toEqual([1 / 3, 2 / 3, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('refuses predictions that do not match the labels', () => {
    expect(() => confusionCounts([0, 1], [0], 2)).toThrow(/1 predictions for 2 labels/);
    expect(() => confusionCounts([0, 1], [0, 2], 2)).toThrow(/sample 1 has class 2, past the 2 classes/);
  });

  it('sums to the test set on a large random one', () => {
    const rng = new Rng(7);
    const n = 10_000;
    const y = Uint32Array.from({ length: n }, () => rng.int(10));
    const p = Uint32Array.from({ length: n }, () => rng.int(10));
    const counts = confusionCounts(y, p, 10);
    expect(correctOf(counts, 10).total).toBe(n);
    const shares = rowShares(counts, 10);
    for (let t = 0; t < 10; t++) expect(shares.subarray(10 * t, 10 * t + 10).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});

/** A data set of two test images whose pixels are given in [0, 1] units, stored as `encode` says. */
function floatImages(name: string, channels: number, pixels: number[], encode: (v: number) => number): ImageDataset {
  const x = Float32Array.from(pixels, encode);
  const split = { x, y: new Uint32Array([1, 0]), n: 2 };
  return { name, task: 'classification', inputDim: x.length / 2, outputDim: 10, image: { height: 1, width: pixels.length / 2 / channels, channels }, train: split, test: split };
}

describe('test images back to RGBA', () => {
  it('undoes shapes\' (v − 0.5) / 0.25 per channel', () => {
    // Two 1×2 RGB images.
    const bytes = [0, 51, 102, 153, 204, 255, 255, 0, 128, 1, 2, 3];
    const d = floatImages('shapes', 3, bytes.map((b) => b / 255), (v) => (v - 0.5) / 0.25);
    expect(Array.from(testImageRgba(d, 0))).toEqual([0, 51, 102, 255, 153, 204, 255, 255]);
    expect(Array.from(testImageRgba(d, 1))).toEqual([255, 0, 128, 255, 1, 2, 3, 255]);
  });

  it('shows mnist\'s [0, 1] pixels as grey', () => {
    const d = floatImages('mnist', 1, [0, 0.5, 1, 0.2], (v) => v);
    expect(Array.from(testImageRgba(d, 0))).toEqual([0, 0, 0, 255, 128, 128, 128, 255]);
    expect(Array.from(testImageRgba(d, 1))).toEqual([255, 255, 255, 255, 51, 51, 51, 255]);
  });

  it('saturates pixels that noise pushed past [0, 1]', () => {
    const d = floatImages('shapes', 1, [-0.3, 1.4], (v) => (v - 0.5) / 0.25);
    expect(Array.from(testImageRgba(d, 0))).toEqual([0, 0, 0, 255]);
    expect(Array.from(testImageRgba(d, 1))).toEqual([255, 255, 255, 255]);
  });

  it('takes cifar10\'s bytes as they are (the GPU normalizes them, not the host)', () => {
    const pixels = Uint8Array.from({ length: 2 * 2 * 3 }, (_, i) => 20 * i);
    const split = { pixels, y: new Uint32Array([3, 5]), n: 2 };
    const d: ImageDataset = {
      name: 'cifar10', task: 'classification', inputDim: 6, outputDim: 10, image: { height: 1, width: 2, channels: 3 },
      bytes: { mean: CIFAR10_MEAN, std: CIFAR10_STD }, train: split, test: split,
    };
    expect(Array.from(testImageRgba(d, 1))).toEqual([120, 140, 160, 255, 180, 200, 220, 255]);
    expect(() => testImageRgba(d, 2)).toThrow(/image 2 is not in the 2 test images/);
  });

  it('decodes every generated shapes image inside [0, 1]: without noise, each is two colours', async () => {
    const c = resolveConfig({ data: { name: 'shapes', samples: 50, noise: 0 } });
    const d = await makeDataset(c.data, c.seed);
    if (!isImageClassification(d)) throw new Error('shapes is image classification');
    for (let i = 0; i < d.test.n; i++) {
      const rgba = testImageRgba(d, i);
      const colours = new Set<string>();
      for (let p = 0; p < rgba.length; p += 4) colours.add(rgba.subarray(p, p + 4).join());
      expect(colours.size, `test image ${i}`).toBe(2);
    }
  });
});

describe('image data sets', () => {
  it('name their classes: shapes and cifar10 in words, mnist by digit', () => {
    const of = (name: string) => classNames({ name, outputDim: 10 } as ImageDataset);
    expect(of('shapes')).toEqual(SHAPES_CLASSES);
    expect(of('cifar10')).toEqual(CIFAR10_CLASSES);
    expect(of('mnist')).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('are classification data with an image layout; 2-D points are not', async () => {
    const spiral: Dataset = await makeDataset(resolveConfig({}).data, 1);
    expect(isImageClassification(spiral)).toBe(false);
    expect(isImageClassification(floatImages('mnist', 1, [0, 0], (v) => v))).toBe(true);
  });
});
