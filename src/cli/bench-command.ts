import { tableHeader, tableRow } from '../bench/format.ts';
import type { BenchReport } from '../bench/result.ts';
import { runSuite } from '../bench/suite.ts';
import { KernelContext } from '../gpu/context.ts';
import { nodeDevice } from '../gpu/node-gpu.ts';
import { UsageError } from './errors.ts';
import { gitCommit, packageVersion } from './meta.ts';

export interface BenchOptions {
  filter?: string;
  json: boolean;
}

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
    log(tableHeader());
    const results = await runSuite(ctx, filter, (r) => log(tableRow(r)));
    const report: BenchReport = { adapter: a, version: packageVersion(), commit: gitCommit(), date: new Date().toISOString(), results };
    if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return 0;
  } finally {
    gpu.destroy();
  }
}
