// Seeded samples for the reference tests, drawn from the engine's own generator (src/math/prng.ts, pure).
import { Rng as Prng } from '../../src/math/prng.ts';

export type Rng = () => number;

/** Uniform draws in [0, 1) from seed `seed`. */
export function seeded(seed: number): Rng {
  const r = new Prng(seed);
  return () => r.uniform();
}

/** n uniform samples in [lo, hi). */
export function uniform(rng: Rng, n: number, lo = -1, hi = 1): Float64Array {
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * rng());
}

/** n standard normal samples (Box–Muller). */
export function normal(rng: Rng, n: number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => {
    const r = Math.sqrt(-2 * Math.log(1 - rng()));
    return scale * r * Math.cos(2 * Math.PI * rng());
  });
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
