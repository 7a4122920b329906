import type { Lut } from '../colormaps.ts';
import { LUT_SIZE } from '../colormaps.ts';
import { colorIndex, displayColumn, writeRgba, type Range, type ScaleKind, type Statistic, type ZeroRule } from './color-scale.ts';
import type { ColumnHistory } from './heatmap-buffer.ts';
import { aggregateRows, layerRow, type RowReduce } from './row-aggregation.ts';

/** How columns are coloured; changing any field but `range` forces a full repaint. */
export interface PaintStyle {
  stat: Statistic;
  kind: ScaleKind;
  reduce: RowReduce;
  lut: Lut;
  range: Range;
  zero: ZeroRule;
}

/** The visible window: how the image ring maps onto a plot of width × height device pixels. */
export interface View {
  total: number;
  ringWidth: number;
  rows: number;
  width: number;
  height: number;
}

/** Visible columns, the seq of the leftmost, and a column's and a row's size in device pixels. */
export function viewMetrics(v: View): { n: number; first: number; colW: number; rowH: number } {
  const n = Math.min(v.total, v.ringWidth);
  return { n, first: v.total - n, colW: v.width / Math.max(1, n), rowH: v.height / Math.max(1, v.rows) };
}

/** The (seq, pixel row from the input side) under device pixel (x, y), or null outside the data. */
export function cellAt(v: View, x: number, y: number): { seq: number; row: number } | null {
  const { n, first, colW, rowH } = viewMetrics(v);
  if (n === 0 || x < 0 || y < 0 || x >= v.width || y >= v.height) return null;
  return { seq: first + Math.min(n - 1, Math.floor(x / colW)), row: v.rows - 1 - Math.min(v.rows - 1, Math.floor(y / rowH)) };
}

/**
 * Owns the image: an offscreen canvas one pixel per column (seq s at x = s; the history compacts to fit,
 * so nothing wraps) and one per pixel row (head at the top). Each column is coloured when it is new or
 * changed; the plot is one blit of the image.
 */
export class HeatmapPainter {
  private readonly ring = document.createElement('canvas');
  private readonly ctx = this.ring.getContext('2d')!;
  private column: ImageData | null = null;
  private display = new Float32Array(0);
  private agg = new Float32Array(0);
  /** LUT indices seen, offset by 2: the non-finite marker and "no gradient" are -1 and -2. */
  private readonly seen = new Uint8Array(LUT_SIZE + 2);
  /** Seqs below this are in the image. */
  painted = 0;
  /** Distinct colours painted since the last full repaint. */
  colors = 0;

  get width(): number {
    return this.ring.width;
  }

  get rows(): number {
    return this.ring.height;
  }

  /** Resizes the ring (which clears it); returns true when anything changed. */
  configure(width: number, rows: number, layers: number): boolean {
    if (width === this.ring.width && rows === this.ring.height && layers === this.display.length) return false;
    this.ring.width = width;
    this.ring.height = rows;
    this.column = this.ctx.createImageData(1, rows);
    this.display = new Float32Array(layers);
    this.agg = new Float32Array(rows);
    this.painted = 0;
    return true;
  }

  /** Repaints every visible column, e.g. after the statistic, range, mode or size changed. */
  repaint(data: ColumnHistory, style: PaintStyle): void {
    this.seen.fill(0);
    this.colors = 0;
    const w = this.ring.width;
    const img = this.ctx.createImageData(w, this.ring.height);
    for (let seq = 0; seq < Math.min(w, data.total); seq++) this.colorColumn(data.column(style.stat, seq), style, img.data, seq, w);
    this.ctx.putImageData(img, 0, 0);
    this.painted = data.total;
    data.painted();
  }

  /** Paints only the columns pushed (or merged into) since the last paint. */
  paintNew(data: ColumnHistory, style: PaintStyle): number {
    const [from, to] = [Math.min(this.painted, data.dirtyFrom), Math.min(this.ring.width, data.total)];
    for (let seq = from; seq < to; seq++) {
      this.colorColumn(data.column(style.stat, seq), style, this.column!.data, 0, 1);
      this.ctx.putImageData(this.column!, seq, 0);
    }
    this.painted = data.total;
    data.painted();
    return to - from;
  }

  private colorColumn(raw: Float32Array, style: PaintStyle, out: Uint8ClampedArray, x: number, stride: number): void {
    const rows = this.ring.height;
    aggregateRows(displayColumn(raw, style.kind, this.display), rows, style.reduce, this.agg);
    for (let r = 0; r < rows; r++) {
      const i = colorIndex(this.agg[r]!, style.range, style.zero);
      if (!this.seen[i + 2]) {
        this.seen[i + 2] = 1;
        this.colors++;
      }
      writeRgba(out, ((rows - 1 - r) * stride + x) * 4, style.lut, i);
    }
  }

  /** Draws the columns across the whole plot: one drawImage. */
  blit(target: CanvasRenderingContext2D, view: View): void {
    const n = Math.min(view.total, view.ringWidth);
    target.imageSmoothingEnabled = false;
    target.clearRect(0, 0, view.width, view.height);
    if (n > 0) target.drawImage(this.ring, 0, 0, n, view.rows, 0, 0, view.width, view.height);
  }
}

/** A white-outlined cross on the cell of (seq, layer); a full-height line when the layer is unknown. */
export function drawMarker(ctx: CanvasRenderingContext2D, view: View, seq: number, layer: number | null, layers: number, dpr: number): void {
  const { first, colW, rowH } = viewMetrics(view);
  const cx = (seq - first + 0.5) * colW;
  ctx.save();
  ctx.lineWidth = 2 * dpr;
  if (layer === null) {
    ctx.strokeStyle = '#fff';
    ctx.setLineDash([4 * dpr, 3 * dpr]);
    ctx.beginPath();
    ctx.moveTo(cx, 0);
    ctx.lineTo(cx, view.height);
    ctx.stroke();
  } else {
    const cy = (view.rows - 1 - layerRow(layer, layers, view.rows) + 0.5) * rowH;
    const h = Math.max(5 * dpr, colW / 2, rowH / 2);
    for (const [color, width] of [['#000', 4 * dpr], ['#fff', 2 * dpr]] as const) {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.strokeRect(cx - h, cy - h, 2 * h, 2 * h);
      ctx.beginPath();
      ctx.moveTo(cx - h, cy - h);
      ctx.lineTo(cx + h, cy + h);
      ctx.moveTo(cx + h, cy - h);
      ctx.lineTo(cx - h, cy + h);
      ctx.stroke();
    }
  }
  ctx.restore();
}

/** Distinct opaque RGB colours among up to `maxSamples` evenly spaced pixels of an RGBA buffer. */
export function countColors(rgba: Uint8ClampedArray, maxSamples = 65536): number {
  const pixels = Math.floor(rgba.length / 4);
  const stride = Math.max(1, Math.floor(pixels / maxSamples));
  const seen = new Set<number>();
  for (let p = 0; p < pixels; p += stride) {
    const o = p * 4;
    if (rgba[o + 3] === 0) continue;
    seen.add(((rgba[o] ?? 0) << 16) | ((rgba[o + 1] ?? 0) << 8) | (rgba[o + 2] ?? 0));
  }
  return seen.size;
}
