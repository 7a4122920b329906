import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type uPlot from 'uplot';
import type { StepRecord } from '../../stats/record.ts';
import { chartStyles } from '../uplot/chart.styles.ts';
import { formatValue } from '../uplot/columns.ts';
import { WHOLE_INCRS, axisValues, logAxis, logScale, themedAxis, type ChartTheme } from '../uplot/theme.ts';
import { UPlotController, type ChartOptions } from '../uplot/uplot-chart.ts';
import { depthAxis, depthSeries, isDepthStatistic, profileSeries, type DepthSeries, type DepthStatistic, type ProfileAxis, type ProfileOverlay } from './depth-data.ts';
import { depthChartStyles } from './gs-depth-chart.styles.ts';
import { residualAxis } from './residual-data.ts';
import { timeAxis } from './time-data.ts';
import type { RowLabel } from '../../model/graph/row-names.ts';

/**
 * What x is: the layers (a per-layer statistic), a recurrent net's time steps (‖∂L/∂h_t‖ of one layer), or a
 * residual net's blocks (the residual split's ‖B‖/‖S‖).
 */
export type ChartAxis = 'depth' | 'time' | 'residual';

/**
 * One per-layer statistic against depth (x = block 0 at the input … the head) for the newest step,
 * over a dim "ghost" line of the first step pushed after `clear()`. Log y for norms and ratios,
 * linear 0–1 for the saturated and dead fractions. Draws at most once per animation frame.
 * `axis = 'time'` draws a recurrent layer's ‖∂L/∂h_t‖ against t instead (x = the first input … the last;
 * `layer` picks the stacked layer; `statistic` does not apply), the same way; `axis = 'residual'` draws the
 * residual split's ‖B‖/‖S‖ per residual block (`rows` then names the blocks).
 *
 * Reflects `data-points` (layers, or time steps, drawn in the newest line's x) and an `aria-label` with the values.
 *
 * @cssproperty --gs-chart-a - colour of the newest line; the ghost is the same colour, dimmed
 * @cssproperty --gs-chart-grid - grid and tick colour
 * @cssproperty --gs-chart-text - axis, legend and label colour
 * @cssproperty --gs-chart-warn - colour of the note about values that could not be drawn
 * @cssproperty --gs-chart-height - height when none is set on the element (default 260px)
 * @cssproperty --gs-chart-font-size - axis text size in px (at least 13; default 14)
 * @cssproperty --gs-chart-line-width - line width in px (at least 2; default 2.5)
 */
@customElement('gs-depth-chart')
export class GsDepthChart extends LitElement {
  static override styles = [...chartStyles, depthChartStyles];

  /** Which per-layer array of the StepRecord to draw. */
  @property({ reflect: true }) statistic: DepthStatistic = 'gradNorm';
  /** The rows' names, input side first; without them rows are numbered blocks and the head. */
  @property({ attribute: false }) rows: readonly RowLabel[] | null = null;
  @property({ reflect: true }) axis: ChartAxis = 'depth';
  /** axis 'time': the recurrent layer drawn (0 = the input side; clamped to the record's layers). */
  @property({ type: Number }) layer = 0;
  /** axis 'time': the stacked layers, so the words name the layer only when there are several. */
  @property({ type: Number }) layers = 1;
  /** axis 'depth': a dotted line over the newest one (the gradient after clipping, mean-field theory's prediction). */
  @property({ attribute: false }) overlay: ProfileOverlay | null = null;

  @state() private series: DepthSeries = depthSeries(null, null, 'gradNorm');
  @state() private hovered: number | null = null;

  private first: StepRecord | null = null;
  private latest: StepRecord | null = null;
  private latestB: StepRecord | null = null;

  private readonly chart = new UPlotController(this, () => this.renderRoot.querySelector<HTMLElement>('.plot'), {
    options: (t) => this.options(t),
    data: () => {
      const s = (this.series = profileSeries(this.spec, this.first, this.latest, this.latestB));
      return [s.x, s.latest, s.ghost, s.b, s.overlay];
    },
    drawn: () => {
      this.setAttribute('aria-label', this.spec.describe(this.series));
      this.dataset['points'] = String(this.series.x.length);
    },
    hover: (idx) => {
      this.hovered = idx;
    },
  });

  /**
   * Keeps the record as run A's newest (the first after a clear also becomes the ghost), or in compare
   * mode as run B's newest, drawn dashed; draws next frame.
   */
  push(record: StepRecord, run: 'A' | 'B' = 'A'): void {
    if (run === 'B') this.latestB = record;
    else {
      this.first ??= record;
      this.latest = record;
    }
    this.chart.invalidate();
  }

