import type { RunConfig } from '../model/config.ts';
import type { RunSummary, StepRecord } from '../stats/record.ts';
import { gradientStrip } from './terminal/gradient-strip.ts';
import { progressBar } from './terminal/progress-bar.ts';
import { textWidth, wrap } from './terminal/wrap.ts';

const fmt = (x: number | null, digits = 4): string => (x === null ? 'n/a' : !Number.isFinite(x) ? String(x) : x.toFixed(digits));
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
      last.timeDeltaNorm?.forEach((norms, k, all) => {
        out.push(`‖∂L/∂h_t‖ through time${all.length > 1 ? `, layer ${k}` : ''}, first step → last (log10):`);
        out.push(...gradientStrip(norms, { color: opts.color, width: process.stdout.columns || 80, ends: ['t=0', `t=${norms.length - 1}`] }));
      });
    }
    const width = textWidth();
    if (s.interrupted) out.push(`interrupted at step ${s.steps}: continue with gradscope train --resume on the --save checkpoint`);
    for (const d of s.diagnosis) {
      out.push(...wrap(`${d.kind}: ${d.finding}`, width, '', '  '));
      if (d.kind === 'healthy') continue;
      const flags = Object.entries(d.patch).map(([k, v]) => `--set ${k}=${v}`).join(' ');
      out.push(...wrap(`try: ${d.fix}${flags ? ` (${flags})` : ''}`, width, '  ', '    '));
    }
    process.stdout.write(out.join('\n') + '\n');
  },
};
