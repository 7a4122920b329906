import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { saveCheckpoint } from '../../io/checkpoint.ts';
import { residualLabels, rowLabels, type RowLabel } from '../../model/graph/row-names.ts';
import type { RunConfig } from '../../model/config.ts';
import { presetByName } from '../../model/presets.ts';
import { LAYER_STATISTICS, STATISTIC_WORDS, type LayerStatistic } from '../../stats/layer-statistics.ts';
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
import { composePng } from '../gs-heatmap/export-png.ts';
import '../gs-heatmap/gs-heatmap.ts';
import type { GsHeatmap } from '../gs-heatmap/gs-heatmap.ts';
import '../gs-images/gs-images.ts';
import type { GsImages } from '../gs-images/gs-images.ts';
import { isImageClassification, type ImageDataset } from '../gs-images/test-images.ts';
import '../gs-lessons/gs-lessons.ts';
import '../gs-loss-chart/gs-loss-chart.ts';
import type { GsLossChart } from '../gs-loss-chart/gs-loss-chart.ts';
import type { RunId } from '../session/run-controller.ts';
import { AppRuns } from './app-runs.ts';
import { bannersTemplate, compareWords, headerTemplate, lessonBar, phaseLine, settingsLines } from './app-chrome.ts';
import { appStyles } from './gs-app.styles.ts';
import { RunLog } from './run-log.ts';
import { AFTER_CLIPPING, clipPanel } from './clip-views.ts';
import { heatmapNote } from './heat-note.ts';
import { TheoryView } from './theory-views.ts';
import type { GsClipChart } from '../gs-clip-chart/gs-clip-chart.ts';
import '../gs-layer-time/gs-layer-time.ts';
import '../gs-phase/gs-phase.ts';
import type { GsLayerTime } from '../gs-layer-time/gs-layer-time.ts';
import { hasResidualBlocks, residualChartPanel, residualMaps } from './residual-views.ts';
import { isRecurrent, recurrentLayers, timeChartPanel, timeMaps } from './time-views.ts';

/** The views whose rows are not layers: a recurrent net's time steps, a residual net's blocks. */
type RowViews = 'time' | 'residual';

