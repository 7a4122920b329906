import type { KernelContext } from '../gpu/context.ts';
import { Rng } from '../gpu/prng.ts';
import { readF32, upload, zeros } from '../gpu/transfer.ts';
import { effectiveTiling, matmul, type MatmulShape } from '../kernels/matmul.ts';
import { MATMUL_TILINGS, type MatmulTilingName } from '../kernels/tunables.ts';
import { matmul as refMatmul } from '../reference/matmul.ts';
import type { BenchResult } from './result.ts';
import { timeDispatches } from './timing.ts';

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

/** Squares, then the shapes a deep MLP step runs (batch 128): forward h·Wᵀ, backward dz·W and dW = dzᵀ·h. */
export const MATMUL_CASES: MatmulCase[] = [
  { label: '256', shape: { M: 256, N: 256, K: 256 } },
  { label: '512', shape: { M: 512, N: 512, K: 512 } },
  { label: '1024', shape: { M: 1024, N: 1024, K: 1024 } },
  ...[128, 256].flatMap((w) => [
    { label: `fwd-b128-w${w}`, shape: { M: 128, N: w, K: w, transB: true } },
    { label: `dx-b128-w${w}`, shape: { M: 128, N: w, K: w } },
    { label: `dw-b128-w${w}`, shape: { M: w, N: w, K: 128, transA: true } },
  ]),
];

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
  const detail = { case: c.label, transA: !!c.shape.transA, transB: !!c.shape.transB, tiling: effectiveTiling(c.shape, tiling) };
  // Correctness gate: a wrong kernel is reported as wrong, never timed.
  const t = await timeDispatches(ctx, [d], { warmup: 0, iterations: 1 });
  const got = await readF32(ctx, out, M * N);
  const want = refMatmul(a, b, M, N, K, { transA: !!c.shape.transA, transB: !!c.shape.transB });
  let err = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Number.isNaN(got[i]!) ? Infinity : Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  const maxRelErr = err / (scale || 1);
  if (!(maxRelErr <= TOLERANCE)) return { name, shape, ok: false, maxRelErr, detail: { ...detail, tolerance: TOLERANCE } };
  // The gate run warmed the pipeline; slow variants get fewer samples (naive 1024³ takes seconds here).
  const timing = t.ms > 2000 ? t : await timeDispatches(ctx, [d], { warmup: 1, iterations: 5 });
  const flops = 2 * M * N * K;
  const bytes = 4 * (M * K + K * N + M * N);
  return {
    name,
    shape,
    ok: true,
    maxRelErr,
    ms: timing.ms,
    msMin: timing.msMin,
    msMax: timing.msMax,
    gflops: flops / timing.ms / 1e6,
    gbps: bytes / timing.ms / 1e6,
    detail: { ...detail, timing: timing.source, samples: timing.samples },
  };
}
