import type { StepRecord } from '../../stats/record.ts';
import { STATISTICS, lutFor, scaleKind, toDisplay, type HeatmapMode, type Range, type Statistic, type ZeroRule } from './color-scale.ts';
import { FOLLOW_COLUMNS, driftedBeyond, followTarget, sampleColumns, smoothRange } from './follow-range.ts';
import { ColumnHistory, dataCapacity } from './heatmap-buffer.ts';
import { hoverText, layerLabel } from './legend.ts';
import { HeatmapPainter, cellAt, drawMarker, type PaintStyle, type View } from './painter.ts';
import { winningLayer, type RowReduce } from './row-aggregation.ts';
import type { ScaleLink } from './scale-link.ts';

/** What the element asks for; the engine decides what must be repainted. */
export interface EngineSettings {
  statistic: Statistic;
  mode: HeatmapMode;
  /** An explicit range (display units: log10 or linear); null follows the data. */
  range: Range | null;
  /** Freeze the followed range where it is. */
  fixed: boolean;
  maxColumns: number;
  /** Read-out names of the rows, input side first (`stage 2 · block 0 · conv1`); numbered blocks without. */
  labels?: readonly string[] | null;
  /** What an exact 0 is drawn as (the floor colour unless told). */
  zero?: ZeroRule;
}

export interface FrameResult {
  /** Columns on screen. */
  columns: number;
  /** The range the image is drawn with (what the legend must show). */
  range: Range;
  /** The follow range is still easing toward its target: draw another frame. */
  again: boolean;
}

export interface HoverCell {
  layer: number;
  /** The newest step of the column; `steps` is every step it covers (one, until the run outgrows the plot). */
  step: number;
  steps: [number, number];
  value: number;
  /** "block 12" or "head". */
  label: string;
}

const MAX_MARKERS = 32;
/** Until there is finite data the scale spans one decade, so the legend has something to show. */
const FALLBACK: Range = { min: 0, max: 1 };

/** The heatmap without the element: the run's history, the image ring, range following, markers. */
export class HeatmapEngine {
  data: ColumnHistory | null = null;
  link: ScaleLink | null = null;
  private readonly painter = new HeatmapPainter();
  private followed: Range | null = null;
  private target: Range | null = null;
  private frozen: Range | null = null;
  private drawn: Range | null = null;
  private drawnKey = '';
  private sampledAt = -1;
  private markers: { step: number; layer: number | null }[] = [];
  view: View = { total: 0, ringWidth: 1, rows: 1, width: 1, height: 1 };

  get colors(): number {
    return this.painter.colors;
  }

  push(record: StepRecord, maxColumns: number, mode: HeatmapMode = 'value'): void {
    this.pushColumn(record.step, record, record.gradNorm.length, STATISTICS, maxColumns, mode);
  }

  /** One column of rows that are not layers (the time steps of a recurrent net): only `stat` is kept. */
  pushRows(step: number, stat: Statistic, rows: ArrayLike<number>, maxColumns: number, mode: HeatmapMode = 'value'): void {
    this.pushColumn(step, { [stat]: rows }, rows.length, [stat], maxColumns, mode);
  }

  private pushColumn(step: number, values: Partial<Record<Statistic, ArrayLike<number>>>, layers: number, stats: readonly Statistic[], maxColumns: number, mode: HeatmapMode): void {
    if (layers === 0) return;
    const reduce = reduceFor(mode);
    const capacity = dataCapacity(maxColumns, layers, undefined, stats.length);
    const d = this.data;
    const sameStats = d?.stats.length === stats.length && stats.every((s, i) => d.stats[i] === s);
    if (!d || d.layers !== layers || d.capacity !== capacity || d.reduce !== reduce || !sameStats || d.total === 0) {
      this.data = new ColumnHistory(capacity, layers, reduce, stats);
      this.resetScale();
    }
    this.data!.push(step, values);
  }

  clear(): void {
    this.data?.clear();
    this.markers = [];
    this.resetScale();
  }

  resetScale(): void {
    this.followed = this.target = this.frozen = this.drawn = null;
    this.sampledAt = -1;
    this.drawnKey = '';
  }

  markDivergence(step: number, layer: number | null): void {
    this.markers = [...this.markers.filter((m) => m.step !== step), { step, layer }].slice(-MAX_MARKERS);
  }

