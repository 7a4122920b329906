import type { RunConfig } from '../model/config.ts';
import type { RunSummary, StepRecord } from '../stats/record.ts';
import { gradientStrip } from './terminal/gradient-strip.ts';
import { progressBar } from './terminal/progress-bar.ts';

const fmt = (x: number | null, digits = 4): string => (x === null || !Number.isFinite(x) ? String(x) : x.toFixed(digits));
const pct = (x: number | null): string => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);

/** What `gradscope train` prints: a progress line while it runs (terminals only), then the result. */
export const reportRun = {
  progress(r: StepRecord, config: RunConfig, started: number): void {
    const seconds = (performance.now() - started) / 1000;
    const line = progressBar({ step: r.step, steps: config.train.steps, stepsPerSecond: r.step / Math.max(seconds, 1e-9), loss: r.loss, width: process.stderr.columns || 80 });
    process.stderr.write(`\r${line}`);
    if (r.step >= config.train.steps) process.stderr.write('\n');
  },

  final(s: RunSummary, last: StepRecord | undefined, opts: { color: boolean }): void {
    const out: string[] = [];
    out.push(`steps ${s.steps}  loss ${fmt(s.finalLoss)}  train acc ${pct(s.finalAccuracy)}  test loss ${fmt(s.testLoss)}  test acc ${pct(s.testAccuracy)}  ${s.stepsPerSecond.toFixed(1)} steps/s`);
    if (s.diverged) out.push(`diverged at step ${s.diverged.step}: ${s.diverged.what}`);
    if (last) {
      out.push('gradient norm per layer, input → head (log10):');
      out.push(...gradientStrip(last.gradNorm, { color: opts.color, width: process.stdout.columns || 80 }));
    }
    for (const d of s.diagnosis) {
      out.push(`${d.kind}: ${d.finding}`);
      if (d.kind !== 'healthy') out.push(`  try: ${d.fix}${Object.keys(d.patch).length ? `  (${Object.entries(d.patch).map(([k, v]) => `--set ${k}=${v}`).join(' ')})` : ''}`);
    }
    process.stdout.write(out.join('\n') + '\n');
  },
};
