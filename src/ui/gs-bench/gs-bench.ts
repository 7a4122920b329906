import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import uPlot from 'uplot';
import type { BenchReport, BenchResult } from '../../bench/result.ts';
import { blockShapes, tuneMatmul } from '../../bench/autotune.ts';
import { benchCustomMatmul, checkCustomKernel } from '../../bench/custom-kernel.ts';
import { saveTuning } from '../tuning-store.ts';
import { runSuite, withPeak } from '../../bench/suite.ts';
import { browserDevice } from '../../gpu/browser-gpu.ts';
import { KernelContext } from '../../gpu/context.ts';
import type { Gpu } from '../../gpu/device.ts';
import { download } from '../export.ts';
import { chartStyles } from '../uplot/chart.styles.ts';
import { themedAxis } from '../uplot/theme.ts';
import { UPlotController } from '../uplot/uplot-chart.ts';

declare const __GRADSCOPE_VERSION__: string;
declare const __GRADSCOPE_COMMIT__: string;

/**
 * The benchmark suite in the browser: the same cases as `gradscope bench`, each checked against the
 * float64 reference before it is timed, as a table, a bar chart of GFLOP/s or GB/s, and JSON.
 * `data-status` is idle | running | done | error; `data-results` counts results.
 */
@customElement('gs-bench')
export class GsBench extends LitElement {
  static override styles = [
    ...chartStyles,
    css`
      :host { display: block; height: auto; font: 15px/1.45 system-ui, sans-serif; color: #e8eaed; }
      .bar { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: center; margin-bottom: 0.8rem; }
      input { font: inherit; background: #0f1318; color: inherit; border: 1px solid #3a4350; border-radius: 5px; padding: 0.25rem 0.4rem; min-width: 18rem; }
      button { font: inherit; padding: 0.35rem 0.8rem; border-radius: 6px; border: 1px solid #2f6fdf; background: #2f6fdf; color: #fff; cursor: pointer; }
      button.secondary { background: #1b2129; border-color: #3a4350; }
      .area { height: 280px; margin: 0.5rem 0 1rem; }
      details { margin-bottom: 0.6rem; }
      summary { cursor: pointer; color: #c7ced8; }
      textarea { width: 100%; box-sizing: border-box; font: 13px/1.4 ui-monospace, monospace; background: #0f1318; color: inherit; border: 1px solid #3a4350; border-radius: 6px; padding: 0.5rem; }
      table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 14px; }
      th, td { text-align: right; padding: 0.2rem 0.6rem; border-bottom: 1px solid #232a33; }
      th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
      td.wrong { color: #ff8a80; font-weight: 600; }
      .adapter { color: #8a94a3; }
    `,
  ];

