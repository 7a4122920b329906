import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/math/prng.ts';
import { defaultConfig } from '../../src/model/config.ts';
import { makeDataset } from '../../src/train/data/dataset.ts';
import { SHAPES_CLASSES, SHAPES_SIZE, shapes } from '../../src/train/data/shapes.ts';

const S = SHAPES_SIZE;
/** Pixel (px, py) of image i as an RGB key. */
const pixel = (x: Float32Array, i: number, px: number, py: number): string => Array.from(x.subarray((i * S * S + py * S + px) * 3, (i * S * S + py * S + px) * 3 + 3)).join(',');

describe('shapes: synthetic 32×32 RGB images of ten shapes', () => {
  it('is seeded, balanced, laid out as NHWC images, and split by makeDataset', async () => {
    const a = shapes(40, 0.1, new Rng(3));
    expect(a).toMatchObject({ task: 'classification', inputDim: S * S * 3, outputDim: 10, n: 40, image: { height: 32, width: 32, channels: 3 } });
    expect(a.x).toEqual(shapes(40, 0.1, new Rng(3)).x);
    expect(a.x).not.toEqual(shapes(40, 0.1, new Rng(4)).x);
    expect(Array.from(a.y.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect(a.x.every(Number.isFinite)).toBe(true);
    const ds = await makeDataset({ ...defaultConfig().data, name: 'shapes', samples: 100, testFraction: 0.2 }, 1);
    expect([ds.train.n, ds.test.n, ds.image]).toEqual([80, 20, { height: 32, width: 32, channels: 3 }]);
  });

  it('without noise each image is one shape in one colour on one background, and only outlines leave their centre empty', () => {
    const n = 200;
    const { x } = shapes(n, 0, new Rng(7));
    for (let i = 0; i < n; i++) {
      const colours = new Set<string>();
      for (let py = 0; py < S; py++) for (let px = 0; px < S; px++) colours.add(pixel(x, i, px, py));
      expect(colours.size, `image ${i}`).toBe(2);
    }
    // The shape lies inside the image, so a corner is background; find the centre as the middle of the shape's box.
    const hollow = new Set(['ring', 'frame']);
    for (let i = 0; i < n; i++) {
      const bg = pixel(x, i, 0, 0);
      let [x0, y0, x1, y1] = [S, S, -1, -1];
      for (let py = 0; py < S; py++) {
        for (let px = 0; px < S; px++) {
          if (pixel(x, i, px, py) === bg) continue;
          [x0, y0, x1, y1] = [Math.min(x0, px), Math.min(y0, py), Math.max(x1, px), Math.max(y1, py)];
        }
      }
      expect(Math.max(x1 - x0, y1 - y0), `image ${i}: the shape spans`).toBeGreaterThanOrEqual(8);
      const centreOn = pixel(x, i, Math.round((x0 + x1) / 2), Math.round((y0 + y1) / 2)) !== bg;
      const name = SHAPES_CLASSES[i % 10]!;
      expect(centreOn, `${name} (image ${i})`).toBe(!hollow.has(name));
    }
  });
});
