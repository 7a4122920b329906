// A tiny seeded PRNG for the reference tests (mulberry32), local so the tests import nothing from src/gpu.

export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
