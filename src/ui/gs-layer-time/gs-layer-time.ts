import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { StepRecord } from '../../stats/record.ts';
import { barScale, barWords, medianTimes, timeBars, timeCaption, type LayerMs, type TimeBar } from './layer-time-data.ts';

/** Timed steps the column takes the median of. */
const KEEP = 5;

/**
 * Where a step's GPU time goes, by layer: beside the heatmap, the same rows (input at the bottom, head at the top)
 * as horizontal bars of each row's forward and backward kernel time, the median over the newest five layer-timed
 * steps (StepRecord.layerMs; adapters with timestamp queries). Rows that share a pixel row add up. Reflects
 * `data-step` (the timed step drawn, or none) and `data-rows`.
 *
 * @cssproperty --gs-chart-a - the forward bars
 * @cssproperty --gs-chart-b - the backward bars
 */
@customElement('gs-layer-time')
export class GsLayerTime extends LitElement {
  static override styles = css`
    :host {
      display: block;
      height: var(--gs-heatmap-height, 260px);
      font: var(--gs-heatmap-font-size, 12px) / 1.3 system-ui, sans-serif;
      color: var(--gs-muted, #9aa4b1);
    }
    .wrap {
      display: grid;
      grid-template-rows: minmax(0, 1fr) auto;
      gap: 4px;
      height: 100%;
    }
    .plot {
      position: relative;
      min-height: 0;
      border: 1px solid var(--gs-border, #3a4350);
    }
    canvas {
      position: absolute;
      inset: 0;
      width: 100%;
      height: 100%;
    }
    .empty {
      position: absolute;
      inset: 0;
      display: grid;
      place-items: center;
      text-align: center;
      padding: 0 4px;
    }
    .tip {
      position: absolute;
      right: 100%;
      margin-right: 6px;
      white-space: nowrap;
      padding: 2px 6px;
      border-radius: 4px;
      background: var(--gs-tip-bg, rgb(16 20 24 / 0.92));
      color: var(--gs-text, #e8eaed);
      pointer-events: none;
      z-index: 1;
    }
    .foot {
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
  `;

  /** Row names, input side first (as the heatmap's labels). */
  @property({ attribute: false }) labels: readonly string[] | null = null;
  /** What the column says before the first timed step (e.g. that the adapter has no timestamps). */
  @property() waiting = 'No timed step yet';

  @state() private shown: { step: number; ms: LayerMs; steps: number } | null = null;
  private recent: LayerMs[] = [];
  @state() private tip: { y: number; text: string } | null = null;
  @query('canvas') private canvas!: HTMLCanvasElement | null;
  private bars: TimeBar[] = [];
  private raf = 0;
  private observer: ResizeObserver | null = null;

  /** Keeps the record's per-row times if it has them (a layer-timed step); draws next frame. */
  push(record: StepRecord): void {
    if (!record.layerMs) return;
    this.recent = [...this.recent, record.layerMs].slice(-KEEP);
    this.shown = { step: record.step, ms: medianTimes(this.recent)!, steps: this.recent.length };
  }

  clear(): void {
    this.shown = null;
    this.recent = [];
    this.tip = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.setAttribute('role', 'img');
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
    this.observer = null;
    cancelAnimationFrame(this.raf);
    this.raf = 0;
  }

  protected override firstUpdated(): void {
    const plot = this.renderRoot.querySelector('.plot');
    if (plot) {
      this.observer = new ResizeObserver(() => this.schedule());
      this.observer.observe(plot);
    }
  }

  protected override updated(_changed: PropertyValues<this>): void {
    this.dataset['step'] = this.shown ? String(this.shown.step) : '';
    this.dataset['rows'] = String(this.shown?.ms.forward.length ?? 0);
    const s = this.shown;
    this.setAttribute('aria-label', s ? `GPU time by layer, median of ${s.steps} timed step${s.steps === 1 ? '' : 's'} to ${timeCaption(s.step, s.ms)}` : `GPU time by layer: ${this.waiting}`);
    this.schedule();
  }

  private schedule(): void {
    if (this.raf === 0 && this.isConnected) this.raf = requestAnimationFrame(() => this.draw());
  }

  private draw(): void {
    this.raf = 0;
    const c = this.canvas;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const dpr = devicePixelRatio || 1;
    const rect = c.getBoundingClientRect();
    const [w, h] = [Math.max(1, Math.round(rect.width * dpr)), Math.max(1, Math.round(rect.height * dpr))];
    if (c.width !== w || c.height !== h) [c.width, c.height] = [w, h];
    ctx.clearRect(0, 0, w, h);
    if (!this.shown) return;
    this.bars = timeBars(this.shown.ms, h);
    const scale = barScale(this.bars);
    const style = getComputedStyle(this);
    const fwd = style.getPropertyValue('--gs-chart-a').trim() || '#4fa3ff';
    const bwd = style.getPropertyValue('--gs-chart-b').trim() || '#ff9f43';
    const rowH = h / this.bars.length;
    this.bars.forEach((b, i) => {
      const y = h - (i + 1) * rowH;
      const f = (w * b.forward) / scale;
      const k = (w * b.backward) / scale;
      ctx.fillStyle = fwd;
      ctx.fillRect(0, y, f, Math.max(1, rowH - (rowH > 4 ? 1 : 0)));
      ctx.fillStyle = bwd;
      ctx.fillRect(f, y, k, Math.max(1, rowH - (rowH > 4 ? 1 : 0)));
    });
  }

  private onMove(e: PointerEvent): void {
    const c = this.canvas;
    if (!c || !this.shown || !this.bars.length) return;
    const rect = c.getBoundingClientRect();
    const y = e.clientY - rect.top;
    const i = Math.min(this.bars.length - 1, Math.max(0, Math.floor(((rect.height - y) / rect.height) * this.bars.length)));
    this.tip = { y, text: barWords(this.bars[i]!, this.labels, this.shown.ms.forward.length) };
  }

  override render() {
    const s = this.shown;
    return html`<div class="wrap">
      <div class="plot" @pointermove=${this.onMove} @pointerleave=${() => (this.tip = null)}>
        <canvas></canvas>
        ${s ? nothing : html`<div class="empty">${this.waiting}</div>`}
        ${this.tip ? html`<div class="tip" style=${`top:${this.tip.y}px`}>${this.tip.text}</div>` : nothing}
      </div>
      <div class="foot" title=${s ? `GPU time by layer, the median of the ${s.steps} newest timed steps, to ${timeCaption(s.step, s.ms)}; forward blue, backward orange` : ''}>GPU ms${s ? ` · step ${s.step}` : ''}</div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gs-layer-time': GsLayerTime;
  }
}
