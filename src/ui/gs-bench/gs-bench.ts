import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { BenchReport, BenchResult } from '../../bench/result.ts';
import { blockShapes, tuneMatmul } from '../../bench/autotune.ts';
import { checkCustomKernel, customMatmulEntry } from '../../bench/custom-kernel.ts';
import type { SuiteProgress } from '../../bench/progress.ts';
import { saveTuning } from '../tuning-store.ts';
import { planSuite, runSuite } from '../../bench/suite.ts';
import { browserEngine, type Engine } from '../../train/engine.ts';
import { download } from '../export.ts';
import { chartStyles } from '../uplot/chart.styles.ts';
import { UPlotController } from '../uplot/uplot-chart.ts';
import { barChartSpec, bars, chartHeight, METRICS, type Metric } from './bench-charts.ts';
import { noiseAdvice, progressView, resultsTable } from './bench-table.ts';
import { benchStyles } from './gs-bench.styles.ts';

declare const __GRADSCOPE_VERSION__: string;
declare const __GRADSCOPE_COMMIT__: string;

const CHARTS: readonly Metric[] = ['gflops', 'gbps'];

/**
 * The benchmark suite in the browser: the same cases as `gradscope bench`, each checked against the
 * float64 reference before it is timed, as a table (median, fastest–slowest, samples, noise marks), two bar
 * charts (GFLOP/s and GB/s, each against its peak), a progress bar with the time left, and JSON.
 * `data-status` is idle | running | done | error; `data-results` counts results; `data-progress` is
 * `done/total` cases of the current or last run.
 */
@customElement('gs-bench')
export class GsBench extends LitElement {
  static override styles = [...chartStyles, benchStyles];

  /** Which cases to run (a regular expression over ids such as `matmul/vec4 512`). */
  @property() filter = 'matmul/(vec4|reg) (512|fwd-b128-w128)|activation/(gelu|relu)-forward|peak/';
  /** A WGSL matmul following the contract of src/bench/custom-kernel.ts; empty to run only the suite. */
  @property({ attribute: false }) kernel = '';
  /** Widths (batch 128) whose hidden-block matmuls Tune tries. */
  @property({ attribute: false }) tuneWidths = [32, 64, 128, 256];
  /** The results shown: a run's, or a saved report's set here. */
  @property({ attribute: false }) results: BenchResult[] = [];
  @state() private tuning: Record<string, string> | null = null;
  @state() private status: 'idle' | 'running' | 'done' | 'error' = 'idle';
  @state() private message = '';
  @state() private progress: SuiteProgress | null = null;
  private engine: Engine | null = null;
  private readonly charts = CHARTS.map(
    (m) => new UPlotController(this, () => this.renderRoot.querySelector<HTMLElement>(`.chart.${m} .plot`), barChartSpec(m, () => bars(this.results, m))),
  );

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
    this.progress = null;
    try {
      this.engine ??= await browserEngine();
      const kernel = this.kernel.trim() ? this.kernel : '';
      if (kernel) checkCustomKernel(kernel, 'your kernel'); // contract errors before anything runs
      const extra = kernel ? [256, 512].map((n) => customMatmulEntry(kernel, 'your kernel', n)) : [];
      const add = (r: BenchResult): void => {
        this.results = [...this.results, r];
        this.dataset.results = String(this.results.length);
      };
      const onProgress = (p: SuiteProgress): void => {
        this.progress = p;
        this.dataset.progress = `${p.done}/${p.total}`;
      };
      // The suite's final list carries each matmul's ratio to TF.js (detail.vsTfjs) when the peer ran.
      this.results = await runSuite(this.engine.ctx, planSuite({ filter, extra }), { onResult: add, onProgress });
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
      this.engine ??= await browserEngine();
      const shapes = this.tuneWidths.flatMap((w) => blockShapes(128, w));
      this.tuning = await tuneMatmul(this.engine.ctx, shapes);
      saveTuning(this.engine.adapter, this.tuning);
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
    const adapter = this.engine?.adapter ?? { vendor: '', architecture: '', device: '', description: '' };
    return { adapter, version: __GRADSCOPE_VERSION__, commit: __GRADSCOPE_COMMIT__, date: new Date().toISOString(), results: this.results };
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    // The charts' rows, range and height follow the results: rebuild rather than only setData.
    if (changed.has('results')) for (const c of this.charts) c.rebuild();
  }

  override render() {
    const a = this.engine?.adapter;
    return html`
      <div class="bar">
        <input aria-label="filter" .value=${this.filter} @change=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)} />
        <button @click=${() => this.run()} ?disabled=${this.status === 'running'}>Run</button>
        <button class="secondary" @click=${() => this.tune()} ?disabled=${this.status === 'running'}
          title="Find the fastest matmul tiling per shape on this GPU; the playground uses it">Tune</button>
        <button class="secondary" ?disabled=${!this.results.length}
          @click=${() => download('gradscope-bench.json', JSON.stringify(this.report(), null, 2), 'application/json')}>Export JSON</button>
        <span class="adapter">${a ? `${a.vendor} ${a.architecture} ${a.description}` : ''}</span>
      </div>
      ${progressView(this.progress)}
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
      ${this.chartsView()}
      ${noiseAdvice(this.results)}
      ${resultsTable(this.results)}
    `;
  }

  /** GFLOP/s and GB/s side by side, each only when the run has results of that kind; until then, what to do. */
  private chartsView() {
    const shown = CHARTS.map((m) => ({ m, n: bars(this.results, m).length })).filter((c) => c.n > 0);
    if (!shown.length) {
      const text = this.status === 'running' ? 'The first results appear here as soon as they are measured.' : 'No results yet: run the suite (Run, above) to see GFLOP/s and GB/s here.';
      return html`<p class="empty-state">${text}</p>`;
    }
    return html`<div class="charts">
      ${shown.map(
        ({ m, n }) => html`<section class="chart ${m}" data-bars=${n}>
          <h3>${METRICS[m].title}</h3>
          <div class="keys"><span><i class="swatch peak"></i>peak</span><span><i class="swatch plain"></i>result</span><span><i class="swatch noisy"></i>noisy</span></div>
          <div class="area" style="height: ${chartHeight(n)}px"><div class="plot" role="img" aria-label="${METRICS[m].unit} of ${n} results"></div></div>
        </section>`,
      )}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gs-bench': GsBench;
  }
}
