import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { saveCheckpoint } from '../../io/checkpoint.ts';
import type { Diagnosis, PhaseTimes, StepRecord } from '../../stats/record.ts';
import type { EvalResult } from '../../train/eval.ts';
import { download } from '../export.ts';
import type { RunAction, SetDetail } from '../gs-controls/gs-controls.ts';
import '../gs-boundary/gs-boundary.ts';
import type { GsBoundary } from '../gs-boundary/gs-boundary.ts';
import '../gs-controls/gs-controls.ts';
import '../gs-depth-chart/gs-depth-chart.ts';
import type { GsDepthChart } from '../gs-depth-chart/gs-depth-chart.ts';
import '../gs-diagnosis/gs-diagnosis.ts';
import '../gs-heatmap/gs-heatmap.ts';
import type { GsHeatmap } from '../gs-heatmap/gs-heatmap.ts';
import '../gs-lessons/gs-lessons.ts';
import '../gs-loss-chart/gs-loss-chart.ts';
import type { GsLossChart } from '../gs-loss-chart/gs-loss-chart.ts';
import type { RunId } from '../session/run-controller.ts';
import { AppRuns } from './app-runs.ts';
import { bannersTemplate, headerTemplate, phaseLine } from './app-chrome.ts';
import { appStyles } from './gs-app.styles.ts';

import { RunLog } from './run-log.ts';

type Statistic = 'gradNorm' | 'deltaNorm' | 'updateRatio' | 'actStd' | 'saturated' | 'dead';
const STATISTICS: Statistic[] = ['gradNorm', 'deltaNorm', 'updateRatio', 'actStd', 'saturated', 'dead'];

/**
 * The playground: the run's settings live in the URL hash, training runs on the GPU through the session
 * (AppRuns and its RunController), and the views receive records. `data-step` (last step drawn) and
 * `data-status` (idle | running | paused | done | diverged | error) let scripts follow along.
 */
@customElement('gs-app')
export class GsApp extends LitElement {
  static override styles = appStyles;

  @state() private statistic: Statistic = 'gradNorm';
  @state() private diagnosis: Diagnosis[] = [];
  @state() private step = 0;
  @state() private fixedRange = false;
  @state() private phases: PhaseTimes | null = null;
  @query('gs-heatmap[data-run="A"]') private heatA!: GsHeatmap;
  @query('gs-heatmap[data-run="B"]') private heatB?: GsHeatmap;
  @query('gs-heatmap[data-run="ratio"]') private heatRatio?: GsHeatmap;
  @query('gs-depth-chart') private depth!: GsDepthChart;
  @query('gs-loss-chart') private lossChart!: GsLossChart;
  @query('gs-boundary') private boundaryView?: GsBoundary;
  @state() private boundaryPoints: { x: Float32Array; y: Uint32Array } | null = null;

  private readonly log = new RunLog();
  private lastDiagnosis = 0;
  private linkedB: GsHeatmap | undefined;
  private readonly runs = new AppRuns(this, {
    record: (run, r, stride) => this.onRecord(run, r, stride),
    test: (run, step, r) => this.onTest(run, step, r),
    rebuilt: () => this.clearViews(),
    boundary: (d) => {
      if (this.boundaryView) this.boundaryView.boundary = d;
    },
  });

  protected override updated(_changed: PropertyValues): void {
    // Compare mode: runs A and B share one colour scale, so equal colours mean equal values.
    if (this.heatB && this.heatB !== this.linkedB) this.heatA.linkScale(this.heatB);
    this.linkedB = this.heatB;
    const page = this.runs.page;
    if (page) {
      this.dataset.depth = String(page.config.model.depth);
      this.dataset.compare = String(!!page.compare);
      this.dataset.tuned = String(!!this.runs.controller?.tuned);
      this.dataset.messages = String(this.runs.notes.length);
    }
  }

  private clearViews(): void {
    const data = this.runs.controller?.data;
    this.boundaryPoints = data && data.inputDim === 2 && data.task === 'classification' ? { x: data.train.x, y: data.train.y as Uint32Array } : null;
    this.log.clear();
    this.step = 0;
    this.dataset.step = '0';
    this.diagnosis = [];
    for (const h of [this.heatA, this.heatB, this.heatRatio]) h?.clear();
    this.depth?.clear();
    this.lossChart?.clear();
  }

  private onRecord(run: RunId, r: StepRecord, stride: number): void {
    this.log.add(run, r, stride);
    (run === 'A' ? this.heatA : this.heatB)?.push(r);
    this.lossChart?.push(r, run);
    if (run === 'A') {
      // Only a sample of logged steps is timed: keep showing the newest timing.
      this.phases = r.phaseMs ?? this.phases;
      this.depth?.push(r);
      this.step = r.step;
      this.dataset.step = String(r.step);
    }
    const other = this.log.last(run === 'A' ? 'B' : 'A');
    if (this.heatRatio && other?.step === r.step) this.heatRatio.pushRatio(run === 'A' ? r : other, run === 'A' ? other : r);
    if (r.nonFinite) {
      const d = this.runs.controller?.trainer(run)?.divergence;
      if (d) (run === 'A' ? this.heatA : this.heatB)?.markDivergence(d.step, d.layer ?? r.gradNorm.length - 1);
    }
    if (run === 'A' && performance.now() - this.lastDiagnosis > 1000) this.updateDiagnosis();
  }

