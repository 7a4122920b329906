import { checkLength, checkSize } from './checks.ts';

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
}

/**
 * C[M×N] = op(A)·op(B). op(A) is M×K: A is stored M×K, or K×M when transA.
 * op(B) is K×N: B is stored K×N, or N×K when transB. All row-major.
 */
export function matmul(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  M: number,
  N: number,
  K: number,
  opts: MatmulOptions = {},
): Float64Array {
  checkSize(M, 'matmul M');
  checkSize(N, 'matmul N');
  checkSize(K, 'matmul K');
  checkLength(a, M * K, `matmul A (${opts.transA ? `${K}×${M}` : `${M}×${K}`})`);
  checkLength(b, K * N, `matmul B (${opts.transB ? `${N}×${K}` : `${K}×${N}`})`);
  // Element strides of op(A) along (i, k) and op(B) along (k, j).
  const [aI, aK] = opts.transA ? [1, M] : [K, 1];
  const [bK, bJ] = opts.transB ? [1, K] : [N, 1];
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += a[i * aI + k * aK]! * b[k * bK + j * bJ]!;
      c[i * N + j] = acc;
    }
  }
  return c;
}

/**
 * Gradients of C = op(A)·op(B) given dC [M×N], each in the storage layout of its input:
 * d op(A) = dC·op(B)ᵀ and d op(B) = op(A)ᵀ·dC, transposed back when the input was stored transposed.
 */
export function matmulBackward(
  dc: ArrayLike<number>,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  M: number,
  N: number,
  K: number,
  opts: MatmulOptions = {},
): { da: Float64Array; db: Float64Array } {
  const transA = opts.transA ?? false;
  const transB = opts.transB ?? false;
  checkLength(dc, M * N, `matmulBackward dC (${M}×${N})`);
  const da = transA
    ? matmul(b, dc, K, M, N, { transA: transB, transB: true })
    : matmul(dc, b, M, K, N, { transB: !transB });
  const db = transB
    ? matmul(dc, a, N, K, M, { transA: true, transB: transA })
    : matmul(a, dc, K, N, M, { transA: !transA });
  return { da, db };
}
