// Pure data for <gs-loss-chart>: one step-aligned ring of columns, assembled into uPlot's shape.
import type { StepRecord } from '../../stats/record.ts';
import { RingSeries } from '../ring-series.ts';
import { formatValue, plotValue, type PlotColumn } from '../uplot/columns.ts';

export type Run = 'A' | 'B';

/** Column order in the ring and (after x) in the uPlot data. */
export const COL = { lossA: 0, accA: 1, testLoss: 2, testAcc: 3, lossB: 4, accB: 5, testAccB: 6 } as const;
const COLUMNS = 7;
/** Loss columns go on a log axis; the others are fractions on a linear 0..1 axis. */
export const LOG_COLUMN: readonly boolean[] = [true, false, true, false, true, false, false];

type Series = keyof typeof COL;
const OF_RUN: Record<Run, readonly Series[]> = { A: ['lossA', 'accA', 'testLoss', 'testAcc'], B: ['lossB', 'accB', 'testAccB'] };

/**
 * The ring stores NaN for "no value at this step" (the row belongs to another series), so a value
 * that really was non-finite is stored as this marker instead and drawn as a gap. It is sticky, so
 * thinning a long run never hides a divergence.
 */
const NON_FINITE = Infinity;

export const DEFAULT_CAPACITY = 5000;

interface Latest {
  step: number;
  value: number;
}

export class LossTable {
  private ring: RingSeries;
  private out: PlotColumn[] = Array.from({ length: COLUMNS }, () => []);
  private last = new Map<Series, Latest>();

  constructor(capacity = DEFAULT_CAPACITY) {
    this.ring = new RingSeries(capacity, COLUMNS, { overflow: 'decimate', sticky: NON_FINITE });
  }

  /** Training-loss cells (runs A and B) that were non-finite, counted by the last columns() call. */
  gaps = 0;

  /** Rows currently held (= x positions drawn). */
  get length(): number {
    return this.ring.length;
  }

  push(record: StepRecord, run: Run = 'A'): void {
    this.put(run === 'B' ? 'lossB' : 'lossA', record.step, record.loss);
    if (record.accuracy !== null) this.put(run === 'B' ? 'accB' : 'accA', record.step, record.accuracy);
  }

  /** A test-set evaluation: run A's loss and accuracy; run B's accuracy (its loss would crowd the log axis). */
  pushTest(step: number, loss: number, accuracy: number | null, run: Run = 'A'): void {
    if (run === 'A') this.put('testLoss', step, loss);
    if (accuracy !== null) this.put(run === 'B' ? 'testAccB' : 'testAcc', step, accuracy);
  }

  /** Forgets one run's series, or everything. */
  clear(run?: Run): void {
    if (run === undefined) {
      this.ring.clear();
      this.last.clear();
      return;
    }
    for (const key of OF_RUN[run]) {
      this.ring.clearColumn(COL[key]);
      this.last.delete(key);
    }
  }

  /**
   * `[x, lossA, accA, testLoss, testAcc, lossB, accB, testAccB]` for uPlot.setData: x is a view of the ring, each y
   * column maps empty cells to undefined (skipped, so a line runs on past another series' rows) and
   * non-finite or, on the log axis, non-positive values to null (a visible gap). Loss columns are
   * log10 of the loss.
   */
  columns(): [Float64Array, ...PlotColumn[]] {
    const { x, y } = this.ring.views();
    this.gaps = 0;
    y.forEach((src, c) => {
      const dst = this.out[c]!;
      dst.length = src.length;
      const log = LOG_COLUMN[c]!;
      for (let i = 0; i < src.length; i++) {
        const v = src[i]!;
        // Loss columns go out as log10 (see uplot/log-axis.ts).
        dst[i] = Number.isNaN(v) ? undefined : v === NON_FINITE ? null : plotValue(v, log);
        if (v === NON_FINITE && (c === COL.lossA || c === COL.lossB)) this.gaps++;
      }
    });
    return [x, ...this.out];
  }

  /** Whether a series has received any value since it was last cleared. */
  has(series: Series): boolean {
    return this.last.has(series);
  }

  /** The aria-label: the newest value of each series. */
  describe(): string {
    const parts: string[] = [];
    const say = (key: Series, what: string) => {
      const l = this.last.get(key);
      if (l) parts.push(`${what} ${formatValue(l.value)} at step ${l.step}`);
    };
    say('lossA', 'training loss');
    say('accA', 'training accuracy');
    say('testLoss', 'test loss');
    say('testAcc', 'test accuracy');
    say('lossB', 'run B training loss');
    say('accB', 'run B training accuracy');
    say('testAccB', 'run B test accuracy');
    return parts.length ? `Loss and accuracy by step: ${parts.join(', ')}.` : 'Loss and accuracy by step: no steps yet.';
  }

  private put(key: Series, step: number, value: number): void {
    const i = this.ring.row(step);
    if (i < 0) return;
    this.ring.set(COL[key], i, Number.isFinite(value) ? value : NON_FINITE);
    const prev = this.last.get(key);
    if (!prev || step >= prev.step) this.last.set(key, { step, value });
  }
}