  private onTest(run: RunId, step: number, r: EvalResult): void {
    if (run === 'A') this.lossChart?.pushTest(step, r.loss, r.accuracy);
  }

  private updateDiagnosis(): void {
    if (!this.runs.page) return;
    this.lastDiagnosis = performance.now();
    this.diagnosis = this.log.diagnose(this.runs.page.config);
  }

  private exportLog(): void {
    const { page, gpu } = this.runs;
    if (page && gpu) download('gradscope-run.jsonl', this.log.jsonl(page.config, gpu.adapter), 'application/x-ndjson');
  }

  private async exportWeights(): Promise<void> {
    const t = this.runs.controller?.trainer('A');
    if (t && this.runs.page) download('gradscope-weights.safetensors', (await saveCheckpoint(t.net, this.runs.page.config)).slice(), 'application/octet-stream');
  }

  private async exportPng(): Promise<void> {
    download('gradscope-heatmap.png', await this.heatA.toPNG(), 'image/png');
  }

  override render() {
    const r = this.runs;
    if (r.fatal) return html`<div class="fatal"><h1>gradscope needs WebGPU</h1><p>${r.fatal}</p></div>`;
    const page = r.page;
    const compare = !!page?.compare;
    return html`
      ${headerTemplate({
        status: r.status,
        step: this.step,
        adapter: r.gpu?.adapter,
        onPlayPause: () => r.togglePlay(),
        onExport: (kind) => void (kind === 'jsonl' ? this.exportLog() : kind === 'png' ? this.exportPng() : this.exportWeights()),
      })}
      ${bannersTemplate({
        notes: r.notes,
        error: r.status === 'error',
        canRestart: r.status === 'error' && !r.controller,
        onRestart: () => void r.restart(),
        onDismiss: (field) => r.dismiss(field),
      })}
      <div class="layout">
        <aside>
          ${page
            ? html`<gs-controls .config=${page.config} .status=${r.status} .speed=${r.speed}
                @gs-set=${(e: CustomEvent<SetDetail>) => r.edit(`${e.detail.path}=${e.detail.value}`)}
                @gs-action=${(e: CustomEvent<RunAction>) => r.act(e.detail)} @gs-speed=${(e: CustomEvent<number>) => r.setSpeed(e.detail)}
                @gs-csv=${(e: CustomEvent<{ file: File }>) => void r.uploadCsv(e.detail.file)}></gs-controls>`
            : nothing}
          <h2>Lessons</h2>
          <gs-lessons .active=${page?.preset ?? null} @gs-lesson=${(e: CustomEvent<string>) => r.lesson(e.detail)}></gs-lessons>
        </aside>
        <main>
          <section class="panel">
            <div class="toolbar">
              <label>Statistic <select @change=${(e: Event) => (this.statistic = (e.target as HTMLSelectElement).value as Statistic)}>
                ${STATISTICS.map((s) => html`<option ?selected=${s === this.statistic}>${s}</option>`)}</select></label>
              <label title="Keep the colour scale where it is instead of following the last 200 steps">
                <input type="checkbox" .checked=${this.fixedRange} @change=${(e: Event) => (this.fixedRange = (e.target as HTMLInputElement).checked)} />
                Fix colour range</label>
              ${compare ? html`<button @click=${() => r.stopComparing()}>Stop comparing</button>` : nothing}
              ${this.phases ? phaseLine(this.phases) : nothing}
            </div>
            <div class="maps ${compare ? 'compare' : ''}">
              <figure><figcaption>${compare ? 'Run A' : 'Layers × steps'}</figcaption>
                <gs-heatmap data-run="A" .statistic=${this.statistic} ?fixed-range=${this.fixedRange}></gs-heatmap></figure>
              ${compare
                ? html`<figure><figcaption>Run B</figcaption><gs-heatmap data-run="B" .statistic=${this.statistic} ?fixed-range=${this.fixedRange}></gs-heatmap></figure>
                    <figure><figcaption>log₁₀ B / A</figcaption><gs-heatmap data-run="ratio" mode="ratio" .statistic=${this.statistic} ?fixed-range=${this.fixedRange}></gs-heatmap></figure>`
                : nothing}
            </div>
          </section>
          <section class="charts">
            <div class="panel"><h2>Across depth, newest step</h2><gs-depth-chart .statistic=${this.statistic}></gs-depth-chart></div>
            <div class="panel"><h2>Loss and test accuracy</h2><gs-loss-chart></gs-loss-chart></div>
          </section>
          <section class="${this.boundaryPoints ? 'charts' : ''}">
            <div class="panel"><h2>Diagnosis</h2><gs-diagnosis .items=${this.diagnosis} @gs-apply-fix=${(e: CustomEvent<Diagnosis>) => r.applyFix(e.detail)}></gs-diagnosis></div>
            ${this.boundaryPoints
              ? html`<div class="panel"><h2>Decision boundary${compare ? ' (run A)' : ''}</h2><gs-boundary .points=${this.boundaryPoints}></gs-boundary></div>`
              : nothing}
          </section>
        </main>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gs-app': GsApp;
  }
}