type Statistic = LayerStatistic;

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
  @state() private clip: StepRecord | null = null;
  /** Words for what the heatmap cannot say in colour (most rows exactly 0 or not finite), refreshed with the diagnosis. */
  @state() private heatNote: string | null = null;
  @query('gs-heatmap[data-run="A"]') private heatA!: GsHeatmap;
  @query('gs-heatmap[data-run="B"]') private heatB?: GsHeatmap;
  @query('gs-heatmap[data-run="ratio"]') private heatRatio?: GsHeatmap;
  @query('gs-depth-chart') private depth!: GsDepthChart;
  @query('gs-loss-chart') private lossChart!: GsLossChart;
  @query('gs-clip-chart') private clipChart?: GsClipChart;
  @query('gs-layer-time') private layerTime?: GsLayerTime;
  @query('gs-boundary[data-run="A"]') private boundaryView?: GsBoundary;
  @query('gs-boundary[data-run="B"]') private boundaryViewB?: GsBoundary;
  @state() private diagnosisB: Diagnosis[] = [];
  @state() private boundaryPoints: { x: Float32Array; y: Uint32Array } | null = null;
  /** Each run's data when it is image classification: its test images and confusion matrix take the boundary's place. */
  @state() private imageSets: Partial<Record<RunId, ImageDataset>> = {};
  /** The stacked layer the across-time chart draws; null: the top one. */
  @state() private timeLayer: number | null = null;

  private readonly log = new RunLog();
  private readonly theory = new TheoryView();
  private lastDiagnosis = 0;
  private linkedB: GsHeatmap | undefined;
  private readonly linkedRowsB: Partial<Record<RowViews, GsHeatmap | undefined>> = {};
  private readonly runs = new AppRuns(this, {
    record: (run, r, stride) => this.onRecord(run, r, stride),
    test: (run, step, r) => this.onTest(run, step, r),
    rebuilt: () => this.clearViews(),
    boundary: (run, d) => {
      const view = run === 'A' ? this.boundaryView : this.boundaryViewB;
      if (view) view.boundary = d;
    },
  });

  protected override updated(_changed: PropertyValues): void {
    // Compare mode: runs A and B share one colour scale, so equal colours mean equal values.
    if (this.heatB && this.heatB !== this.linkedB) this.heatA.linkScale(this.heatB);
    this.linkedB = this.heatB;
    for (const kind of ['time', 'residual'] as const) {
      const v = this.rowViews(kind);
      if (v.A && v.B && v.B !== this.linkedRowsB[kind]) v.A.linkScale(v.B);
      this.linkedRowsB[kind] = v.B;
    }
    const page = this.runs.page;
    if (page) {
      this.dataset.depth = String(page.config.model.depth);
      this.dataset.compare = String(!!page.compare);
      this.dataset.tuned = String(!!this.runs.controller?.tuned);
      this.dataset.messages = String(this.runs.notes.length);
      if (this.hasAttribute('present') !== !!page.present) {
        this.toggleAttribute('present', !!page.present);
        // Canvas charts read their type size from CSS once: give them the presenter's.
        this.depth?.restyle();
        this.lossChart?.restyle();
      }
    }
  }

  private clearViews(): void {
    const data = this.runs.controller?.data;
    this.boundaryPoints = data && !data.bytes && data.inputDim === 2 && data.task === 'classification' ? { x: data.train.x, y: data.train.y as Uint32Array } : null;
    const imageSets: Partial<Record<RunId, ImageDataset>> = {};
    for (const run of ['A', 'B'] as const) {
      const d = this.runs.controller?.trainer(run)?.data;
      if (d && isImageClassification(d)) imageSets[run] = d;
      this.imagesView(run)?.clear();
    }
    this.imageSets = imageSets;
    this.log.clear();
    this.step = 0;
    this.dataset.step = '0';
    this.diagnosis = [];
    this.diagnosisB = [];
    this.clip = null;
    this.heatNote = null;
    for (const h of [this.heatA, this.heatB, this.heatRatio]) h?.clear();
    this.depth?.clear();
    for (const kind of ['time', 'residual'] as const) {
      const v = this.rowViews(kind);
      for (const view of [v.A, v.B, v.ratio, v.chart]) view?.clear();
    }
    this.lossChart?.clear();
    this.clipChart?.clear();
    this.layerTime?.clear();
  }

  private onRecord(run: RunId, r: StepRecord, stride: number): void {
    this.log.add(run, r, stride);
    (run === 'A' ? this.heatA : this.heatB)?.push(r);
    const rowViews = (['time', 'residual'] as const).map((kind) => this.rowViews(kind));
    for (const v of rowViews) {
      v[run]?.push(r);
      v.chart?.push(r, run);
    }
    this.lossChart?.push(r, run);
    if (run === 'B') this.depth?.push(r, 'B');
    if (run === 'A') {
      // Only a sample of logged steps is timed: keep showing the newest timing.
      this.phases = r.phaseMs ?? this.phases;
      this.depth?.push(r);
      this.clipChart?.push(r);
      this.layerTime?.push(r);
      this.clip = r;
      this.step = r.step;
      this.dataset.step = String(r.step);
    }
    const other = this.log.last(run === 'A' ? 'B' : 'A');
    if (other?.step === r.step) {
      const [a, b] = run === 'A' ? [r, other] : [other, r];
      this.heatRatio?.pushRatio(a, b);
      for (const v of rowViews) v.ratio?.pushRatio(a, b);
    }
    if (r.nonFinite) {
      const d = this.runs.controller?.trainer(run)?.divergence;
      if (d) (run === 'A' ? this.heatA : this.heatB)?.markDivergence(d.step, d.layer ?? r.gradNorm.length - 1);
      if (d) for (const v of rowViews) v[run]?.markDivergence(d.step, null);
    }
    if (run === 'A' && performance.now() - this.lastDiagnosis > 1000) this.updateDiagnosis();
  }

  private onTest(run: RunId, step: number, r: EvalResult): void {
    this.lossChart?.pushTest(step, r.loss, r.accuracy, run);
    const view = this.imagesView(run);
    if (view && r.predictions) view.evaluation = { step, predictions: r.predictions };
  }

  /**
   * The depth chart's dotted line for the statistic shown: the gradient after clipping when run A clips, and mean-field
   * theory's prediction of the backward signal and the activations' spread for a plain MLP.
   */
  private overlayFor(config: RunConfig | undefined) {
    this.theory.update(config, this.runs.controller?.data);
    if (this.statistic === 'gradNorm' && config && config.train.clip.mode !== 'none') return AFTER_CLIPPING;
    return this.theory.overlay(this.statistic);
  }

  /** Runs A, B, B / A and the chart of the time or residual views, where the page shows them. */
  private rowViews(kind: RowViews): { A: GsHeatmap | undefined; B: GsHeatmap | undefined; ratio: GsHeatmap | undefined; chart: GsDepthChart | undefined } {
    const map = (run: string) => this.renderRoot.querySelector<GsHeatmap>(`gs-heatmap[data-${kind}="${run}"]`) ?? undefined;
    const chart = this.renderRoot.querySelector<GsDepthChart>(`gs-depth-chart[axis="${kind}"]`) ?? undefined;
    return { A: map('A'), B: map('B'), ratio: map('ratio'), chart };
  }

  private imagesView(run: RunId): GsImages | null {
    return this.renderRoot.querySelector(`gs-images[data-run="${run}"]`);
  }

  private updateDiagnosis(): void {
    const page = this.runs.page;
    if (!page) return;
    this.lastDiagnosis = performance.now();
    this.diagnosis = this.log.diagnose(page.config);
    this.refreshHeatNote();
    this.diagnosisB = page.compare ? this.log.diagnose(page.compare, 'B') : [];
  }

  private refreshHeatNote(): void {
    const last = this.log.last('A');
    this.heatNote = last ? heatmapNote(last, this.statistic, this.diagnosis) : null;
  }

  /** Run A's settings, or in compare mode run B's. */
  private configOf(run: RunId) {
    const page = this.runs.page;
    return run === 'B' ? page?.compare : page?.config;
  }

  /** Compare mode names each export by its run (gradscope-run-B.jsonl); a single run keeps the plain name. */
  private fileName(stem: string, run: RunId, ext: string): string {
    return this.runs.page?.compare ? `${stem}-${run}.${ext}` : `${stem}.${ext}`;
  }

  private exportLog(run: RunId): void {
    const config = this.configOf(run);
    const engine = this.runs.engine;
    if (config && engine) download(this.fileName('gradscope-run', run, 'jsonl'), this.log.jsonl(config, engine.adapter, run), 'application/x-ndjson');
  }

  private async exportWeights(run: RunId): Promise<void> {
    const t = this.runs.controller?.trainer(run);
    const config = this.configOf(run);
    if (t && config) download(this.fileName('gradscope-weights', run, 'safetensors'), (await saveCheckpoint(t.store, config)).slice(), 'application/octet-stream');
  }

  /** The layer, time or residual heatmap (in compare mode A, B and B/A side by side) at 2× under a title and the settings. */
  private async exportPng(rows: 'layers' | RowViews = 'layers'): Promise<void> {
    const page = this.runs.page;
    const v = rows === 'layers' ? null : this.rowViews(rows);
    const [a, b, ratio] = v ? [v.A, v.B, v.ratio] : [this.heatA, this.heatB, this.heatRatio];
    if (!page || !a) return;
    const lesson = page.preset ? presetByName(page.preset).title : 'gradscope';
    const what =
      rows === 'time'
        ? 'backward signal through time by time step and training step'
        : rows === 'residual'
          ? 'residual split, branch ÷ skip, by block and step'
          : `${STATISTIC_WORDS[this.statistic].name.toLowerCase()} by layer and step`;
    const panels = page.compare && b && ratio ? [a.pngPanel('Run A'), b.pngPanel('Run B'), ratio.pngPanel('log₁₀ B / A')] : [a.pngPanel(null)];
    const png = await composePng(panels, { title: `${lesson}: ${what}`, lines: settingsLines(page) });
    download(rows === 'layers' ? 'gradscope-heatmap.png' : `gradscope-${rows}-heatmap.png`, png, 'image/png');
  }

  private rowCache: { key: string; rows: RowLabel[] | null; blocks: RowLabel[] } = { key: '', rows: null, blocks: [] };

  /** A ResNet's rows by stage, block and conv (the MLP's stay numbered blocks and the head), and the residual blocks. */
  private rowsOf(config: RunConfig): { rows: RowLabel[] | null; blocks: RowLabel[] } {
    const m = config.model;
    const key = `${m.arch}/${m.depth}/${m.residual}`;
    if (this.rowCache.key !== key) this.rowCache = { key, rows: m.arch === 'mlp' ? null : rowLabels(m), blocks: m.arch === 'rnn' ? [] : residualLabels(m) };
    return this.rowCache;
  }

  private imagesPanel(run: RunId, compare: boolean) {
    const data = this.imageSets[run];
    if (!data) return nothing;
    return html`<div class="panel"><h2>Test images and confusion matrix${compare ? ` of run ${run}` : ''}</h2><gs-images data-run=${run} .data=${data}></gs-images></div>`;
  }

  override render() {
    const r = this.runs;
    if (r.fatal) return html`<div class="fatal"><h1>gradscope needs WebGPU</h1><p>${r.fatal}</p></div>`;
    const page = r.page;
    const compare = !!page?.compare;
    const { rows, blocks } = page ? this.rowsOf(page.config) : { rows: null, blocks: [] };
    const residual = hasResidualBlocks(page);
    const recurrent = isRecurrent(page);
    const layers = page && recurrent ? recurrentLayers(page) : 1;
    const timeLayer = Math.min(this.timeLayer ?? layers - 1, layers - 1);
    return html`
      ${headerTemplate({
        status: r.status,
        step: this.step,
        adapter: r.engine?.adapter,
        onPlayPause: () => r.togglePlay(),
        compare,
        present: !!page?.present,
        onPresent: () => r.setPresent(!page?.present),
        onExport: (kind, run) => void (kind === 'jsonl' ? this.exportLog(run) : kind === 'png' ? this.exportPng() : this.exportWeights(run)),
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
            ? html`<gs-controls .config=${page.config} .status=${r.status} .speed=${r.speed} .cifar10Files=${r.cifar10Files}
                @gs-set=${(e: CustomEvent<SetDetail>) => r.edit(`${e.detail.path}=${e.detail.value}`)}
                @gs-action=${(e: CustomEvent<RunAction>) => r.act(e.detail)} @gs-speed=${(e: CustomEvent<number>) => r.setSpeed(e.detail)}
                @gs-csv=${(e: CustomEvent<{ file: File }>) => void r.uploadCsv(e.detail.file)}
                @gs-cifar10=${(e: CustomEvent<{ files: File[] }>) => void r.pickCifar10(e.detail.files)}></gs-controls>`
            : nothing}
          <h2>Lessons</h2>
          <gs-lessons .active=${page?.preset ?? null} @gs-lesson=${(e: CustomEvent<string>) => r.lesson(e.detail)}></gs-lessons>
        </aside>
        <main>
          ${page?.preset ? lessonBar(page.preset) : nothing}
          <section class="panel maps-panel ${recurrent || residual ? 'row-views' : ''}">
            <div class="toolbar">
              <label title=${STATISTIC_WORDS[this.statistic].help}>Statistic <select data-statistic @change=${(e: Event) => {
                this.statistic = (e.target as HTMLSelectElement).value as Statistic;
                this.refreshHeatNote();
              }}>
                ${LAYER_STATISTICS.map((s) => html`<option value=${s} title=${STATISTIC_WORDS[s].help} ?selected=${s === this.statistic}>${STATISTIC_WORDS[s].name}</option>`)}</select></label>
              <label title="Keep the colour scale where it is instead of following the last 200 steps">
                <input type="checkbox" .checked=${this.fixedRange} @change=${(e: Event) => (this.fixedRange = (e.target as HTMLInputElement).checked)} />
                Fix colour range</label>
              ${compare ? html`<button @click=${() => r.stopComparing()}>Stop comparing</button>` : nothing}
              ${this.phases ? phaseLine(this.phases) : nothing}
              <span class="statistic-help" data-statistic-help>${STATISTIC_WORDS[this.statistic].help}</span>
            </div>
            ${this.heatNote ? html`<p class="heat-note" role="status" data-heat-note>${this.heatNote}</p>` : nothing}
            ${page?.compare ? html`<p class="compare-what" data-compare-what>${compareWords(page.config, page.compare)}</p>` : nothing}
            <div class="maps ${compare ? 'compare' : ''}">
              <figure><figcaption>${compare ? 'Run A' : 'Layers × steps, and the GPU time of each layer'}</figcaption>
                <div class=${compare ? '' : 'heat-with-time'}>
                  <gs-heatmap data-run="A" .statistic=${this.statistic} .labels=${rows?.map((l) => l.long) ?? null} ?fixed-range=${this.fixedRange}></gs-heatmap>
                  ${compare ? nothing : html`<gs-layer-time .labels=${rows?.map((l) => l.long) ?? null} waiting="No timed step yet: one logged step in ten is timed layer by layer where the adapter has timestamp queries"></gs-layer-time>`}
                </div></figure>
              ${compare
                ? html`<figure><figcaption>Run B</figcaption><gs-heatmap data-run="B" .statistic=${this.statistic} .labels=${rows?.map((l) => l.long) ?? null} ?fixed-range=${this.fixedRange}></gs-heatmap></figure>
                    <figure><figcaption>log₁₀ B / A</figcaption><gs-heatmap data-run="ratio" mode="ratio" .statistic=${this.statistic} .labels=${rows?.map((l) => l.long) ?? null} ?fixed-range=${this.fixedRange}></gs-heatmap></figure>`
                : nothing}
            </div>
            ${recurrent ? timeMaps({ compare, fixedRange: this.fixedRange, onPng: () => void this.exportPng('time') }) : nothing}
            ${residual ? residualMaps({ compare, fixedRange: this.fixedRange, blocks, onPng: () => void this.exportPng('residual') }) : nothing}
          </section>
          <section class="charts depth-loss ${recurrent || residual ? 'row-views' : ''}">
            <div class="panel"><h2>Across depth, newest step${compare ? ' (A solid, B dashed)' : ''}</h2><gs-depth-chart .statistic=${this.statistic} .rows=${rows} .overlay=${this.overlayFor(page?.config)}></gs-depth-chart>
              ${page ? this.theory.line(page.config.model.depth) : nothing}</div>
            ${recurrent ? timeChartPanel({ compare, layers, layer: timeLayer, onLayer: (k) => (this.timeLayer = k) }) : nothing}
            ${residual ? residualChartPanel({ compare, blocks }) : nothing}
            <div class="panel"><h2>Loss and accuracy${compare ? ' (A solid, B dashed)' : ''}</h2><gs-loss-chart></gs-loss-chart></div>
            ${page && page.config.train.clip.mode !== 'none' ? clipPanel({ config: page.config, latest: this.clip, compare, onTau: (v) => r.edit(`train.clip.max=${v}`) }) : nothing}
          </section>
          <section class="${this.boundaryPoints || this.imageSets.A || compare ? 'charts' : ''} findings">
            <div class="panel"><h2>Diagnosis${compare ? ' of run A' : ''}</h2><gs-diagnosis data-run="A" .items=${this.diagnosis} @gs-apply-fix=${(e: CustomEvent<Diagnosis>) => r.applyFix(e.detail)}></gs-diagnosis></div>
            ${compare ? html`<div class="panel"><h2>Diagnosis of run B</h2><gs-diagnosis data-run="B" .items=${this.diagnosisB} .fixable=${false}></gs-diagnosis></div>` : nothing}
            ${this.boundaryPoints
              ? html`<div class="panel"><h2>Decision boundary${compare ? ' of run A' : ''}</h2><gs-boundary data-run="A" .points=${this.boundaryPoints}></gs-boundary></div>
                  ${compare ? html`<div class="panel"><h2>Decision boundary of run B</h2><gs-boundary data-run="B" .points=${this.boundaryPoints}></gs-boundary></div>` : nothing}`
              : nothing}
            ${this.imagesPanel('A', compare)}${compare ? this.imagesPanel('B', compare) : nothing}
          </section>
          <section class="panel sweep-panel"><h2>Sweep: the trainability phase diagram</h2><gs-phase></gs-phase></section>
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