  /** Which cases to run (a regular expression over ids such as `matmul/vec4 512`). */
  @property() filter = 'matmul/(vec4|reg) (512|fwd-b128-w128)|activation/(gelu|relu)-forward|peak/';
  /** A WGSL matmul following the contract of src/bench/custom-kernel.ts; empty to run only the suite. */
  @property({ attribute: false }) kernel = '';
  /** Widths (batch 128) whose hidden-block matmuls Tune tries. */
  @property({ attribute: false }) tuneWidths = [32, 64, 128, 256];
  @state() private tuning: Record<string, string> | null = null;
  @state() private results: BenchResult[] = [];
  @state() private status: 'idle' | 'running' | 'done' | 'error' = 'idle';
  @state() private message = '';
  private gpu: Gpu | null = null;
  private readonly chart = new UPlotController(this, () => this.renderRoot.querySelector<HTMLElement>('.plot'), {
    options: (t) => ({
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(max, 1e-9) * 1.1] } },
      axes: [
        themedAxis(t, { values: (_u, splits) => splits.map((i) => this.label(i)), rotate: 0 }),
        themedAxis(t, { label: 'GFLOP/s · GB/s' }),
      ],
      series: [{}, { label: 'throughput', fill: t.a, stroke: t.a, paths: uPlot.paths.bars!({ size: [0.7, 60] }), points: { show: false } }],
      legend: { show: false },
    }),
    data: () => {
      const ok = this.results.filter((r) => r.ok);
      return [ok.map((_, i) => i), ok.map((r) => r.gflops ?? r.gbps ?? 0)];
    },
  });

  private label(i: number): string {
    const r = this.results.filter((x) => x.ok)[i];
    return r && Number.isInteger(i) ? `${r.name.split('/')[1]} ${String(r.detail?.case ?? '')}`.trim() : '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.dataset.status = 'idle';
    if (new URLSearchParams(location.search).get('run') === '1') void this.run();
  }

  async run(): Promise<void> {
    let filter: RegExp;
    try {
      filter = new RegExp(this.filter);
    } catch {
      this.message = `The filter must be a regular expression (got ${JSON.stringify(this.filter)}).`;
      return;
    }
    this.setStatus('running');
    this.results = [];
    this.message = '';
    try {
      this.gpu ??= await browserDevice();
      const add = (r: BenchResult): void => {
        this.results = [...this.results, r];
        this.dataset.results = String(this.results.length);
        this.chart.rebuild();
      };
      if (this.kernel.trim()) checkCustomKernel(this.kernel, 'your kernel'); // contract errors before anything runs
      const ctx = new KernelContext(this.gpu);
      // The suite's final list carries each matmul's ratio to TF.js (detail.vsTfjs) when the peer ran.
      this.results = await runSuite(ctx, filter, add);
      if (this.kernel.trim()) for (const n of [256, 512]) add(withPeak(await benchCustomMatmul(ctx, this.kernel, 'your kernel', n), this.results));
      this.setStatus('done');
    } catch (e) {
      this.message = e instanceof Error ? e.message : String(e);
      this.setStatus('error');
    }
  }

  /** Pick the fastest correct tiling per block shape on this adapter; the playground uses it from then on. */
  async tune(): Promise<void> {
    this.setStatus('running');
    this.message = '';
    try {
      this.gpu ??= await browserDevice();
      const shapes = this.tuneWidths.flatMap((w) => blockShapes(128, w));
      this.tuning = await tuneMatmul(new KernelContext(this.gpu), shapes);
      saveTuning(this.gpu.adapter, this.tuning);
      this.setStatus('done');
    } catch (e) {
      this.message = e instanceof Error ? e.message : String(e);
      this.setStatus('error');
    }
  }

  private setStatus(s: GsBench['status']): void {
    this.status = s;
    this.dataset.status = s;
  }

  private report(): BenchReport {
    const adapter = this.gpu?.adapter ?? { vendor: '', architecture: '', device: '', description: '' };
    return { adapter, version: __GRADSCOPE_VERSION__, commit: __GRADSCOPE_COMMIT__, date: new Date().toISOString(), results: this.results };
  }

  override render() {
    const a = this.gpu?.adapter;
    const fmt = (x: number | undefined, d = 2) => (x === undefined ? '' : x.toFixed(d));
    return html`
      <div class="bar">
        <input aria-label="filter" .value=${this.filter} @change=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)} />
        <button @click=${() => this.run()} ?disabled=${this.status === 'running'}>Run</button>
        <button class="secondary" @click=${() => this.tune()} ?disabled=${this.status === 'running'}
          title="Find the fastest matmul tiling per shape on this GPU; the playground uses it">Tune</button>
        <button class="secondary" ?disabled=${!this.results.length}
          @click=${() => download('gradscope-bench.json', JSON.stringify(this.report(), null, 2), 'application/json')}>Export JSON</button>
        <span class="adapter">${a ? `${a.vendor} ${a.architecture} ${a.description}` : ''} ${this.status === 'running' ? '· running…' : ''}</span>
      </div>
      <details ?open=${!!this.kernel}>
        <summary>Your own matmul (WGSL)</summary>
        <p class="adapter">C = A·B, row-major f32. Bindings: 0 <code>a</code> and 1 <code>b</code> read-only storage, 2 <code>c</code>
          read-write storage, 3 <code>params</code> uniform {M, N, K}; entry point <code>main</code>; overrides <code>TILE_M</code> and
          <code>TILE_N</code> (elements of C per workgroup). It is verified against the reference, then timed at 256 and 512.</p>
        <textarea aria-label="your kernel" rows="12" .value=${this.kernel} @change=${(e: Event) => (this.kernel = (e.target as HTMLTextAreaElement).value)}></textarea>
      </details>
      ${this.message ? html`<p role="alert">${this.message}</p>` : nothing}
      ${this.tuning
        ? html`<p class="tuned">Tuned for this adapter (the playground now uses it):
            ${Object.entries(this.tuning).map(([shape, t]) => html`<code>${shape} → ${t}</code> `)}</p>`
        : nothing}
      <div class="area"><div class="plot"></div></div>
      <table>
        <thead><tr><th>name</th><th>case</th><th>shape</th><th>ms</th><th>GFLOP/s</th><th>GB/s</th><th>% peak</th><th>× TF.js</th><th>check</th></tr></thead>
        <tbody>
          ${this.results.map(
            (r) => html`<tr>
              <td>${r.name}</td><td>${String(r.detail?.case ?? '')}</td><td>${r.shape.join('×')}</td>
              <td>${fmt(r.ms)}</td><td>${fmt(r.gflops)}</td><td>${fmt(r.gbps)}</td><td>${fmt(r.pctPeak, 0)}</td><td>${typeof r.detail?.vsTfjs === 'number' ? `${r.detail.vsTfjs.toFixed(1)}×` : ''}</td>
              <td class=${r.ok || r.detail?.skipped ? '' : 'wrong'}>${r.detail?.skipped ? `skipped: ${String(r.detail.skipped)}` : r.ok ? `ok ${r.maxRelErr.toExponential(1)}` : `WRONG ${r.maxRelErr.toExponential(2)}`}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gs-bench': GsBench;
  }
}
