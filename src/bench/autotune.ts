import type { AdapterSummary } from '../gpu/device.ts';
import type { KernelContext } from '../gpu/context.ts';
import { Rng } from '../math/prng.ts';
import { readF32, upload, zeros } from '../gpu/transfer.ts';
import { effectiveTiling, matmul } from '../kernels/matmul.ts';
import { MATMUL_TILINGS, shapeKey, type MatmulTilingName, type TunedShape } from '../kernels/tunables.ts';
import { matmul as refMatmul } from '../reference/matmul.ts';
import { relErr } from './kernel-bench.ts';
import { timeDispatches } from './timing.ts';

/** Tilings worth trying on an unknown adapter: register-blocked ones for CPUs and mobile, staged ones for GPUs. */
export const TUNE_CANDIDATES: readonly MatmulTilingName[] = ['vec4x4_8x8', 'vec4x4_16x8', 'vec4x2_16x8', 'vec4_16x8', 'reg16x8', 'tiled32', 'tiled64'];

/** The matmuls a hidden block runs every step: forward h·Wᵀ, backward dz·W, and dW = dzᵀ·h. */
export function blockShapes(batch: number, width: number): TunedShape[] {
  return [
    { M: batch, N: width, K: width, transB: true },
    { M: batch, N: width, K: width },
    { M: width, N: width, K: batch, transA: true },
  ];
}

/** A stable name for an adapter, the key of a tuning cache. */
export function adapterKey(a: AdapterSummary): string {
  return [a.vendor, a.architecture, a.device, a.description].join('|');
}

export interface TuneTrial {
  shape: string;
  tiling: MatmulTilingName;
  ms: number | null;
}

/**
 * For each shape, time every candidate tiling that computes it correctly (checked against the float64
 * reference first) and keep the fastest. Returns shapeKey → tiling name.
 */
export async function tuneMatmul(
  ctx: KernelContext,
  shapes: readonly TunedShape[],
  candidates: readonly MatmulTilingName[] = TUNE_CANDIDATES,
  onTrial: (t: TuneTrial) => void = () => {},
): Promise<Record<string, MatmulTilingName>> {
  const table: Record<string, MatmulTilingName> = {};
  for (const shape of shapes) {
    const { M, N, K } = shape;
    const rng = new Rng(M * 31 + N * 7 + K);
    const a = rng.fill(new Float32Array(M * K), () => rng.normal()) as Float32Array;
    const b = rng.fill(new Float32Array(K * N), () => rng.normal()) as Float32Array;
    const want = refMatmul(a, b, M, N, K, { transA: !!shape.transA, transB: !!shape.transB });
    const [ga, gb, gc] = [upload(ctx, a), upload(ctx, b), zeros(ctx, M * N)];
    let best: { name: MatmulTilingName; ms: number } | null = null;
    const tried = new Set<string>();
    for (const name of candidates) {
      // Two names can run the same kernel on this shape (vec4 falls back to reg): time it once.
      const real = JSON.stringify(effectiveTiling(shape, MATMUL_TILINGS[name]));
      if (tried.has(real)) continue;
      tried.add(real);
      const d = await matmul(ctx, shape, { kind: 'plain' }, { a: ga, b: gb, c: gc }, MATMUL_TILINGS[name]);
      await timeDispatches(ctx, [d], { warmup: 0, iterations: 1 });
      const ok = relErr(await readF32(ctx, gc, M * N), want) <= 1e-4;
      const ms = ok ? (await timeDispatches(ctx, [d], { warmup: 1, iterations: 3 })).ms : null;
      onTrial({ shape: shapeKey(shape), tiling: name, ms });
      if (ms !== null && (!best || ms < best.ms)) best = { name, ms };
    }
    for (const r of [ga, gb, gc]) r.buffer.destroy();
    if (best) table[shapeKey(shape)] = best.name;
  }
  return table;
}
