import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { StepRecord } from '../../stats/record.ts';
import { STATISTICS, isStatistic, scaleKind, type HeatmapMode, type Range, type Statistic } from './color-scale.ts';
import { ratioRecord } from './compare.ts';
import { STATISTIC_WORDS } from '../../stats/layer-statistics.ts';
import { composePng, type PngHeader, type PngPanel } from './export-png.ts';
import { DEFAULT_MAX_COLUMNS } from './heatmap-buffer.ts';
import { HeatmapEngine, type EngineSettings, type HoverCell } from './heatmap-engine.ts';
import { heatmapStyles } from './gs-heatmap.styles.ts';
import { ariaSummary, rangeModeLabel, type LegendProps } from './legend.ts';
import { legendTemplate } from './legend-view.ts';
import { countColors } from './painter.ts';
import { rowGroups } from './row-groups.ts';
import { ScaleLink } from './scale-link.ts';
import { RESIDUAL_QUANTITY, RESIDUAL_STAT, residualRatioColumn, residualRatios } from './residual-rows.ts';
import { TIME_QUANTITY, TIME_STAT, TimeRowNames, timeColumn, timeRatioColumn, type TimeColumn } from './time-rows.ts';

export type { HeatmapMode, Range, Statistic } from './color-scale.ts';

/**
 * What the rows are: the layers (per-layer statistics), a recurrent net's time steps (‖∂L/∂h_t‖), or a residual
 * net's blocks (the residual split's ‖B‖/‖S‖).
 */
export type HeatmapRows = 'layers' | 'time' | 'residual';

/** {layer (index into the per-layer arrays; the last is the head), step, value (raw), label}. */
export type HeatmapHoverDetail = HoverCell;

/**
 * Layers (rows: input at the bottom, head at the top) × steps (columns, time flowing right), coloured
 * by log10 of one per-layer statistic (linearly for the fractions `saturated` and `dead`). Standalone:
 *
 * ```html
 * <gs-heatmap statistic="gradNorm"></gs-heatmap>
 * <script type="module">
 *   import './src/ui/gs-heatmap/gs-heatmap.ts';
 *   const el = document.querySelector('gs-heatmap');
 *   trainer.onRecord((record) => el.push(record)); // cheap: drawn on the next animation frame
 * </script>
 * ```
 *
 * Colour range: the 2nd–98th percentile of the last 200 steps, eased; `range` sets it, `fixed-range`
 * freezes it, `linkScale(other)` shares one between heatmaps. `mode = 'ratio'` compares run B with
 * run A (`pushRatio(a, b)`, i.e. push `ratioRecord(a, b)`): log10(B/A) for norms, B − A for
 * fractions, blue–white–red with white = equal; changing `mode` clears the history. Where layers
 * share a pixel row the largest value wins (farthest from equal in ratio mode), non-finite first.
 * `data-columns` = columns on screen, `data-rows` = rows held, `data-colors` = colours painted since the last
 * full repaint. `rows = 'time'` draws a recurrent net's ‖∂L/∂h_t‖ (timeDeltaNorm) instead of `statistic`: time
 * steps as rows (time-rows.ts), t = 0 at the bottom, a band per stacked layer, 0 in grey as "no gradient".
 * `rows = 'residual'` draws the residual split (residual-rows.ts): a row per residual block, the first at the
 * bottom, coloured by ‖B‖/‖S‖ of the gradient reaching its input through the branch and through the skip.
 *
 * @fires gs-hover - {layer, step, value, label}: the pointer moved onto another cell
 * @cssproperty --gs-heatmap-height - height of the element (default 260px)
 * @cssproperty --gs-heatmap-background - behind the plot before data arrives
 * @cssproperty --gs-text - text colour
 * @cssproperty --gs-muted - axis and note colour
 * @cssproperty --gs-border - plot and legend borders
 */
@customElement('gs-heatmap')
export class GsHeatmap extends LitElement {
  static override styles = heatmapStyles;

