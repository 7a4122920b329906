import type { KernelContext } from '../gpu/context.ts';
import { benchMatmul, MATMUL_CASES, MATMUL_VARIANTS } from './matmul-bench.ts';
import { benchCase, KERNEL_CASES } from './kernel-bench.ts';
import { benchPeakCopy, benchPeakFma } from './peak-bench.ts';
import { benchStep } from './step-bench.ts';
import { benchTfjsMatmul, withTfjsRatios } from './tfjs-peer.ts';
import type { BenchResult } from './result.ts';

/**
 * One runnable benchmark: its full name (`family/variant case`) and how to run it. A paired measurement
 * (a training step with and without statistics) yields several results, named in `also`; a filter that
 * matches any of its names runs it.
 */
export interface BenchEntry {
  id: string;
  also?: string[];
  run(ctx: KernelContext): Promise<BenchResult | BenchResult[]>;
}

export function benchEntries(): BenchEntry[] {
  // Peaks first: later results are reported as a percentage of them.
  const out: BenchEntry[] = [
    { id: 'peak/fma', run: benchPeakFma },
    { id: 'peak/copy', run: benchPeakCopy },
  ];
  for (const c of MATMUL_CASES) {
    for (const variant of Object.keys(MATMUL_VARIANTS)) {
      // The naive kernel on the big shapes takes tens of seconds on a CPU adapter and proves nothing new.
      const { M, N, K } = c.shape;
      if (variant === 'naive' && M * N * K > 2 ** 27) continue;
      out.push({ id: `matmul/${variant} ${c.label}`, run: (ctx) => benchMatmul(ctx, variant, c) });
    }
  }
  // The peer comparison: TF.js's WebGPU matmul on the same device, when its packages are installed.
  for (const n of [256, 512, 1024]) {
    out.push({ id: `peer/tfjs-webgpu ${n}`, run: (ctx) => benchTfjsMatmul(ctx, n) });
  }
  for (const c of KERNEL_CASES) out.push({ id: `${c.name} ${c.shape.join('x')}`, run: (ctx) => benchCase(ctx, c) });
  for (const depth of [100, 1000]) {
    out.push({ id: `step/depth${depth}-width128`, also: [`step/depth${depth}-width128-nostats`], run: (ctx) => benchStep(ctx, depth) });
  }
  return out;
}

/** Run every entry whose id matches `filter`, in order, reporting each result as it lands. */
export async function runSuite(
  ctx: KernelContext,
  filter: RegExp | undefined,
  onResult: (r: BenchResult) => void = () => {},
): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const e of benchEntries()) {
    if (filter && ![e.id, ...(e.also ?? [])].some((n) => filter.test(n)) && !e.id.startsWith('peak/')) continue;
    for (const raw of [await e.run(ctx)].flat()) {
      const r = withPeak(raw, results);
      results.push(r);
      onResult(r);
    }
  }
  return withTfjsRatios(results);
}

/** Compute-bound results against peak/fma, memory-bound ones (no GFLOP/s) against peak/copy. */
export function withPeak(r: BenchResult, earlier: readonly BenchResult[]): BenchResult {
  if (!r.ok || r.name.startsWith('peak/')) return r;
  const peak = (name: string) => earlier.find((e) => e.name === name && e.ok);
  const fma = peak('peak/fma')?.gflops;
  const copy = peak('peak/copy')?.gbps;
  const pct = r.gflops !== undefined && fma ? (100 * r.gflops) / fma : r.gbps !== undefined && copy ? (100 * r.gbps) / copy : undefined;
  return pct === undefined ? r : { ...r, pctPeak: pct };
}
