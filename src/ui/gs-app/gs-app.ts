import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { browserDevice } from '../../gpu/browser-gpu.ts';
import type { Gpu } from '../../gpu/device.ts';
import { BROWSER_HINT, GpuUnavailableError } from '../../gpu/errors.ts';
import { saveCheckpoint } from '../../io/checkpoint.ts';
import { presetRuns, presetByName } from '../../model/presets.ts';
import { applyAssignments } from '../../model/set-path.ts';
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
import { RunController, type PageStatus, type RunId } from '../session/run-controller.ts';
import { applyEdit } from '../state/edit.ts';
import { parseHash, toHash, type PageState } from '../state/url-state.ts';
import { bannersTemplate, headerTemplate, phaseLine } from './app-chrome.ts';
import { appStyles } from './gs-app.styles.ts';

import { RunLog } from './run-log.ts';

type Statistic = 'gradNorm' | 'deltaNorm' | 'updateRatio' | 'actStd' | 'saturated' | 'dead';
const STATISTICS: Statistic[] = ['gradNorm', 'deltaNorm', 'updateRatio', 'actStd', 'saturated', 'dead'];

/**
 * The playground: the run's settings live in the URL hash, training runs on the GPU through a
 * RunController, and the views receive records. `data-step` (last step drawn) and `data-status`
 * (idle | running | paused | diverged | error) let scripts follow along.
 */
@customElement('gs-app')
export class GsApp extends LitElement {
  static override styles = appStyles;

  @state() private page: PageState | null = null;
  @state() private status: PageStatus = 'idle';
  @state() private messages: string[] = [];
  @state() private fatal: string | null = null;
  @state() private statistic: Statistic = 'gradNorm';
  @state() private diagnosis: Diagnosis[] = [];
  @state() private speed = 4;
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