  @property({ reflect: true }) statistic: Statistic = 'gradNorm';
  @property({ reflect: true }) mode: HeatmapMode = 'value';
  /** An explicit colour range in display units (log10 of the value, or the fraction); null follows the data. */
  @property({ attribute: false }) range: Range | null = null;
  /** Freezes the colour range where it is now. */
  @property({ type: Boolean, reflect: true, attribute: 'fixed-range' }) fixedRange = false;
  @property({ type: Number, attribute: 'max-columns' }) maxColumns = DEFAULT_MAX_COLUMNS;
  /** Read-out names of the rows, input side first; rows are numbered blocks and the head without (time: `t = 5`). */
  @property({ attribute: false }) labels: readonly string[] | null = null;
  @property({ reflect: true }) rows: HeatmapRows = 'layers';

  @state() private shown: Range = { min: 0, max: 1 };
  @state() private steps: [number, number] | null = null;
  @state() private tip: { x: number; y: number; flipX: boolean; flipY: boolean; text: string } | null = null;
  private readonly timeNames = new TimeRowNames();

  @query('canvas') private canvas!: HTMLCanvasElement | null;
  @query('.plot') private plot!: HTMLElement | null;
  private readonly engine = new HeatmapEngine();
  private observer: ResizeObserver | null = null;
  private cssSize = { width: 0, height: 0 };
  private raf = 0;
  private lastHover = '';

  /** Stores one step and schedules a draw; never draws synchronously. */
  push(record: StepRecord): void {
    if (this.time) return this.pushTime(record.step, timeColumn(record));
    if (this.residual) return this.pushResidual(record.step, residualRatios(record));
    this.engine.push(record, this.maxColumns, this.settings().mode);
    this.schedule();
  }

  /** Compare mode: pushes ratioRecord(a, b) (B/A for norms, B − A for fractions; time: timeRatioColumn); use with mode 'ratio'. */
  pushRatio(a: StepRecord, b: StepRecord): void {
    if (this.time) this.pushTime(b.step, timeRatioColumn(a, b));
    else if (this.residual) this.pushResidual(b.step, residualRatioColumn(a, b));
    else this.push(ratioRecord(a, b));
  }

  private get time(): boolean {
    return this.rows === 'time';
  }

  private get residual(): boolean {
    return this.rows === 'residual';
  }

  private pushResidual(step: number, rows: Float32Array | null): void {
    if (!rows) return;
    this.engine.pushRows(step, RESIDUAL_STAT, rows, this.maxColumns, this.settings().mode);
    this.schedule();
  }

  private pushTime(step: number, c: TimeColumn | null): void {
    if (!c) return;
    if (this.timeNames.follow(c)) this.requestUpdate();
    this.engine.pushRows(step, TIME_STAT, c.rows, this.maxColumns, this.settings().mode);
    this.schedule();
  }

  clear(): void {
    this.engine.clear();
    this.tip = null;
    this.schedule();
  }

  /** Marks where a run went non-finite (layer null: the whole step) with a white-outlined cross. */
  markDivergence(step: number, layer: number | null = null): void {
    this.engine.markDivergence(step, layer);
    this.schedule();
  }

  /** Shares one colour scale (the union of both ranges) with `other` and whatever it is linked to. */
  linkScale(other: GsHeatmap): void {
    if (other === this) return;
    const link = this.engine.link ?? other.engine.link ?? new ScaleLink();
    for (const h of [this, other]) {
      if (h.engine.link && h.engine.link !== link) h.unlinkScale();
      h.engine.link = link;
      link.join(h.engine, () => h.schedule());
      h.schedule();
    }
  }

  unlinkScale(): void {
    this.engine.link?.leave(this.engine);
    this.engine.link = null;
    this.schedule();
  }

  /** The range the image is drawn with, in display units. */
  get drawnRange(): Range {
    return { ...this.shown };
  }

