// Pure data for <gs-clip-chart>: the gradient's norm before and after clipping, τ and the clip scale, by step.
import type { StepRecord } from '../../stats/record.ts';
import { RingSeries } from '../ring-series.ts';
import { formatValue, plotValue, type PlotColumn } from '../uplot/columns.ts';

/** Column order in the ring and (after x) in the uPlot data. */
export const CLIP_COL = { before: 0, after: 1, tau: 2, scale: 3 } as const;
const COLUMNS = 4;
/** Norms and τ on a log axis; the clip scale, a factor in (0, 1], on a linear one. */
export const CLIP_LOG: readonly boolean[] = [true, true, true, false];

type Record_ = Pick<StepRecord, 'step' | 'gradNormTotal' | 'clipScale' | 'clipMax' | 'clippedGradNormTotal'>;

/**
 * Clipping over a run's logged steps. `mode` decides what τ is drawn against: in norm mode τ bounds the whole
 * gradient's norm, so it is a line among the norms; in value mode it bounds each entry, and the "scale" is the
 * norm after over the norm before (how much of the gradient the clamp kept).
 */
export class ClipTable {
  private readonly ring: RingSeries;
  private readonly out: PlotColumn[] = Array.from({ length: COLUMNS }, () => []);
  private newest: Record_ | null = null;

  constructor(capacity = 5000) {
    this.ring = new RingSeries(capacity, COLUMNS, { overflow: 'decimate' });
  }

  get length(): number {
    return this.ring.length;
  }

  get latest(): Record_ | null {
    return this.newest;
  }

  /** A logged step; a record without clip statistics (a run that does not clip) is ignored. */
  push(r: Record_, mode: 'norm' | 'value'): void {
    if (r.clipMax === undefined || r.clippedGradNormTotal === undefined) return;
    const i = this.ring.row(r.step);
    if (i < 0) return;
    const scale = mode === 'norm' ? r.clipScale : r.gradNormTotal > 0 ? r.clippedGradNormTotal / r.gradNormTotal : 1;
    this.ring.set(CLIP_COL.before, i, r.gradNormTotal);
    this.ring.set(CLIP_COL.after, i, r.clippedGradNormTotal);
    if (mode === 'norm') this.ring.set(CLIP_COL.tau, i, r.clipMax);
    this.ring.set(CLIP_COL.scale, i, scale);
    if (!this.newest || r.step >= this.newest.step) this.newest = r;
  }

  clear(): void {
    this.ring.clear();
    this.newest = null;
  }

  /** `[x, before, after, τ, scale]` for uPlot: norms and τ as log10, empty cells undefined, non-finite null. */
  columns(): [Float64Array, ...PlotColumn[]] {
    const { x, y } = this.ring.views();
    y.forEach((src, c) => {
      const dst = this.out[c]!;
      dst.length = src.length;
      for (let i = 0; i < src.length; i++) dst[i] = Number.isNaN(src[i]!) ? undefined : plotValue(src[i]!, CLIP_LOG[c]!);
    });
    return [x, ...this.out];
  }

  /** Steps on which clipping changed the gradient (scale below 1), of those held. */
  clippedSteps(): { clipped: number; of: number } {
    const { y } = this.ring.views();
    const scale = y[CLIP_COL.scale]!;
    let clipped = 0;
    let of = 0;
    for (const s of scale) {
      if (Number.isNaN(s)) continue;
      of++;
      if (s < 1) clipped++;
    }
    return { clipped, of };
  }

  /** The aria-label and the line under the chart. */
  describe(mode: 'norm' | 'value'): string {
    const r = this.newest;
    if (!r) return 'Gradient clipping by step: no steps yet.';
    const { clipped, of } = this.clippedSteps();
    const what = mode === 'norm' ? `τ ${formatValue(r.clipMax)} on the whole gradient's norm` : `τ ${formatValue(r.clipMax)} on each entry`;
    return `Gradient clipping (${what}) at step ${r.step}: norm ${formatValue(r.gradNormTotal)} before, ${formatValue(r.clippedGradNormTotal)} after; clipped on ${clipped} of ${of} logged steps.`;
  }
}
