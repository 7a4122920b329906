import { describe, expect, it } from 'vitest';
import { matmul, matmulBackward } from '../../src/reference/index.ts';
import { expectClose, expectGradient } from './fd.ts';
import { dot, seeded, normal } from './rng.ts';

/** Row-major transpose of an R×C matrix. */
function transpose(a: ArrayLike<number>, R: number, C: number): Float64Array {
  const t = new Float64Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) t[c * R + r] = a[r * C + c]!;
  return t;
}

const TRANS = [
  { transA: false, transB: false },
  { transA: true, transB: false },
  { transA: false, transB: true },
  { transA: true, transB: true },
] as const;

describe('matmul', () => {
  it('computes a tiny hand case', () => {
    // [1 2 3; 4 5 6] · [7 8; 9 10; 11 12] = [58 64; 139 154]
    const c = matmul([1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12], 2, 2, 3);
    expect(Array.from(c)).toEqual([58, 64, 139, 154]);
  });

  it('reads transposed storage for every trans combination', () => {
    const rng = seeded(7);
    const [M, N, K] = [3, 5, 4];
    const a = normal(rng, M * K);
    const b = normal(rng, K * N);
    const want = matmul(a, b, M, N, K);
    for (const opts of TRANS) {
      const as = opts.transA ? transpose(a, M, K) : a;
      const bs = opts.transB ? transpose(b, K, N) : b;
      expectClose(`C ${JSON.stringify(opts)}`, matmul(as, bs, M, N, K, opts), want, 1e-14);
    }
  });

  it('accepts Float32Array inputs', () => {
    const c = matmul(new Float32Array([1, 2]), new Float32Array([3, 4]), 1, 1, 2);
    expect(c).toBeInstanceOf(Float64Array);
    expect(c[0]).toBe(11);
  });

  it('rejects inputs whose length does not match the shape', () => {
    expect(() => matmul([1, 2, 3], [1, 2], 1, 1, 2)).toThrow(/matmul A \(1×2\) must have length 2 \(got 3\)/);
    expect(() => matmul([1, 2], [1, 2], 1, 1, 0)).toThrow(/K must be a positive integer/);
  });

  for (const opts of TRANS) {
    it(`backward matches finite differences (${JSON.stringify(opts)})`, () => {
      const rng = seeded(11);
      const [M, N, K] = [4, 3, 5];
      const a = normal(rng, M * K);
      const b = normal(rng, K * N);
      const g = normal(rng, M * N);
      const { da, db } = matmulBackward(g, a, b, M, N, K, opts);
      expectGradient('dA', (x) => dot(g, matmul(x, b, M, N, K, opts)), a, da);
      expectGradient('dB', (x) => dot(g, matmul(a, x, M, N, K, opts)), b, db);
    });
  }
});