  /** Distinct colours on the canvas after drawing what is pending (sampled; for tests and sanity checks). */
  distinctColors(): number {
    if (this.raf) this.draw();
    const c = this.canvas;
    if (!c || c.width === 0 || c.height === 0) return 0;
    return countColors(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
  }

  /**
   * The plot with axis labels and the colour bar, as a PNG at `scale`× under `header` (by default the
   * statistic's name). Panels of several heatmaps: `composePng` with each one's `pngPanel()`.
   */
  toPNG(header?: PngHeader, scale = 2): Promise<Blob> {
    try {
      return composePng([this.pngPanel(null)], header ?? { title: STATISTIC_WORDS[this.stat].name, lines: [] }, scale);
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  /** What this heatmap contributes to an exported figure, after drawing anything pending. */
  pngPanel(caption: string | null): PngPanel {
    if (!this.canvas) throw new Error('gs-heatmap: a PNG needs the element connected and rendered first');
    if (this.raf) this.draw();
    return { plot: this.canvas, dpr: devicePixelRatio, props: this.legendProps(), steps: this.steps, caption, ...(this.rows !== 'layers' ? { ends: this.rowEnds() } : {}) };
  }

  private get stat(): Statistic {
    if (this.time) return TIME_STAT;
    if (this.residual) return RESIDUAL_STAT;
    return isStatistic(this.statistic) ? this.statistic : 'gradNorm';
  }

  private get rowNames(): readonly string[] | null {
    return this.labels ?? (this.time ? this.timeNames.labels : null);
  }

  private settings(): EngineSettings {
    const mode = this.mode === 'ratio' ? 'ratio' : 'value';
    const zero = this.time ? 'none' : 'floor';
    return { statistic: this.stat, mode, range: this.range, fixed: this.fixedRange, maxColumns: this.maxColumns, labels: this.rowNames, zero };
  }

  /** The y axis's top and bottom words. */
  private rowEnds(): readonly [string, string] {
    if (this.residual) return ['last block', 'first block'];
    return this.time ? this.timeNames.ends : ['head', 'input'];
  }

  private schedule(): void {
    if (this.raf === 0 && this.isConnected) this.raf = requestAnimationFrame(() => this.draw());
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.setAttribute('role', 'img');
    if (this.hasUpdated) this.observe();
    this.schedule();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
    this.observer = null;
    cancelAnimationFrame(this.raf);
    this.raf = 0;
    this.engine.link?.update(this.engine, null);
  }

  protected override firstUpdated(): void {
    this.observe();
  }

  private observe(): void {
    if (this.observer || !this.plot) return;
    this.observer = new ResizeObserver(([entry]) => {
      if (!entry) return;
      this.cssSize = { width: entry.contentRect.width, height: entry.contentRect.height };
      this.schedule();
    });
    this.observer.observe(this.plot);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('mode') && changed.get('mode') !== undefined) || (changed.has('rows') && changed.get('rows') !== undefined)) this.engine.clear();
    if (changed.has('statistic') && changed.get('statistic') !== undefined) this.engine.resetScale();
    if (changed.has('statistic') && !isStatistic(this.statistic)) console.warn(`gs-heatmap: statistic must be one of ${STATISTICS.join(', ')} (got "${this.statistic}"); showing gradNorm`);
  }

  protected override updated(changed: PropertyValues<this>): void {
    const quantity = this.quantity;
    this.setAttribute('aria-label', ariaSummary(this.stat, this.settings().mode, this.engine.data?.layers ?? 0, this.steps, quantity));
    const inputs = ['statistic', 'mode', 'range', 'fixedRange', 'maxColumns', 'rows'] as const;
    if (inputs.some((k) => changed.has(k))) this.schedule();
  }

  private draw(): void {
    cancelAnimationFrame(this.raf);
    this.raf = 0;
    const canvas = this.canvas;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const dpr = devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.cssSize.width * dpr));
    const h = Math.max(1, Math.round(this.cssSize.height * dpr));
    if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
    const r = this.engine.frame(ctx, w, h, dpr, this.settings());
    this.dataset['columns'] = String(r.columns);
    this.dataset['rows'] = String(this.engine.data?.total ? this.engine.data.layers : 0);
    this.dataset['colors'] = String(this.engine.colors);
    if (r.range.min !== this.shown.min || r.range.max !== this.shown.max) this.shown = r.range;
    const steps = this.engine.stepSpan();
    if (steps?.[0] !== this.steps?.[0] || steps?.[1] !== this.steps?.[1]) this.steps = steps;
    if (r.again) this.schedule();
  }

  private onMove(e: PointerEvent): void {
    const c = this.canvas;
    const rect = c?.getBoundingClientRect();
    if (!c || !rect || rect.width === 0 || rect.height === 0) return;
    const [x, y] = [e.clientX - rect.left, e.clientY - rect.top];
    const hit = this.engine.hover((x * c.width) / rect.width, (y * c.height) / rect.height, this.settings());
    if (!hit) return this.onLeave();
    this.tip = { x, y, flipX: x > rect.width / 2, flipY: y > rect.height / 2, text: hit.text };
    const key = `${hit.cell.layer}|${hit.cell.step}`;
    if (key === this.lastHover) return;
    this.lastHover = key;
    this.dispatchEvent(new CustomEvent<HeatmapHoverDetail>('gs-hover', { detail: hit.cell, bubbles: true, composed: true }));
  }

  private onLeave(): void {
    this.tip = null;
    this.lastHover = '';
  }

  private legendProps(): LegendProps {
    const { mode } = this.settings();
    const kind = scaleKind(this.stat);
    const source = this.range ? 'set' : this.fixedRange ? 'fixed' : 'follow';
    const props: LegendProps = { stat: this.stat, kind, mode, range: this.shown, rangeMode: rangeModeLabel(source, kind, mode, !!this.engine.link) };
    if (this.residual) return { ...props, quantity: RESIDUAL_QUANTITY };
    return this.time ? { ...props, quantity: TIME_QUANTITY, zero: 'none' } : props;
  }

  private get quantity(): string | undefined {
    return this.time ? TIME_QUANTITY : this.residual ? RESIDUAL_QUANTITY : undefined;
  }

  /** A ResNet's stages (a recurrent net's layers) as bands over the plot: a line where each begins, its name at the left. */
  private stageBands(): TemplateResult[] {
    const names = this.rowNames;
    const rows = names?.length ?? 0;
    return rowGroups(names).map(
      (g) => html`<div class="band" style=${`bottom:${(100 * g.start) / rows}%;height:${(100 * (g.end - g.start)) / rows}%`}><span>${g.name}</span></div>`,
    );
  }

  override render(): TemplateResult {
    const t = this.tip;
    const ends = this.rowEnds();
    const tipStyle = t
      ? `left:${t.x + (t.flipX ? -12 : 12)}px;top:${t.y + (t.flipY ? -12 : 12)}px;transform:translate(${t.flipX ? -100 : 0}%,${t.flipY ? -100 : 0}%)`
      : '';
    return html`<div class="wrap">
      <div class="axis-y"><span>${ends[0]}</span><span class="mid">${this.time ? 'time step' : this.residual ? 'residual block' : 'layer'}</span><span>${ends[1]}</span></div>
      <div class="plot">
        <canvas @pointermove=${this.onMove} @pointerleave=${this.onLeave}></canvas>
        ${this.stageBands()}
        ${t ? html`<div class="tip" style=${tipStyle}>${t.text}</div>` : nothing}
      </div>
      ${legendTemplate(this.legendProps())}
      <div class="axis-x">
        <span>${this.steps ? `step ${this.steps[0]}` : ''}</span><span>step →</span><span>${this.steps?.[1] ?? ''}</span>
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gs-heatmap': GsHeatmap;
  }
  interface HTMLElementEventMap {
    'gs-hover': CustomEvent<HeatmapHoverDetail>;
  }
}
