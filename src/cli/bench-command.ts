import { tableHeader, tableRow } from '../bench/format.ts';
import type { BenchReport } from '../bench/result.ts';
import { blockShapes, tuneMatmul } from '../bench/autotune.ts';
import { benchCustomMatmul, checkCustomKernel } from '../bench/custom-kernel.ts';
import { runSuite, withPeak } from '../bench/suite.ts';
import { KernelContext } from '../gpu/context.ts';
import { nodeDevice } from '../gpu/node-gpu.ts';
import { UsageError } from './errors.ts';
import { readUserFile } from './run-config.ts';
import { gitCommit, packageVersion } from './meta.ts';
import { tuningPath, writeTuning } from './tuning-file.ts';

export interface BenchOptions {
  filter?: string;
  json: boolean;
  /** Tune the engine's matmul tilings on this adapter instead of running the suite. */
  tune?: boolean;
  /** A WGSL matmul following CUSTOM_CONTRACT, verified and timed beside the built-in ones. */
  kernel?: string;
}

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
    const log = (s: string): void => void (opts.json ? process.stderr : process.stdout).write(s + '\n');
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
    log(tableHeader());
    const custom = opts.kernel ? { path: opts.kernel, code: readUserFile(opts.kernel, '--kernel').toString('utf8') } : undefined;
    if (custom) checkCustomKernel(custom.code, custom.path); // a contract error before anything runs
    const results = await runSuite(ctx, custom ? /^matmul\/(naive|reg|vec4|tiled) (256|512|1024)$/ : filter, (r) => log(tableRow(r)));
    if (custom) {
      for (const n of [256, 512, 1024]) {
        const r = withPeak(await benchCustomMatmul(ctx, custom.code, custom.path, n), results);
        results.push(r);
        log(tableRow(r));
      }
    }
    for (const r of results) {
      const ratio = r.detail?.vsTfjs;
      if (typeof ratio === 'number') log(`${r.name} ${r.shape.join('×')}: ${ratio.toFixed(1)}× TF.js WebGPU on the same device`);
    }
    const report: BenchReport = { adapter: a, version: packageVersion(), commit: gitCommit(), date: new Date().toISOString(), results };
    if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return 0;
  } finally {
    gpu.destroy();
  }
}
