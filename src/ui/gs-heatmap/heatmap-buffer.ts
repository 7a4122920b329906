import { STATISTICS, scaleKind, toDisplay, type Statistic } from './color-scale.ts';
import { better, type RowReduce } from './row-aggregation.ts';

/** Columns kept by default: when the history is full, neighbouring columns merge in pairs. */
export const DEFAULT_MAX_COLUMNS = 2000;

/** Float32 cells kept across all statistics (~48 MB): caps history for networks of many thousand layers. */
export const MAX_CELLS = 2000 * 1001 * STATISTICS.length;

/**
 * Columns to keep for `layers` rows of `stats` statistics: `maxColumns`, fewer when the network is so deep it
 * would blow the budget.
 */
export function dataCapacity(maxColumns: number, layers: number, maxCells = MAX_CELLS, stats = STATISTICS.length): number {
  const byBudget = Math.floor(maxCells / (Math.max(1, layers) * Math.max(1, stats)));
  return Math.max(1, Math.min(Math.floor(maxColumns), Math.max(64, byBudget)));
}

/**
 * The whole run, as at most `capacity` columns of raw per-layer values (one Float32Array per statistic kept,
 * column-major; a view whose rows are not layers keeps one). Nothing scrolls away: when the history is full, or the plot narrower than it, neighbouring
 * columns merge in pairs, so each column covers `span` records (the newest possibly fewer) and keeps, per
 * layer, the value a pixel shared by those steps shows (non-finite first, then the largest: the same rule
 * as layers sharing a pixel row). Each column knows the steps it covers, for the axis and the read-out.
 * Columns are addressed by index (`seq`), oldest first.
 */
export class ColumnHistory {
  private readonly firstSteps: Float64Array;
  private readonly lastSteps: Float64Array;
  private readonly records: Uint32Array;
  private readonly data = new Map<Statistic, Float32Array>();
  /** Columns held. */
  total = 0;
  /** Records a full column holds: 1, then 2, 4, … as the history is compressed. */
  span = 1;
  /** Goes up whenever columns merge: every painted column is stale. */
  version = 0;
  /** The oldest column changed since `painted()` (a record merged into the newest column changes it). */
  dirtyFrom = 0;

  constructor(
    readonly capacity: number,
    readonly layers: number,
    readonly reduce: RowReduce = 'max',
    readonly stats: readonly Statistic[] = STATISTICS,
  ) {
    this.firstSteps = new Float64Array(capacity);
    this.lastSteps = new Float64Array(capacity);
    this.records = new Uint32Array(capacity);
    for (const s of stats) this.data.set(s, new Float32Array(capacity * layers));
  }

  get count(): number {
    return this.total;
  }

  /** Index of the oldest column: always 0, the first record is never dropped. */
  get first(): number {
    return 0;
  }

  slotOf(seq: number): number {
    return seq;
  }

  has(seq: number): boolean {
    return Number.isInteger(seq) && seq >= 0 && seq < this.total;
  }

  /** Stores one record (missing or short arrays read as NaN); returns the column it went into. */
  push(step: number, values: Readonly<Partial<Record<Statistic, ArrayLike<number>>>>): number {
    const last = this.total - 1;
    if (last >= 0 && this.records[last]! < this.span) {
      this.mergeInto(last, (s, l) => values[s]?.[l] ?? NaN);
      this.lastSteps[last] = step;
      this.records[last]!++;
      this.dirtyFrom = Math.min(this.dirtyFrom, last);
      return last;
    }
    if (this.total === this.capacity) {
      this.halve();
      return this.push(step, values);
    }
    const seq = this.total++;
    for (const s of this.stats) {
      const dst = this.column(s, seq);
      for (let l = 0; l < this.layers; l++) dst[l] = values[s]?.[l] ?? NaN;
    }
    [this.firstSteps[seq], this.lastSteps[seq], this.records[seq]] = [step, step, 1];
    return seq;
  }

  /** Merges neighbouring columns in pairs until at most `limit` are held (the plot is `limit` pixels wide). */
  compact(limit: number): void {
    while (this.total > Math.max(1, limit)) this.halve();
  }

  /** Column 2i and 2i+1 become column i; `span` doubles. */
  private halve(): void {
    const n = Math.ceil(this.total / 2);
    for (let i = 0; i < n; i++) {
      const [a, b] = [2 * i, 2 * i + 1];
      for (const s of this.stats) this.column(s, i).set(this.column(s, a));
      if (b < this.total) {
        this.mergeInto(i, (s, l) => this.column(s, b)[l]!);
        this.lastSteps[i] = this.lastSteps[b]!;
      } else this.lastSteps[i] = this.lastSteps[a]!;
      this.firstSteps[i] = this.firstSteps[a]!;
      this.records[i] = this.records[a]! + (b < this.total ? this.records[b]! : 0);
    }
    this.total = n;
    this.span *= 2;
    this.version++;
    this.dirtyFrom = 0;
  }

  /** Column `seq` keeps, per layer, whichever of its value and `incoming` wins a shared pixel. */
  private mergeInto(seq: number, incoming: (s: Statistic, layer: number) => number): void {
    for (const s of this.stats) {
      const kind = scaleKind(s);
      const dst = this.column(s, seq);
      for (let l = 0; l < this.layers; l++) {
        const v = incoming(s, l);
        if (better(toDisplay(v, kind), toDisplay(dst[l]!, kind), this.reduce)) dst[l] = v;
      }
    }
  }

  /** Everything up to now is on screen. */
  painted(): void {
    this.dirtyFrom = this.total;
  }

  /** The layers of one column (a view: copy it if you keep it past the next push); all NaN for a statistic not kept. */
  column(stat: Statistic, seq: number): Float32Array {
    const off = seq * this.layers;
    const data = this.data.get(stat);
    return data ? data.subarray(off, off + this.layers) : new Float32Array(this.layers).fill(NaN);
  }

  /** The newest step a column covers. */
  stepAt(seq: number): number {
    return this.has(seq) ? this.lastSteps[seq]! : NaN;
  }

  /** First and last step a column covers. */
  stepsAt(seq: number): [number, number] {
    return this.has(seq) ? [this.firstSteps[seq]!, this.lastSteps[seq]!] : [NaN, NaN];
  }

  /** The column whose steps include `step`, or -1. */
  findStep(step: number): number {
    for (let seq = this.total - 1; seq >= 0; seq--) if (this.firstSteps[seq]! <= step && step <= this.lastSteps[seq]!) return seq;
    return -1;
  }

  clear(): void {
    this.total = 0;
    this.span = 1;
    this.version++;
    this.dirtyFrom = 0;
  }
}
