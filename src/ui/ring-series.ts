/**
 * A columnar ring buffer for time series: one Float64Array of x (steps) and one Float32Array per y
 * column, rows kept sorted by x. An empty cell is NaN (the row exists for another column).
 *
 * When full, `wrap` drops the oldest row (a sliding window). `decimate` keeps the whole history
 * instead: rows stand for buckets of `stride` steps (1 at first); when full, the stride doubles and
 * rows sharing a bucket merge, so old and new steps end up evenly thinned and memory stays bounded.
 */
export type Overflow = 'wrap' | 'decimate';

export interface RingOptions {
  overflow?: Overflow;
  /**
   * A value that wins when rows merge or a bucket is written again (e.g. a non-finite marker), so
   * thinning never hides it. Any other write replaces the cell: the newest value in a bucket wins.
   */
  sticky?: number;
}

export class RingSeries {
  readonly capacity: number;
  readonly columns: number;
  readonly overflow: Overflow;
  private readonly sticky: number | undefined;
  private xs: Float64Array;
  private ys: Float32Array[];
  /** Physical index of logical row 0. */
  private head = 0;
  private size = 0;
  private bucketWidth = 1;

  constructor(capacity: number, columns: number, options: RingOptions = {}) {
    if (!Number.isInteger(capacity) || capacity < 4) throw new Error(`RingSeries capacity must be an integer ≥ 4 (got ${capacity})`);
    if (!Number.isInteger(columns) || columns < 1) throw new Error(`RingSeries needs at least one y column (got ${columns})`);
    this.capacity = capacity;
    this.columns = columns;
    this.overflow = options.overflow ?? 'wrap';
    this.sticky = options.sticky;
    this.xs = new Float64Array(capacity);
    this.ys = Array.from({ length: columns }, () => new Float32Array(capacity).fill(NaN));
  }

  get length(): number {
    return this.size;
  }

  /** Steps per row: 1 until a `decimate` buffer first fills, then doubling each time it fills. */
  get stride(): number {
    return this.bucketWidth;
  }

  /** x of logical row i (0 = oldest): the newest step written into its bucket. */
  x(i: number): number {
    return this.xs[this.phys(i)]!;
  }

  /** Value of column `col` at logical row i; NaN when empty. */
  get(col: number, i: number): number {
    return this.column(col)[this.phys(i)]!;
  }

  /** Writes a cell; a sticky value already there stays. */
  set(col: number, i: number, value: number): void {
    if (i < 0 || i >= this.size) throw new Error(`RingSeries row ${i} is out of range 0..${this.size - 1}`);
    const c = this.column(col);
    const p = this.phys(i);
    if (this.sticky === undefined || c[p] !== this.sticky) c[p] = value;
  }

  lastX(): number | undefined {
    return this.size ? this.x(this.size - 1) : undefined;
  }

  /**
   * The logical row for step x (its bucket's row, whose x moves up to x), adding an empty row in
   * sorted position when there is none. Returns -1 when a full `wrap` buffer is asked for an x older
   * than everything it holds.
   */
  row(x: number): number {
    if (!Number.isFinite(x)) throw new Error(`RingSeries x must be finite (got ${x})`);
    const last = this.lastX();
    if (last === undefined || this.bucket(x) > this.bucket(last)) return this.append(x);
    const found = this.search(x);
    if (found < this.size && this.bucket(this.x(found)) === this.bucket(x)) {
      // The next row is in a later bucket, so moving x up inside this one keeps rows sorted.
      const p = this.phys(found);
      this.xs[p] = Math.max(this.xs[p]!, x);
      return found;
    }
    if (this.size === this.capacity) {
      if (this.overflow === 'wrap' && x < this.x(0)) return -1;
      this.makeRoom();
      return this.row(x); // the bucket may have widened to take x
    }
    return this.insertAt(found, x);
  }

  /** Sets every cell of one column to empty (rows stay; the other columns keep their values). */
  clearColumn(col: number): void {
    this.column(col).fill(NaN);
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
    this.bucketWidth = 1;
    for (const c of this.ys) c.fill(NaN);
  }

  /** Oldest-first views of x and every column, valid until the next change. Rotates storage if needed. */
  views(): { x: Float64Array; y: Float32Array[] } {
    this.linearize();
    return { x: this.xs.subarray(0, this.size), y: this.ys.map((c) => c.subarray(0, this.size)) };
  }

  private phys(i: number): number {
    return (this.head + i) % this.capacity;
  }

  private bucket(x: number): number {
    return this.bucketWidth === 1 ? x : Math.floor(x / this.bucketWidth);
  }

  private column(col: number): Float32Array {
    const c = this.ys[col];
    if (!c) throw new Error(`RingSeries column ${col} is out of range 0..${this.columns - 1}`);
    return c;
  }

  /** First logical row whose bucket is ≥ x's (binary search; rows are sorted). */
  private search(x: number): number {
    const b = this.bucket(x);
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.bucket(this.x(mid)) < b) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private append(x: number): number {
    if (this.size === this.capacity) {
      this.makeRoom();
      if (this.overflow === 'decimate') return this.row(x);
    }
    const p = this.phys(this.size);
    this.xs[p] = x;
    for (const c of this.ys) c[p] = NaN;
    return this.size++;
  }

  private insertAt(i: number, x: number): number {
    this.linearize();
    this.xs.copyWithin(i + 1, i, this.size);
    this.xs[i] = x;
    for (const c of this.ys) {
      c.copyWithin(i + 1, i, this.size);
      c[i] = NaN;
    }
    this.size++;
    return i;
  }

  private makeRoom(): void {
    if (this.overflow === 'wrap') {
      for (const c of this.ys) c[this.head] = NaN;
      this.head = (this.head + 1) % this.capacity;
      this.size--;
      return;
    }
    this.linearize();
    // Doubling merges nothing while the stride is below the logging interval, hence the loop; the
    // 2^52 guard only matters for absurd x ranges.
    while (this.size > (this.capacity * 3) >> 2 && this.bucketWidth < 2 ** 52) {
      this.bucketWidth *= 2;
      this.mergeBuckets();
    }
  }

  /** One pass over linear storage: a row whose bucket equals the previous row's folds into it. */
  private mergeBuckets(): void {
    let w = 0;
    for (let r = 0; r < this.size; r++) {
      const x = this.xs[r]!;
      if (w > 0 && this.bucket(this.xs[w - 1]!) === this.bucket(x)) {
        this.xs[w - 1] = x;
        for (const c of this.ys) {
          const v = c[r]!;
          if (!Number.isNaN(v) && c[w - 1] !== this.sticky) c[w - 1] = v;
        }
      } else {
        this.xs[w] = x;
        for (const c of this.ys) c[w] = c[r]!;
        w++;
      }
    }
    this.size = w;
    for (const c of this.ys) c.fill(NaN, w);
  }

  /** Rotates storage so logical row 0 is physical index 0. */
  private linearize(): void {
    if (this.head === 0) return;
    const h = this.head;
    const rotate = (a: Float32Array | Float64Array): void => {
      const copy = a.slice();
      a.set(copy.subarray(h));
      a.set(copy.subarray(0, h), this.capacity - h);
    };
    rotate(this.xs);
    this.ys.forEach(rotate);
    this.head = 0;
  }
}
