import { STATISTICS, type Statistic } from './color-scale.ts';

/** Columns kept by default: older ones drop off the left. */
export const DEFAULT_MAX_COLUMNS = 2000;

/** Float32 cells kept across all statistics (~48 MB): caps history for networks of many thousand layers. */
export const MAX_CELLS = 2000 * 1001 * STATISTICS.length;

/** Columns to keep for `layers` rows: `maxColumns`, fewer when the network is so deep it would blow the budget. */
export function dataCapacity(maxColumns: number, layers: number, maxCells = MAX_CELLS): number {
  const byBudget = Math.floor(maxCells / (Math.max(1, layers) * STATISTICS.length));
  return Math.max(1, Math.min(Math.floor(maxColumns), Math.max(64, byBudget)));
}

/**
 * The raw per-layer values of the last `capacity` steps, one Float32Array per statistic laid out
 * column-major (slot × layers), so a new step is one copy and an old one is overwritten in place.
 * Columns are addressed by sequence number: the n-th push ever has seq n-1.
 */
export class ColumnRing {
  readonly steps: Float64Array;
  private readonly data = new Map<Statistic, Float32Array>();
  /** Pushes since the last clear; the newest column has seq `total - 1`. */
  total = 0;

  constructor(
    readonly capacity: number,
    readonly layers: number,
  ) {
    this.steps = new Float64Array(capacity);
    for (const s of STATISTICS) this.data.set(s, new Float32Array(capacity * layers));
  }

  /** Columns held: min(total, capacity). */
  get count(): number {
    return Math.min(this.total, this.capacity);
  }

  /** Seq of the oldest column still held. */
  get first(): number {
    return this.total - this.count;
  }

  slotOf(seq: number): number {
    return seq % this.capacity;
  }

  has(seq: number): boolean {
    return Number.isInteger(seq) && seq >= this.first && seq < this.total;
  }

  /** Stores one step; returns its seq. Missing or short arrays read as NaN (drawn as non-finite). */
  push(step: number, values: Readonly<Record<Statistic, ArrayLike<number>>>): number {
    const seq = this.total++;
    const slot = this.slotOf(seq);
    this.steps[slot] = step;
    for (const s of STATISTICS) {
      const src = values[s];
      const dst = this.column(s, seq);
      for (let l = 0; l < this.layers; l++) dst[l] = src[l] ?? NaN;
    }
    return seq;
  }

  /** The layers of one column (a view into the ring: copy it if you keep it past the next push). */
  column(stat: Statistic, seq: number): Float32Array {
    const off = this.slotOf(seq) * this.layers;
    return this.data.get(stat)!.subarray(off, off + this.layers);
  }

  stepAt(seq: number): number {
    return this.steps[this.slotOf(seq)] ?? NaN;
  }

  /** Seq of the newest held column whose step is `step`, or -1. */
  findStep(step: number): number {
    for (let seq = this.total - 1; seq >= this.first; seq--) if (this.stepAt(seq) === step) return seq;
    return -1;
  }

  clear(): void {
    this.total = 0;
  }
}

/** One drawImage from the image ring: `width` source columns from `srcX`, landing at visible column `dstCol`. */
export interface BlitSegment {
  srcX: number;
  width: number;
  dstCol: number;
}

/**
 * The image ring holds the last `ringWidth` columns, column seq s at x = s % ringWidth. The visible
 * window is the last min(total, ringWidth) of them, oldest on the left: one segment, or two when the
 * window wraps past the ring's right edge.
 */
export function blitSegments(total: number, ringWidth: number): BlitSegment[] {
  const n = Math.min(total, ringWidth);
  if (n <= 0) return [];
  const start = (total - n) % ringWidth;
  const firstWidth = Math.min(n, ringWidth - start);
  const segs: BlitSegment[] = [{ srcX: start, width: firstWidth, dstCol: 0 }];
  if (firstWidth < n) segs.push({ srcX: 0, width: n - firstWidth, dstCol: firstWidth });
  return segs;
}

/** Seqs not yet painted into the image ring (oldest first), skipping those already scrolled out. */
export function pendingSeqs(painted: number, total: number, ringWidth: number): [number, number] {
  return [Math.max(painted, total - ringWidth, 0), total];
}
