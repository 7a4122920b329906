import type { KernelContext } from '../gpu/context.ts';
import { Rng } from '../math/prng.ts';
import { readF32, upload, zeros } from '../gpu/transfer.ts';
import { effectiveTiling, matmul, type MatmulShape } from '../kernels/matmul.ts';
import { MATMUL_TILINGS, type MatmulTilingName } from '../kernels/tunables.ts';
import { matmul as refMatmul } from '../reference/matmul.ts';
import { relErr, sampledRelErr } from './kernel-bench.ts';
import type { BenchResult } from './result.ts';
import { timeDispatches, timedResult } from './timing.ts';

/** Public names of the variants the suite compares, and the tiling each runs. */
export const MATMUL_VARIANTS: Record<string, MatmulTilingName> = {
  naive: 'naive',
  reg: 'reg16x8',
  vec4: 'vec4x4_8x8',
  tiled: 'tiled64',
};

export interface MatmulCase {
  label: string;
  shape: MatmulShape;
}

/** The three matmuls of a hidden block at batch b, width w: forward h·Wᵀ, backward dz·W, and dW = dzᵀ·h. */
function blockCases(b: number, w: number): MatmulCase[] {
  return [
    { label: `fwd-b${b}-w${w}`, shape: { M: b, N: w, K: w, transB: true } },
    { label: `dx-b${b}-w${w}`, shape: { M: b, N: w, K: w } },
    { label: `dw-b${b}-w${w}`, shape: { M: w, N: w, K: b, transA: true } },
  ];
}

/** Squares up to 2,048, then deep-net blocks: batch 32–512 × width 32–1,024. */
export const MATMUL_CASES: MatmulCase[] = [
  ...[256, 512, 1024, 2048].map((n) => ({ label: String(n), shape: { M: n, N: n, K: n } })),
  ...[128, 256].flatMap((w) => blockCases(128, w)),
  ...[32, 512].flatMap((b) => [32, 128, 1024].flatMap((w) => blockCases(b, w))),
  ...[32, 1024].flatMap((w) => blockCases(128, w)),
];

/** Above this many multiply-adds the float64 check samples entries of C instead of computing all of it. */
export const FULL_CHECK_LIMIT = 2 ** 28;
const SAMPLES = 2048;

/** max |err| / max |ref| over all of C, or over SAMPLES random entries of it for very large shapes. */
export function checkAgainstReference(got: Float32Array, a: Float32Array, b: Float32Array, s: MatmulShape, rng: Rng, limit = FULL_CHECK_LIMIT): number {
  const { M, N, K } = s;
  if (M * N * K <= limit) return relErr(got, refMatmul(a, b, M, N, K, { transA: !!s.transA, transB: !!s.transB }));
  const want = (i: number): number => {
    const [m, n] = [Math.floor(i / N), i % N];
    let v = 0;
    for (let k = 0; k < K; k++) v += a[s.transA ? k * M + m : m * K + k]! * b[s.transB ? n * K + k : k * N + n]!;
    return v;
  };
  return sampledRelErr(SAMPLES, M * N, rng, (i) => got[i]!, want);
}

const TOLERANCE = 1e-4;

export async function benchMatmul(ctx: KernelContext, variant: string, c: MatmulCase): Promise<BenchResult> {
  const { M, N, K } = c.shape;
  const rng = new Rng(M * 7919 + N * 31 + K);
  const a = rng.fill(new Float32Array(M * K), () => rng.normal()) as Float32Array;
  const b = rng.fill(new Float32Array(K * N), () => rng.normal()) as Float32Array;
  const out = zeros(ctx, M * N);
  const tiling = MATMUL_TILINGS[MATMUL_VARIANTS[variant]!];
  const d = await matmul(ctx, c.shape, { kind: 'plain' }, { a: upload(ctx, a), b: upload(ctx, b), c: out }, tiling);
  const name = `matmul/${variant}`;
  const shape = [M, N, K];
  const sampled = M * N * K > FULL_CHECK_LIMIT;
  const detail = { case: c.label, transA: !!c.shape.transA, transB: !!c.shape.transB, tiling: effectiveTiling(c.shape, tiling), ...(sampled ? { checked: `${SAMPLES} sampled entries` } : {}) };
  // Correctness gate: a wrong kernel is reported as wrong, never timed.
  const t = await timeDispatches(ctx, [d], { warmup: 0, iterations: 1 });
  const maxRelErr = checkAgainstReference(await readF32(ctx, out, M * N), a, b, c.shape, rng);
  if (!(maxRelErr <= TOLERANCE)) return { name, shape, ok: false, maxRelErr, detail: { ...detail, tolerance: TOLERANCE } };
  // The gate run was the warm-up; slow variants get one sample, the gate itself (naive 1024³ takes seconds here).
  return timedResult(ctx, [d], t, { name, shape, maxRelErr, flops: 2 * M * N * K, bytes: 4 * (M * K + K * N + M * N), detail });
}