  /** Draws one frame onto `ctx` (a canvas of width × height device pixels). */
  frame(ctx: CanvasRenderingContext2D, width: number, height: number, dpr: number, s: EngineSettings): FrameResult {
    const data = this.data;
    const range = this.pickRange(s);
    if (!data || data.total === 0) {
      ctx.clearRect(0, 0, width, height);
      return { columns: 0, range, again: false };
    }
    const ringWidth = Math.max(1, Math.min(width, data.capacity));
    // The whole run stays on screen: a run longer than the plot is wide merges columns instead of scrolling.
    data.compact(ringWidth);
    const rows = Math.max(1, Math.min(data.layers, height));
    this.view = { total: data.total, ringWidth, rows, width, height };
    this.paint(data, s, range, this.painter.configure(ringWidth, rows, data.layers));
    this.painter.blit(ctx, this.view);
    this.drawMarkers(ctx, dpr);
    const settling = !s.range && !s.fixed && !!this.target && !!this.followed && driftedBeyond(this.followed, this.target, 1e-3);
    return { columns: Math.min(data.total, ringWidth), range: this.drawn ?? range, again: settling };
  }

  /** Repaints everything when the look changed (or the range drifted), else only the new columns. */
  private paint(data: ColumnHistory, s: EngineSettings, picked: Range, resized: boolean): void {
    // Linked heatmaps draw with exactly the link's range, so equal colours mean equal values across them.
    const shared = !s.range && !s.fixed && this.link ? this.link.settle(this, picked) : null;
    const range = shared ?? picked;
    const key = `${s.statistic}|${s.mode}|${s.zero ?? 'floor'}|${this.view.ringWidth}|${this.view.rows}|${data.layers}|${data.version}`;
    if (resized || key !== this.drawnKey || driftedBeyond(this.drawn, range, s.range || shared ? 0 : undefined)) {
      this.drawn = range;
      this.drawnKey = key;
      this.painter.repaint(data, this.style(s, range));
    } else {
      this.painter.paintNew(data, this.style(s, this.drawn ?? range));
    }
  }

  private style(s: EngineSettings, range: Range): PaintStyle {
    return { stat: s.statistic, kind: scaleKind(s.statistic), reduce: reduceFor(s.mode), lut: lutFor(s.mode), range, zero: s.zero ?? 'floor' };
  }

  /** Explicit range > frozen range > the smoothed follow range (shared through the link if any). */
  private pickRange(s: EngineSettings): Range {
    if (s.range) return s.range;
    this.updateFollow(s);
    if (!s.fixed) this.frozen = null;
    else this.frozen ??= this.drawn ?? this.followed;
    return (s.fixed ? this.frozen : this.followed) ?? FALLBACK;
  }

  private updateFollow(s: EngineSettings): void {
    const data = this.data;
    if (data && data.total > 0 && data.total !== this.sampledAt) {
      this.sampledAt = data.total;
      const kind = scaleKind(s.statistic);
      const cols = Math.min(data.count, FOLLOW_COLUMNS);
      const raw = sampleColumns((i) => data.column(s.statistic, data.total - 1 - i), cols, data.layers);
      for (let i = 0; i < raw.length; i++) raw[i] = toDisplay(raw[i]!, kind);
      this.target = followTarget(raw, kind, s.mode);
    }
    const shared = this.link ? this.link.update(this, this.target) : this.target;
    if (shared) this.followed = smoothRange(this.followed, shared);
  }

  private drawMarkers(ctx: CanvasRenderingContext2D, dpr: number): void {
    const data = this.data!;
    for (const m of this.markers) {
      const seq = data.findStep(m.step);
      if (seq >= this.view.total - Math.min(this.view.total, this.view.ringWidth)) {
        drawMarker(ctx, this.view, seq, m.layer, data.layers, dpr);
      }
    }
  }

  /** The cell under device pixel (x, y): the layer whose colour is drawn there, its raw value, and the tooltip line. */
  hover(x: number, y: number, s: EngineSettings): { cell: HoverCell; text: string } | null {
    const data = this.data;
    const at = data && cellAt(this.view, x, y);
    if (!data || !at || !data.has(at.seq)) return null;
    const raw = data.column(s.statistic, at.seq);
    const kind = scaleKind(s.statistic);
    const display = Array.from(raw, (v) => toDisplay(v, kind));
    const layer = winningLayer(display, at.row, this.view.rows, reduceFor(s.mode));
    const steps = data.stepsAt(at.seq);
    const cell = { layer, step: steps[1], steps, value: raw[layer] ?? NaN, label: s.labels?.length === data.layers ? s.labels[layer]! : layerLabel(layer, data.layers) };
    return { cell, text: hoverText(cell.label, steps, cell.value, kind, s.mode, s.zero) };
  }

  /** First and last step held, for the axis and the aria label. */
  stepSpan(): [number, number] | null {
    const d = this.data;
    if (!d || d.total === 0) return null;
    return [d.stepsAt(0)[0], d.stepAt(d.total - 1)];
  }
}

/** Where cells share a pixel, the largest wins (values) or the farthest from equal (ratios). */
function reduceFor(mode: HeatmapMode): RowReduce {
  return mode === 'ratio' ? 'extreme' : 'max';
}
