import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type uPlot from 'uplot';
import type { StepRecord } from '../../stats/record.ts';
import { chartStyles } from '../uplot/chart.styles.ts';
import { formatValue } from '../uplot/columns.ts';
import { fromExponent } from '../uplot/log-axis.ts';
import { WHOLE_INCRS, axisValues, logAxis, logScale, themedAxis, type ChartTheme } from '../uplot/theme.ts';
import { UPlotController, type ChartOptions } from '../uplot/uplot-chart.ts';
import { CLIP_COL, CLIP_LOG, ClipTable } from './clip-data.ts';

/**
 * Gradient clipping over a run, by logged step: the whole gradient's norm before clipping (solid) and after it
 * (the gradient the update applied), τ as a dashed line in norm mode, and on the right axis the clip scale, the
 * factor clipping multiplied the gradient by (value mode: the norm after over the norm before). Draws at most once
 * per animation frame; reflects `data-points` (steps held), `data-clipped` (steps that clipped) and an aria-label.
 *
 * @cssproperty --gs-chart-a - the norm before clipping
 * @cssproperty --gs-chart-b - the norm after clipping
 * @cssproperty --gs-chart-acc - the clip scale
 * @cssproperty --gs-chart-text - τ's line, axes and labels
 */
@customElement('gs-clip-chart')
export class GsClipChart extends LitElement {
  static override styles = [
    ...chartStyles,
    css`
      .swatch.text {
        color: var(--gs-chart-text, #c9d1d9);
      }
      .note.clip-count {
        color: var(--gs-chart-text, #c9d1d9);
      }
    `,
  ];

  /** What τ bounds: the whole gradient's norm, or each entry. */
  @property({ reflect: true }) mode: 'norm' | 'value' = 'norm';

  @state() private points = 0;
  @state() private hovered: number | null = null;
  private readonly table = new ClipTable();

  private readonly chart = new UPlotController(this, () => this.renderRoot.querySelector<HTMLElement>('.plot'), {
    options: (t) => this.options(t),
    data: () => this.table.columns(),
    drawn: () => {
      this.points = this.table.length;
      this.dataset['points'] = String(this.table.length);
      this.dataset['clipped'] = String(this.table.clippedSteps().clipped);
      this.setAttribute('aria-label', this.table.describe(this.mode));
    },
    hover: (idx) => {
      this.hovered = idx;
    },
  });

  /** A logged step of the run (records without clip statistics are ignored). */
  push(record: StepRecord): void {
    this.table.push(record, this.mode);
    this.chart.invalidate();
  }

  clear(): void {
    this.table.clear();
    this.chart.invalidate();
  }

  restyle(): void {
    this.chart.rebuild();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('role')) this.setAttribute('role', 'img');
    this.dataset['points'] ??= '0';
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('mode') && changed.get('mode') !== undefined) {
      this.table.clear();
      this.chart.rebuild();
    }
  }

  private options(t: ChartTheme): ChartOptions {
    const line = (stroke: string, scale: string, extra: uPlot.Series = {}): uPlot.Series => ({ stroke, scale, width: t.lineWidth, points: { show: false }, ...extra });
    return {
      legend: { show: false },
      cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 10 } },
      scales: { x: { time: false }, norm: logScale, scale: { range: [0, 1.05] } },
      axes: [
        themedAxis(t, { side: 2, label: 'step', incrs: WHOLE_INCRS, values: axisValues }),
        logAxis(t, { side: 3, scale: 'norm', label: 'gradient norm ‖g‖' }),
        themedAxis(t, { side: 1, scale: 'scale', label: 'clip scale', values: axisValues, grid: { show: false } }),
      ],
      series: [
        {},
        line(t.a, 'norm', { label: 'before clipping' }),
        line(t.b, 'norm', { label: 'after clipping' }),
        line(t.text, 'norm', { label: 'τ', dash: [6, 6], width: Math.max(1.5, t.lineWidth - 1) }),
        line(t.acc, 'scale', { label: 'clip scale', width: Math.max(1.5, t.lineWidth - 1) }),
      ],
    };
  }

  private readout(): string {
    const i = this.hovered;
    const data = this.chart.instance?.data;
    if (i === null || !data) return '';
    const at = (col: number) => {
      const v = data[col + 1]?.[i];
      return typeof v === 'number' && CLIP_LOG[col] ? fromExponent(v) : v;
    };
    const parts = [`step ${String(data[0]?.[i] ?? '—')}`, `before ${formatValue(at(CLIP_COL.before))}`, `after ${formatValue(at(CLIP_COL.after))}`];
    if (this.mode === 'norm') parts.push(`τ ${formatValue(at(CLIP_COL.tau))}`);
    parts.push(`scale ${formatValue(at(CLIP_COL.scale))}`);
    return parts.join(' · ');
  }

  override render() {
    const key = (swatch: string, label: string) => html`<span class="key"><span class="swatch ${swatch}"></span>${label}</span>`;
    const readout = this.readout();
    const { clipped, of } = this.table.clippedSteps();
    return html`<div class="frame">
      <div class="head" aria-hidden="true">
        ${key('a', '‖g‖ before')} ${key('b', '‖g‖ after')} ${this.mode === 'norm' ? key('text dashed', 'τ') : nothing} ${key('acc', 'clip scale (right)')}
      </div>
      <div class="area">
        <div class="plot"></div>
        ${this.points === 0 ? html`<div class="empty">No steps yet</div>` : nothing}
        ${readout ? html`<div class="readout" aria-hidden="true">${readout}</div>` : nothing}
      </div>
      ${of ? html`<p class="note clip-count">Clipped on ${clipped} of ${of} logged steps</p>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gs-clip-chart': GsClipChart;
  }
}
