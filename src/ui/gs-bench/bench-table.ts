// The bench page's results table and the lines around it, as template functions (the element keeps the state).
import { html, nothing } from 'lit';
import { checkText, formatMs, samplesText, spreadText } from '../../bench/format.ts';
import { NOISE_ADVICE } from '../../bench/noise.ts';
import { finishedLine, progressLine, type SuiteProgress } from '../../bench/progress.ts';
import type { BenchResult } from '../../bench/result.ts';

const fmt = (x: number | undefined, d = 2) => (x === undefined ? '' : x.toFixed(d));

/** Median ms beside the fastest–slowest sample and their count, so a reader sees how firm each figure is. */
export function resultsTable(results: readonly BenchResult[]) {
  return html`<div class="table-wrap"><table>
    <thead><tr><th>name</th><th>case</th><th>shape</th><th title="median of the samples">ms</th><th title="fastest–slowest sample">min–max</th>
      <th title="samples (taken/planned when fewer were taken)">n</th><th>GFLOP/s</th><th>GB/s</th><th>% peak</th><th>× TF.js</th><th>check</th><th class="note">note</th></tr></thead>
    <tbody>
      ${results.map(
        (r) => html`<tr class=${r.noisy ? 'noisy' : ''}>
          <td>${r.name}</td><td class="case">${String(r.detail?.case ?? '')}</td><td>${r.shape.join('×')}</td>
          <td>${formatMs(r.ms)}</td><td class="spread">${spreadText(r)}</td><td>${samplesText(r)}</td>
          <td>${fmt(r.gflops)}</td><td>${fmt(r.gbps)}</td><td>${fmt(r.pctPeak, 0)}</td><td>${typeof r.detail?.vsTfjs === 'number' ? `${r.detail.vsTfjs.toFixed(1)}×` : ''}</td>
          <td class=${r.ok || r.detail?.skipped ? 'check' : 'check wrong'}>${checkText(r)}</td>
          <td class="note">${r.noisy ? `noisy: ${r.noisyReason}` : ''}</td>
        </tr>`,
      )}
    </tbody>
  </table></div>`;
}

/** One line under the table when any result is noisy: how many, and what to do. */
export function noiseAdvice(results: readonly BenchResult[]) {
  const n = results.filter((r) => r.noisy).length;
  return n ? html`<p class="advice" role="note">${n} of ${results.length} results are marked noisy. ${NOISE_ADVICE}</p>` : nothing;
}

/** The bar and line of a run in progress, or how long the last one took. */
export function progressView(p: SuiteProgress | null) {
  if (!p) return nothing;
  const over = p.done >= p.total;
  return html`<div class="progress" role="status">
    <progress max=${p.total} .value=${p.done}></progress>
    <span class="progress-text">${over ? finishedLine(p.total, p.elapsedS) : progressLine(p)}</span>
  </div>`;
}
