import { LitElement, css, html } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';

/** Okabe–Ito: distinguishable with every common form of colour blindness. */
const CLASS_COLORS: readonly [number, number, number][] = [
  [230, 159, 0],
  [86, 180, 233],
  [0, 158, 115],
  [240, 228, 66],
  [0, 114, 178],
  [213, 94, 0],
  [204, 121, 167],
  [153, 153, 153],
];

export interface BoundaryData {
  /** res × res logits (row-major, top row first) for `classes` classes. */
  logits: Float32Array;
  res: number;
  classes: number;
  /** The square the grid covers. */
  min: number;
  max: number;
}

/**
 * The decision boundary of a classifier on 2-D data: each grid cell coloured by the predicted class,
 * paler where the network is less sure, with the training points on top.
 */
@customElement('gs-boundary')
export class GsBoundary extends LitElement {
  static override styles = css`
    :host { display: block; aspect-ratio: 1; max-height: 320px; }
    canvas { width: 100%; height: 100%; image-rendering: pixelated; border-radius: 6px; background: #0f1318; }
  `;

  /** Training points to draw: x (n×2) and class ids. */
  @property({ attribute: false }) points: { x: Float32Array; y: Uint32Array } | null = null;
  @query('canvas') private canvas!: HTMLCanvasElement;
  private data: BoundaryData | null = null;
  private frame = 0;

  /** New predictions; drawn on the next animation frame. */
  set boundary(d: BoundaryData) {
    this.data = d;
    this.frame ||= requestAnimationFrame(() => this.draw());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  override render() {
    return html`<canvas width="320" height="320" role="img" aria-label="decision boundary"></canvas>`;
  }

  private draw(): void {
    this.frame = 0;
    const d = this.data;
    const ctx = this.canvas?.getContext('2d');
    if (!d || !ctx) return;
    const { width, height } = this.canvas;
    const img = ctx.createImageData(d.res, d.res);
    for (let i = 0; i < d.res * d.res; i++) {
      const [cls, confidence] = argmaxSoftmax(d.logits, i * d.classes, d.classes);
      const [r, g, b] = CLASS_COLORS[cls % CLASS_COLORS.length]!;
      img.data.set([r, g, b, Math.round(60 + 150 * confidence)], 4 * i);
    }
    const tile = new OffscreenCanvas(d.res, d.res);
    tile.getContext('2d')!.putImageData(img, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tile, 0, 0, width, height);
    const p = this.points;
    if (!p) return;
    const span = d.max - d.min;
    const n = Math.min(p.y.length, 600);
    for (let i = 0; i < n; i++) {
      const [r, g, b] = CLASS_COLORS[p.y[i]! % CLASS_COLORS.length]!;
      ctx.beginPath();
      ctx.arc(((p.x[2 * i]! - d.min) / span) * width, ((d.max - p.x[2 * i + 1]!) / span) * height, 3, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.strokeStyle = '#101418';
      ctx.lineWidth = 1.2;
      ctx.fill();
      ctx.stroke();
    }
    this.dataset.drawn = String(Number(this.dataset.drawn ?? 0) + 1);
  }
}

/** The winning class and its softmax probability, mapped to 0 (a coin toss among classes) … 1 (certain). */
export function argmaxSoftmax(logits: Float32Array, offset: number, classes: number): [number, number] {
  let best = 0;
  for (let c = 1; c < classes; c++) if (logits[offset + c]! > logits[offset + best]!) best = c;
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(logits[offset + c]! - logits[offset + best]!);
  const p = 1 / sum;
  return [best, Math.max(0, (p - 1 / classes) / (1 - 1 / classes))];
}

declare global {
  interface HTMLElementTagNameMap {
    'gs-boundary': GsBoundary;
  }
}
