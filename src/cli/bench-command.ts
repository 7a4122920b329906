import { blockShapes, tuneMatmul } from '../bench/autotune.ts';
import { checkCustomKernel, customMatmulEntry } from '../bench/custom-kernel.ts';
import { noiseFooter, tableHeader, tableRow } from '../bench/format.ts';
import { finishedLine, planLine, progressLine } from '../bench/progress.ts';
import type { BenchReport } from '../bench/result.ts';
import { planSuite, runSuite, type BenchEntry } from '../bench/suite.ts';
import { KernelContext } from '../gpu/context.ts';
import { nodeDevice } from '../gpu/node-gpu.ts';
import { ProgressLine } from './bench-progress.ts';
import { UsageError } from './errors.ts';
import { READ_LIMITS, readUserFile } from './user-files.ts';
import { gitCommit, packageVersion } from './meta.ts';
import { tuningPath, writeTuning } from './tuning-file.ts';

export interface BenchOptions {
  filter?: string;
  json: boolean;
  /** Tune the engine's matmul tilings on this adapter instead of running the suite. */
  tune?: boolean;
  /** A WGSL matmul following CUSTOM_CONTRACT, verified and timed beside the built-in ones. */
  kernel?: string;
  /**
   * Leave out the slow cases (matmuls above 2²⁷ multiply-adds, TF.js at 1,024, the convolutions, the step at depth
   * 1,000, the ResNet and LSTM steps and TF.js's LSTM). The docs' figures come from full runs or the filters they name.
   */
  quick?: boolean;
}

const CUSTOM_SIZES = [256, 512, 1024];

/** Batch 128 blocks of the widths people train most; other shapes keep the default tiling. */
const TUNE_WIDTHS = [32, 64, 128, 256];

export async function benchCommand(opts: BenchOptions): Promise<number> {
  let filter: RegExp | undefined;
  if (opts.filter !== undefined) {
    try {
      filter = new RegExp(opts.filter);
    } catch {
      throw new UsageError(`--filter must be a regular expression (got ${JSON.stringify(opts.filter)})`);
    }
  }
  const gpu = await nodeDevice();
  try {
    const ctx = new KernelContext(gpu);
    // Progress goes to stderr; so does the table with --json, where stdout is the JSON object alone.
    const progress = new ProgressLine();
    const log = (s: string): void => progress.print(opts.json ? process.stderr : process.stdout, s);
    const a = gpu.adapter;
    log(`adapter: ${a.vendor} ${a.architecture} ${a.description}`.trim());
    if (opts.tune) {
      const shapes = TUNE_WIDTHS.flatMap((w) => blockShapes(128, w));
      const table = await tuneMatmul(ctx, shapes, undefined, (t) => log(`  ${t.shape.padEnd(16)} ${t.tiling.padEnd(12)} ${t.ms === null ? 'WRONG' : `${t.ms.toFixed(2)} ms`}`));
      writeTuning(a, table);
      for (const [shape, tiling] of Object.entries(table)) log(`${shape.padEnd(16)} → ${tiling}`);
      log(`saved to ${tuningPath()}; gradscope train uses it on this adapter`);
      if (opts.json) process.stdout.write(JSON.stringify({ adapter: a, version: packageVersion(), commit: gitCommit(), tuning: table }, null, 2) + '\n');
      return 0;
    }
    const custom = opts.kernel ? { path: opts.kernel, code: readUserFile(opts.kernel, '--kernel', READ_LIMITS.kernel).toString('utf8') } : undefined;
    if (custom) checkCustomKernel(custom.code, custom.path); // a contract error before anything runs
    const entries = planSuite({
      filter: custom ? /^matmul\/(naive|reg|vec4|tiled) (256|512|1024)$/ : filter,
      quick: !!opts.quick,
      extra: custom ? CUSTOM_SIZES.map((n) => customMatmulEntry(custom.code, custom.path, n)) : [],
    });
    const seconds = (es: readonly BenchEntry[]) => es.reduce((t, e) => t + e.estimateS, 0);
    const quick = opts.quick || custom ? undefined : planSuite({ filter, quick: true });
    progress.print(process.stderr, planLine({ cases: entries.length, seconds: seconds(entries) }, quick && { cases: quick.length, seconds: seconds(quick) }));
    log(tableHeader());
    const started = performance.now();
    const results = await runSuite(ctx, entries, { onResult: (r) => log(tableRow(r)), onProgress: (p) => p.id && progress.show(progressLine(p)) });
    progress.end(finishedLine(entries.length, (performance.now() - started) / 1000));
    for (const r of results) {
      const ratio = r.detail?.vsTfjs;
      if (typeof ratio === 'number') log(`${r.name} ${r.shape.join('×')}: ${ratio.toFixed(1)}× TF.js WebGPU on the same device`);
    }
    for (const line of noiseFooter(results)) log(line);
    const report: BenchReport = { adapter: a, version: packageVersion(), commit: gitCommit(), date: new Date().toISOString(), results };
    if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return 0;
  } finally {
    gpu.destroy();
  }
}