  /** Reads the theme's CSS custom properties again (colours, font size) and redraws with them. */
  restyle(): void {
    this.chart.rebuild();
  }

  /** Forgets every line; the next push becomes the new ghost. */
  clear(): void {
    this.first = null;
    this.latest = null;
    this.latestB = null;
    this.chart.invalidate();
  }

  private get stat(): DepthStatistic {
    return isDepthStatistic(this.statistic) ? this.statistic : 'gradNorm';
  }

  private spec: ProfileAxis = depthAxis('gradNorm', null);

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('role')) this.setAttribute('role', 'img');
    this.dataset['points'] ??= '0';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const inputs = ['statistic', 'rows', 'axis', 'layer', 'layers', 'overlay'] as const;
    if (!inputs.some((k) => changed.has(k))) return;
    this.spec = this.axis === 'time' ? timeAxis(this.layer, this.layers) : this.axis === 'residual' ? residualAxis(this.rows) : depthAxis(this.stat, this.rows, this.overlay);
    // The y scale (log or 0–1), its axis and label all change: rebuilding beats patching uPlot's axes.
    this.chart.rebuild();
  }

  private options(t: ChartTheme): ChartOptions {
    const spec = this.spec;
    const y: uPlot.Scale = spec.log ? logScale : { range: [0, 1] };
    return {
      legend: { show: false },
      cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 10 } },
      scales: { x: { time: false, range: (_u, _min, max) => [0, Math.max(1, max ?? 1)] }, y },
      axes: [
        themedAxis(t, {
          side: 2,
          label: spec.xLabel,
          incrs: WHOLE_INCRS,
          splits: (_u, _i, _min, max, incr) => spec.splits(max, incr),
          values: (_u, splits) => splits.map((v) => spec.tick(v, this.series.depth)),
        }),
        spec.log ? logAxis(t, { side: 3, label: spec.quantity }) : themedAxis(t, { side: 3, label: spec.quantity, values: axisValues }),
      ],
      series: [
        {},
        { label: 'newest', stroke: t.a, width: t.lineWidth },
        { label: 'first', stroke: t.a, width: t.lineWidth, alpha: 0.35, points: { show: false } },
        { label: 'run B', stroke: t.b, width: t.lineWidth, dash: [10, 6] },
        { label: spec.overlay?.label ?? 'overlay', stroke: t.acc, width: t.lineWidth, dash: [2, 5], points: { show: false } },
      ],
    };
  }

  private readout(): string {
    const i = this.hovered;
    const s = this.series;
    if (i === null || i < 0 || i > s.depth) return '';
    const ghost = s.ghostStep !== null && s.ghostStep !== s.latestStep ? ` (step ${s.ghostStep}: ${formatValue(s.raw.ghost[i])})` : '';
    const b = s.bStep !== null ? ` · B ${formatValue(s.raw.b[i])}` : '';
    const o = this.spec.overlay && s.raw.overlay.length ? ` · ${this.spec.overlay.label} ${formatValue(s.raw.overlay[i])}` : '';
    return `${this.spec.name(i, s.depth)}: ${s.bStep !== null ? 'A ' : ''}${formatValue(s.raw.latest[i])}${ghost}${b}${o}`;
  }

  override render() {
    const s = this.series;
    const note = this.spec.note(s.hidden);
    const readout = this.readout();
    return html`<div class="frame">
      <div class="head" aria-hidden="true">
        ${s.latestStep === null
          ? html`<span class="key">${this.spec.quantity}</span>`
          : html`<span class="key"><span class="swatch a"></span>${s.bStep !== null ? 'run A, ' : ''}step ${s.latestStep}</span>
              ${s.bStep !== null ? html`<span class="key"><span class="swatch b dashed"></span>run B, step ${s.bStep}</span>` : nothing}
              ${s.ghostStep !== null && s.ghostStep !== s.latestStep
                ? html`<span class="key"><span class="swatch a ghost"></span>step ${s.ghostStep} (first)</span>`
                : nothing}
              ${this.spec.overlay && s.raw.overlay.length ? html`<span class="key" data-overlay><span class="swatch acc dotted"></span>${this.spec.overlay.label}</span>` : nothing}`}
      </div>
      <div class="area">
        <div class="plot"></div>
        ${s.latestStep === null ? html`<div class="empty">No steps yet</div>` : nothing}
        ${readout ? html`<div class="readout" aria-hidden="true">${readout}</div>` : nothing}
      </div>
      ${note ? html`<p class="note">⚠ ${note}</p>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gs-depth-chart': GsDepthChart;
  }
}
