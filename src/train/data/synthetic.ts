/**
 * The 2-D toy sets and the teacher regression. Labels go round-robin over the classes, so every class
 * gets samples/classes points (±1). `noise` is the standard deviation of the Gaussian jitter each set adds.
 */
import type { Rng } from '../../math/prng.ts';
import type { Samples } from './types.ts';

function classification(n: number, classes: number, point: (label: number) => [number, number]): Samples {
  const x = new Float32Array(n * 2);
  const y = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % classes;
    const [a, b] = point(label);
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = label;
  }
  return { task: 'classification', inputDim: 2, outputDim: classes, x, y, n };
}

/** Three interleaved arms from the centre out to radius 1; noise jitters the angle (×2, radians) and the radius (×0.5). */
export function spiral(n: number, noise: number, rng: Rng): Samples {
  return classification(n, 3, (arm) => {
    const s = rng.uniform();
    const radius = s + 0.5 * noise * rng.normal();
    const angle = (2 * Math.PI * arm) / 3 + 4 * s + 2 * noise * rng.normal();
    return [radius * Math.cos(angle), radius * Math.sin(angle)];
  });
}

/** Class 0 on the unit circle, class 1 on a circle of radius 0.5, both jittered by noise in each coordinate. */
export function circles(n: number, noise: number, rng: Rng): Samples {
  return classification(n, 2, (ring) => {
    const radius = ring === 0 ? 1 : 0.5;
    const angle = 2 * Math.PI * rng.uniform();
    return [radius * Math.cos(angle) + noise * rng.normal(), radius * Math.sin(angle) + noise * rng.normal()];
  });
}

/**
 * Four clusters at (±0.5, ±0.5) with spread 0.1 + noise; the class is 1 where the signs differ, so no
 * straight line separates the classes.
 */
export function xor(n: number, noise: number, rng: Rng): Samples {
  return classification(n, 2, (label) => {
    const sx = rng.uniform() < 0.5 ? -1 : 1;
    const sy = label === 0 ? sx : -sx;
    const spread = 0.1 + noise;
    return [0.5 * sx + spread * rng.normal(), 0.5 * sy + spread * rng.normal()];
  });
}

/** Four round blobs with spread 0.2 + noise, centred on the unit circle at 0°, 90°, 180° and 270°. */
export function gaussians(n: number, noise: number, rng: Rng): Samples {
  return classification(n, 4, (blob) => {
    const angle = (Math.PI / 2) * blob;
    const spread = 0.2 + noise;
    return [Math.cos(angle) + spread * rng.normal(), Math.sin(angle) + spread * rng.normal()];
  });
}

const TEACHER_IN = 8;
const TEACHER_HIDDEN = 16;

/**
 * Regression on y = v·tanh(W x + b) + noise·ε with x ~ N(0, I₈). The teacher (W 16×8, b, v) is drawn once
 * from its own stream; the scale 1.5/√8 puts tanh in its curved range, so a linear fit is not enough.
 */
export function teacher(n: number, noise: number, rng: Rng): Samples {
  const net = rng.fork('teacher');
  const w = net.fill(new Float64Array(TEACHER_HIDDEN * TEACHER_IN), () => (1.5 / Math.sqrt(TEACHER_IN)) * net.normal());
  const b = net.fill(new Float64Array(TEACHER_HIDDEN), () => 0.1 * net.normal());
  const v = net.fill(new Float64Array(TEACHER_HIDDEN), () => net.normal() / Math.sqrt(TEACHER_HIDDEN));
  const x = new Float32Array(n * TEACHER_IN);
  rng.fill(x, () => rng.normal());
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let out = 0;
    for (let j = 0; j < TEACHER_HIDDEN; j++) {
      let z = b[j]!;
      for (let k = 0; k < TEACHER_IN; k++) z += w[j * TEACHER_IN + k]! * x[i * TEACHER_IN + k]!;
      out += v[j]! * Math.tanh(z);
    }
    y[i] = out + noise * rng.normal();
  }
  return { task: 'regression', inputDim: TEACHER_IN, outputDim: 1, x, y, n };
}
