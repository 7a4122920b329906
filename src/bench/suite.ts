import type { KernelContext } from '../gpu/context.ts';
import { benchMatmul, MATMUL_CASES, MATMUL_VARIANTS } from './matmul-bench.ts';
import { benchStep } from './step-bench.ts';
import type { BenchResult } from './result.ts';

/** One runnable benchmark: its full name (`family/variant case`) and how to run it. */
export interface BenchEntry {
  id: string;
  run(ctx: KernelContext): Promise<BenchResult>;
}

export function benchEntries(): BenchEntry[] {
  const out: BenchEntry[] = [];
  for (const c of MATMUL_CASES) {
    for (const variant of Object.keys(MATMUL_VARIANTS)) {
      // The naive kernel at 1024³ takes tens of seconds on a CPU adapter and proves nothing new.
      if (variant === 'naive' && c.label === '1024') continue;
      out.push({ id: `matmul/${variant} ${c.label}`, run: (ctx) => benchMatmul(ctx, variant, c) });
    }
  }
  for (const depth of [100, 1000]) {
    for (const stats of [true, false]) {
      out.push({ id: `step/depth${depth}-width128${stats ? '' : '-nostats'}`, run: (ctx) => benchStep(ctx, depth, stats) });
    }
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
    if (filter && !filter.test(e.id)) continue;
    const r = await e.run(ctx);
    results.push(r);
    onResult(r);
  }
  return results;
}
