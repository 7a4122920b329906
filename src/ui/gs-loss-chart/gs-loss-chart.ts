import { LitElement, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type uPlot from 'uplot';
import type { StepRecord } from '../../stats/record.ts';
import { chartStyles } from '../uplot/chart.styles.ts';
import { formatValue } from '../uplot/columns.ts';
import { fromExponent } from '../uplot/log-axis.ts';
import { WHOLE_INCRS, axisValues, logAxis, logScale, themedAxis, type ChartTheme } from '../uplot/theme.ts';
import { UPlotController, type ChartOptions } from '../uplot/uplot-chart.ts';
import { COL, LOG_COLUMN, LossTable, type Run } from './loss-data.ts';
import { lossChartStyles } from './gs-loss-chart.styles.ts';

/** Which series have data, for the legend. */
interface Present {
  accA: boolean;
  testLoss: boolean;
  testAcc: boolean;
  lossB: boolean;
  accB: boolean;
  testAccB: boolean;
}

const NONE: Present = { accA: false, testLoss: false, testAcc: false, lossB: false, accB: false, testAccB: false };

/**
 * Training loss per logged step (log y, left) and accuracy (0–1, right): the training batch's as a
 * line, the test set's as points. In compare mode, run B's loss is drawn dashed in a second colour and
 * its accuracies dashed (test accuracy as hollow points) in the accuracy colour.
 * Keeps at most 5,000 steps: when full, neighbouring steps merge (the whole run stays, evenly thinned,
 * and a non-finite loss is never thinned away). Draws at most once per animation frame.
 *
 * Reflects `data-points` (steps held) and an `aria-label` with the newest values.
 *
 * @cssproperty --gs-chart-a - run A's loss line and test-loss markers
 * @cssproperty --gs-chart-b - run B's (dashed) loss line
 * @cssproperty --gs-chart-acc - accuracy line and test-accuracy markers
 * @cssproperty --gs-chart-grid - grid and tick colour
 * @cssproperty --gs-chart-text - axis, legend and label colour
 * @cssproperty --gs-chart-bg - fill of hollow markers (match the page background; default #101418)
 * @cssproperty --gs-chart-warn - colour of the note about non-finite losses
 * @cssproperty --gs-chart-height - height when none is set on the element (default 260px)
 * @cssproperty --gs-chart-font-size - axis text size in px (at least 13; default 14)
 * @cssproperty --gs-chart-line-width - line width in px (at least 2; default 2.5)
 */
@customElement('gs-loss-chart')
export class GsLossChart extends LitElement {
  static override styles = [...chartStyles, lossChartStyles];

  @state() private present: Present = NONE;
  @state() private points = 0;
  @state() private gaps = 0;
  @state() private hovered: number | null = null;

  private readonly table = new LossTable();

  private readonly chart = new UPlotController(this, () => this.renderRoot.querySelector<HTMLElement>('.plot'), {
    options: (t) => this.options(t),
    data: () => this.table.columns(),
    drawn: () => this.drawn(),
    hover: (idx) => {
      this.hovered = idx;
    },
  });

  /** A logged training step of run A (default) or, in compare mode, run B (its loss only). */
  push(record: StepRecord, run: Run = 'A'): void {
    this.table.push(record, run);
    this.chart.invalidate();
  }

  /** A test-set evaluation (run B's: its accuracy only); accuracy is null for regression. */
  pushTest(step: number, loss: number, accuracy: number | null, run: Run = 'A'): void {
    this.table.pushTest(step, loss, accuracy, run);
    this.chart.invalidate();
  }

  /** Reads the theme's CSS custom properties again (colours, font size) and redraws with them. */
  restyle(): void {
    this.chart.rebuild();
  }

  /** Forgets one run's series, or (no argument) everything. */
  clear(run?: Run): void {
    this.table.clear(run);
    this.chart.invalidate();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('role')) this.setAttribute('role', 'img');
    this.dataset['points'] ??= '0';
  }

  private drawn(): void {
    const t = this.table;
    this.points = t.length;
    this.gaps = t.gaps;
    this.present = {
      accA: t.has('accA'),
      testLoss: t.has('testLoss'),
      testAcc: t.has('testAcc'),
      lossB: t.has('lossB'),
      accB: t.has('accB'),
      testAccB: t.has('testAccB'),
    };
    this.setAttribute('aria-label', t.describe());
    this.dataset['points'] = String(t.length);
  }

  private options(t: ChartTheme): ChartOptions {
    const line = (stroke: string, scale: string, extra: uPlot.Series = {}): uPlot.Series => ({
      stroke,
      scale,
      width: t.lineWidth,
      points: { show: false },
      ...extra,
    });
    const markers = (stroke: string, fill: string, scale: string): uPlot.Series => ({
      stroke,
      scale,
      paths: () => null,
      points: { show: true, size: 9, width: 2, stroke, fill },
    });
    return {
      legend: { show: false },
      cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 10 } },
      scales: { x: { time: false }, loss: logScale, acc: { range: [0, 1] } },
      axes: [
        themedAxis(t, { side: 2, label: 'step', incrs: WHOLE_INCRS, values: axisValues }),
        logAxis(t, { side: 3, scale: 'loss', label: 'loss' }),
        themedAxis(t, { side: 1, scale: 'acc', label: 'accuracy', values: axisValues, grid: { show: false } }),
      ],
      series: [
        {},
        line(t.a, 'loss', { label: 'loss' }),
        line(t.acc, 'acc', { label: 'train accuracy' }),
        { ...markers(t.a, t.bg, 'loss'), label: 'test loss' },
        { ...markers(t.acc, t.acc, 'acc'), label: 'test accuracy' },
        line(t.b, 'loss', { label: 'run B loss', dash: [10, 6] }),
        line(t.acc, 'acc', { label: 'run B train accuracy', dash: [10, 6] }),
        { ...markers(t.acc, t.bg, 'acc'), label: 'run B test accuracy' },
      ],
    };
  }

  private readout(): string {
    const i = this.hovered;
    const data = this.chart.instance?.data;
    if (i === null || !data) return '';
    const at = (col: number) => {
      const v = data[col + 1]?.[i];
      return typeof v === 'number' && LOG_COLUMN[col] ? fromExponent(v) : v;
    };
    const parts = [`step ${String(data[0]?.[i] ?? '—')}`];
    const say = (col: number, what: string) => {
      const v = at(col);
      if (v !== undefined) parts.push(`${what} ${formatValue(v)}`);
    };
    say(COL.lossA, 'loss');
    say(COL.accA, 'acc');
    say(COL.testLoss, 'test loss');
    say(COL.testAcc, 'test acc');
    say(COL.lossB, 'B loss');
    say(COL.accB, 'B acc');
    say(COL.testAccB, 'B test acc');
    return parts.join(' · ');
  }

  override render() {
    const p = this.present;
    const key = (swatch: string, label: string) => html`<span class="key"><span class="swatch ${swatch}"></span>${label}</span>`;
    const readout = this.readout();
    return html`<div class="frame">
      <div class="head" aria-hidden="true">
        ${key('a', p.lossB ? 'loss (A)' : 'loss')}
        ${p.accA ? key('acc', 'train acc') : nothing}
        ${p.testLoss ? key('a ring', 'test loss') : nothing}
        ${p.testAcc ? key('acc dot', 'test acc') : nothing}
        ${p.lossB ? key('b dashed', 'loss (B)') : nothing}
        ${p.accB ? key('acc dashed', 'train acc (B)') : nothing}
        ${p.testAccB ? key('acc ring', 'test acc (B)') : nothing}
      </div>
      <div class="area">
        <div class="plot"></div>
        ${this.points === 0 ? html`<div class="empty">No steps yet</div>` : nothing}
        ${readout ? html`<div class="readout" aria-hidden="true">${readout}</div>` : nothing}
      </div>
      ${this.gaps ? html`<p class="note">⚠ loss was non-finite (NaN/Inf) at ${this.gaps} logged step${this.gaps === 1 ? '' : 's'}: shown as gaps</p>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gs-loss-chart': GsLossChart;
  }
}
