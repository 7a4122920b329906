/**
 * `shapes`: seeded synthetic 32×32 RGB images of ten shapes, made on the fly (nothing to download), for
 * convolutional nets. Each image is one shape in a random place, size and colour on a random background
 * colour, with Gaussian pixel noise of standard deviation `noise`; only the shape tells the class, so
 * colour and position must be ignored and outline told from fill. Pixels are NHWC, centred and scaled
 * per channel (v − 0.5) / 0.25. Labels go round-robin over the classes.
 */
import type { Rng } from '../../math/prng.ts';
import type { Samples } from './types.ts';

export const SHAPES_SIZE = 32;
/** Pixels in [0, 1] are stored as (v − SHAPES_MEAN) / SHAPES_STD in every channel. */
export const SHAPES_MEAN = 0.5;
export const SHAPES_STD = 0.25;
export const SHAPES_CLASSES = [
  'disc', 'ring', 'square', 'frame', 'triangle', 'horizontal bar', 'vertical bar', 'plus', 'cross', 'diamond',
] as const;

/** Whether pixel offset (dx, dy) from the centre lies on shape `k` of radius r. */
function inside(k: number, dx: number, dy: number, r: number): boolean {
  const [ax, ay] = [Math.abs(dx), Math.abs(dy)];
  const d2 = dx * dx + dy * dy;
  const side = 0.8 * r;
  const stroke = 2.2;
  switch (k) {
    case 0:
      return d2 <= r * r;
    case 1:
      return d2 <= r * r && d2 >= (r - stroke) ** 2;
    case 2:
      return ax <= side && ay <= side;
    case 3:
      return ax <= side && ay <= side && (ax > side - stroke || ay > side - stroke);
    case 4:
      // Pointing up: the base at dy = +0.8r, the apex at dy = −r.
      return dy <= side && dy >= -r && ax <= (dy + r) / 2;
    case 5:
      return ay <= 1.5 && ax <= r;
    case 6:
      return ax <= 1.5 && ay <= r;
    case 7:
      return (ay <= 1.5 && ax <= r) || (ax <= 1.5 && ay <= r);
    case 8:
      return Math.abs(ax - ay) <= 1.5 && ax <= side;
    default:
      return ax + ay <= r;
  }
}

/** n images of SHAPES_SIZE² × 3, as Samples with their image shape. */
export function shapes(n: number, noise: number, rng: Rng): Samples {
  const S = SHAPES_SIZE;
  const classes = SHAPES_CLASSES.length;
  const x = new Float32Array(n * S * S * 3);
  const y = new Uint32Array(n);
  const colour = (): [number, number, number] => [rng.uniform(), rng.uniform(), rng.uniform()];
  for (let i = 0; i < n; i++) {
    const label = i % classes;
    y[i] = label;
    const r = 6 + 4 * rng.uniform();
    const [cx, cy] = [r + 1 + (S - 2 * r - 2) * rng.uniform(), r + 1 + (S - 2 * r - 2) * rng.uniform()];
    const bg = colour();
    // A foreground at least 0.5 away from the background in some channel, so the shape is always visible.
    let fg = colour();
    while (Math.max(...fg.map((v, c) => Math.abs(v - bg[c]!))) < 0.5) fg = colour();
    const base = i * S * S * 3;
    for (let py = 0; py < S; py++) {
      for (let px = 0; px < S; px++) {
        const on = inside(label, px + 0.5 - cx, py + 0.5 - cy, r);
        const o = base + (py * S + px) * 3;
        for (let c = 0; c < 3; c++) x[o + c] = ((on ? fg[c]! : bg[c]!) + noise * rng.normal() - SHAPES_MEAN) / SHAPES_STD;
      }
    }
  }
  return { task: 'classification', inputDim: S * S * 3, outputDim: classes, x, y, n, image: { height: S, width: S, channels: 3 } };
}
