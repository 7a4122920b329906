import type { KernelContext } from '../gpu/context.ts';
import { dispatch1d } from '../gpu/dispatch.ts';
import type { KernelSpec } from '../gpu/kernel.ts';
import { readF32, zeros } from '../gpu/transfer.ts';
import { SHADERS } from '../kernels/shaders.ts';
import type { BenchResult } from './result.ts';
import { timeDispatches, timingDetail } from './timing.ts';

const WG = 64;
const ITERS = 512;

export function peakSpec(entry: 'peak_fma' | 'peak_copy'): KernelSpec<'src' | 'dst' | 'params'> {
  return { shader: SHADERS.peak, entry, bindings: [['src', 'read'], ['dst', 'rw'], ['params', 'uniform']], constants: { WG, ITERS } };
}

/** Multiply-add throughput with no memory traffic: the ceiling for compute-bound kernels. */
export async function benchPeakFma(ctx: KernelContext): Promise<BenchResult> {
  const invocations = 1 << 16;
  const dst = zeros(ctx, 4 * 1024);
  const d = await ctx.dispatch('peak fma', peakSpec('peak_fma'), { src: ctx.dummy, dst, params: ctx.paramBlock([invocations]) }, dispatch1d(invocations, WG));
  const t = await timeDispatches(ctx, [d], { warmup: 1, iterations: 5 });
  // Sanity: the chains must have run (a value of exactly zero would mean the loop was folded away).
  const out = await readF32(ctx, dst, 4);
  const ok = out.every((v) => Number.isFinite(v) && v !== 0);
  const flops = invocations * ITERS * 8 * 4 * 2;
  return ok
    ? { name: 'peak/fma', shape: [invocations, ITERS], ok, maxRelErr: 0, ms: t.ms, msMin: t.msMin, msMax: t.msMax, gflops: flops / t.ms / 1e6, detail: timingDetail(t) }
    : { name: 'peak/fma', shape: [invocations, ITERS], ok, maxRelErr: 1, detail: { reason: 'the chains produced no result' } };
}

/** Storage-to-storage copy bandwidth: the ceiling for memory-bound kernels. */
export async function benchPeakCopy(ctx: KernelContext): Promise<BenchResult> {
  const vec4s = 4 * 1024 * 1024; // 64 MiB each way
  const src = zeros(ctx, 4 * vec4s);
  const fill = new Float32Array(4 * vec4s).map((_, i) => i % 1000);
  ctx.device.queue.writeBuffer(src.buffer, 0, fill);
  const dst = zeros(ctx, 4 * vec4s);
  const d = await ctx.dispatch('peak copy', peakSpec('peak_copy'), { src, dst, params: ctx.paramBlock([vec4s]) }, dispatch1d(vec4s, WG));
  const t = await timeDispatches(ctx, [d], { warmup: 1, iterations: 5 });
  const got = await readF32(ctx, dst, 4096);
  const ok = got.every((v, i) => v === i % 1000);
  const bytes = 2 * 16 * vec4s;
  src.buffer.destroy();
  dst.buffer.destroy();
  return ok
    ? { name: 'peak/copy', shape: [vec4s * 4], ok, maxRelErr: 0, ms: t.ms, msMin: t.msMin, msMax: t.msMax, gbps: bytes / t.ms / 1e6, detail: timingDetail(t) }
    : { name: 'peak/copy', shape: [vec4s * 4], ok, maxRelErr: 1, detail: { reason: 'the copy does not match its source' } };
}