  private gpu: Gpu | null = null;
  private controller: RunController | null = null;
  private readonly log = new RunLog();
  private csv: string | undefined;
  private lastDiagnosis = 0;
  private linkedB: GsHeatmap | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.dataset.status = 'idle';
    window.addEventListener('hashchange', this.onHash);
    window.addEventListener('keydown', this.onKey);
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
    window.removeEventListener('keydown', this.onKey);
    this.controller?.destroy();
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('status')) this.dataset.status = this.status;
    // Compare mode: runs A and B share one colour scale, so equal colours mean equal values.
    if (this.heatB && this.heatB !== this.linkedB) this.heatA.linkScale(this.heatB);
    this.linkedB = this.heatB;
    if (this.page) {
      this.dataset.depth = String(this.page.config.model.depth);
      this.dataset.compare = String(!!this.page.compare);
      this.dataset.tuned = String(!!this.controller?.tuned);
      this.dataset.messages = String(this.messages.length);
    }
  }

  private async start(): Promise<void> {
    // The settings are known before the device is: a lesson or an edit made while WebGPU starts is kept.
    if (!this.page) {
      const { state, errors } = parseHash(location.hash);
      this.page = state;
      this.messages = errors;
    }
    try {
      this.gpu = await browserDevice();
    } catch (e) {
      this.fatal = e instanceof GpuUnavailableError ? e.message : `${BROWSER_HINT} (${String(e)})`;
      this.setStatus('error');
      return;
    }
    const gpu = this.gpu;
    void gpu.lost.then((info) => {
      if (this.gpu !== gpu || info.reason === 'destroyed') return;
      this.controller = null;
      this.fatal = null;
      this.messages = [`The GPU device was lost (${info.message || 'no reason given'}). Your settings are kept: restart to continue.`];
      this.setStatus('error');
    });
    this.controller = new RunController(gpu, {
      record: (run, r) => this.onRecord(run, r),
      test: (run, step, r) => this.onTest(run, step, r),
      status: (s, detail) => {
        this.setStatus(s);
        if (detail) this.messages = [...this.messages, detail];
      },
      rebuilt: () => this.clearViews(),
      boundary: (d) => {
        if (this.boundaryView) this.boundaryView.boundary = d;
      },
    });
    await this.updateComplete;
    await this.rebuild();
    this.dataset.ready = 'true';
    if (this.page?.play) this.controller.play();
  }

  private setStatus(s: PageStatus): void {
    this.status = s;
    this.dataset.status = s;
  }

  private async rebuild(): Promise<void> {
    if (!this.controller || !this.page) return;
    try {
      await this.controller.load(this.page.config, this.page.compare, this.csv);
    } catch (e) {
      this.messages = [...this.messages, e instanceof Error ? e.message : String(e)];
    }
    this.writeHash();
  }

  private writeHash(): void {
    if (!this.page) return;
    const hash = toHash({ ...this.page, play: false });
    if (hash !== location.hash) history.replaceState(null, '', hash || location.pathname + location.search);
  }

  private clearViews(): void {
    const data = this.controller?.data;
    this.boundaryPoints = data && data.inputDim === 2 && data.task === 'classification' ? { x: data.train.x, y: data.train.y as Uint32Array } : null;
    this.log.clear();
    this.step = 0;
    this.dataset.step = '0';
    this.diagnosis = [];
    for (const h of [this.heatA, this.heatB, this.heatRatio]) h?.clear();
    this.depth?.clear();
    this.lossChart?.clear();
  }

  private onRecord(run: RunId, r: StepRecord): void {
    this.log.add(run, r);
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
      const d = this.controller?.trainer(run)?.divergence;
      if (d) (run === 'A' ? this.heatA : this.heatB)?.markDivergence(d.step, d.layer ?? r.gradNorm.length - 1);
    }
    if (run === 'A' && performance.now() - this.lastDiagnosis > 1000) this.updateDiagnosis();
  }

  private onTest(run: RunId, step: number, r: EvalResult): void {
    if (run === 'A') this.lossChart?.pushTest(step, r.loss, r.accuracy);
  }

  private updateDiagnosis(): void {
    if (!this.page) return;
    this.lastDiagnosis = performance.now();
    this.diagnosis = this.log.diagnose(this.page.config);
  }

  private onSet = (e: CustomEvent<SetDetail>): void => this.edit(e.detail.path, e.detail.value);

  /** One `path=value` edit: refused with its message, applied in place, or rebuilding the nets. */
  private edit(path: string, value: string): void {
    if (!this.page) return;
    const r = applyEdit(this.page, path, value);
    if (!r.ok) {
      this.messages = [...this.messages, r.error];
      return;
    }
    this.page = r.state;
    if (r.rebuild) void this.rebuild();
    else {
      this.controller?.setHyper(r.state.config, r.state.compare);
      this.writeHash();
    }
  }

  private onAction = (e: CustomEvent<RunAction>): void => this.act(e.detail);

  private act(action: RunAction): void {
    const c = this.controller;
    if (!c) return void (this.status === 'error' && this.restart());
    if (action === 'play') c.play();
    else if (action === 'pause') c.pause();
    else if (action === 'step') c.stepOnce();
    else c.reset();
  }

  private togglePlay(): void {
    this.act(this.status === 'running' ? 'pause' : 'play');
  }

  private onKey = (e: KeyboardEvent): void => {
    const target = e.composedPath()[0] as HTMLElement | undefined;
    if (target && ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) return;
    if (!this.controller) return;
    if (e.key === ' ') {
      e.preventDefault();
      this.togglePlay();
    } else if (e.key === 'ArrowRight') this.act('step');
    else if (e.key === 'r' || e.key === 'R') this.act('reset');
  };

  private onHash = (): void => {
    const { state, errors } = parseHash(location.hash);
    this.messages = errors;
    this.page = state;
    void this.rebuild().then(() => state.play && this.controller?.play());
  };

  private onLesson = (e: CustomEvent<string>): void => {
    const runs = presetRuns(presetByName(e.detail));
    this.page = { config: runs.a, compare: runs.b, preset: e.detail, play: false };
    this.messages = [];
    void this.rebuild();
  };

  private onApplyFix = (e: CustomEvent<Diagnosis>): void => {
    if (!this.page) return;
    const patch = Object.entries(e.detail.patch).map(([k, v]) => `${k}=${v}`);
    try {
      this.page = { ...this.page, compare: applyAssignments(this.page.config, patch) };
      void this.rebuild().then(() => this.controller?.play());
    } catch (err) {
      this.messages = [...this.messages, err instanceof Error ? err.message : String(err)];
    }
  };

  private async restart(): Promise<void> {
    this.messages = [];
    this.gpu = null;
    await this.start();
  }

  private exportLog(): void {
    if (this.page && this.gpu) download('gradscope-run.jsonl', this.log.jsonl(this.page.config, this.gpu.adapter), 'application/x-ndjson');
  }

  private async exportWeights(): Promise<void> {
    const t = this.controller?.trainer('A');
    if (t && this.page) download('gradscope-weights.safetensors', (await saveCheckpoint(t.net, this.page.config)).slice(), 'application/octet-stream');
  }

  private async exportPng(): Promise<void> {
    download('gradscope-heatmap.png', await this.heatA.toPNG(), 'image/png');
  }

  override render() {
    if (this.fatal) return html`<div class="fatal"><h1>gradscope needs WebGPU</h1><p>${this.fatal}</p></div>`;
    const compare = !!this.page?.compare;
    return html`
      ${headerTemplate({
        status: this.status,
        step: this.step,
        adapter: this.gpu?.adapter,
        onPlayPause: () => this.togglePlay(),
        onExport: (kind) => void (kind === 'jsonl' ? this.exportLog() : kind === 'png' ? this.exportPng() : this.exportWeights()),
      })}
      ${bannersTemplate({
        messages: this.messages,
        error: this.status === 'error',
        canRestart: this.status === 'error' && !this.controller,
        onRestart: () => void this.restart(),
        onDismiss: (i) => (this.messages = this.messages.filter((_, j) => j !== i)),
      })}
      <div class="layout">
        <aside>
          ${this.page
            ? html`<gs-controls .config=${this.page.config} .status=${this.status} .speed=${this.speed} @gs-set=${this.onSet}
                @gs-action=${this.onAction} @gs-speed=${(e: CustomEvent<number>) => {
                  this.speed = e.detail;
                  if (this.controller) this.controller.stepsPerFrame = e.detail;
                }} @gs-csv=${(e: CustomEvent<{ text: string }>) => {
                  this.csv = e.detail.text;
                  this.edit('data.name', 'csv');
                }}></gs-controls>`
            : nothing}
          <h2>Lessons</h2>
          <gs-lessons .active=${this.page?.preset ?? null} @gs-lesson=${this.onLesson}></gs-lessons>
        </aside>
        <main>
          <section class="panel">
            <div class="toolbar">
              <label>Statistic <select @change=${(e: Event) => (this.statistic = (e.target as HTMLSelectElement).value as Statistic)}>
                ${STATISTICS.map((s) => html`<option ?selected=${s === this.statistic}>${s}</option>`)}</select></label>
              <label title="Keep the colour scale where it is instead of following the last 200 steps">
                <input type="checkbox" .checked=${this.fixedRange} @change=${(e: Event) => (this.fixedRange = (e.target as HTMLInputElement).checked)} />
                Fix colour range</label>
              ${compare ? html`<button @click=${() => this.page && ((this.page = { ...this.page, compare: null }), this.rebuild())}>Stop comparing</button>` : nothing}
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
            <div class="panel"><h2>Diagnosis</h2><gs-diagnosis .items=${this.diagnosis} @gs-apply-fix=${this.onApplyFix}></gs-diagnosis></div>
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
