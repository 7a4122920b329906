import { describe, expect, it } from 'vitest';
import { RingSeries } from '../../src/ui/ring-series.ts';

/** x and every column, oldest first, with empty cells as null (NaN is not toEqual-friendly to read). */
function dump(r: RingSeries): { x: number[]; y: (number | null)[][] } {
  const { x, y } = r.views();
  return { x: [...x], y: y.map((c) => [...c].map((v) => (Number.isNaN(v) ? null : v))) };
}

function fill(r: RingSeries, steps: number[], col = 0, value = (s: number) => s * 10): void {
  for (const s of steps) r.set(col, r.row(s), value(s));
}

describe('RingSeries', () => {
  it('appends rows in step order and finds existing ones', () => {
    const r = new RingSeries(8, 2);
    fill(r, [1, 2, 3]);
    expect(r.row(2)).toBe(1);
    r.set(1, r.row(2), 7);
    expect(dump(r)).toEqual({ x: [1, 2, 3], y: [[10, 20, 30], [null, 7, null]] });
    expect(r.lastX()).toBe(3);
  });

  it('inserts an out-of-order step in sorted position with empty cells', () => {
    const r = new RingSeries(8, 2);
    fill(r, [0, 10, 20]);
    r.set(1, r.row(15), 1.5);
    expect(dump(r)).toEqual({ x: [0, 10, 15, 20], y: [[0, 100, null, 200], [null, null, 1.5, null]] });
  });

  it('wraps: a full buffer drops the oldest row and views come out oldest first', () => {
    const r = new RingSeries(4, 1, { overflow: 'wrap' });
    fill(r, [0, 1, 2, 3, 4, 5]);
    expect(r.length).toBe(4);
    expect(dump(r)).toEqual({ x: [2, 3, 4, 5], y: [[20, 30, 40, 50]] });
    // after the views rotated storage, writes keep landing in order
    fill(r, [6]);
    expect(dump(r).x).toEqual([3, 4, 5, 6]);
    expect(r.get(0, 3)).toBe(60);
  });

  it('wraps: a step older than everything held in a full buffer is refused', () => {
    const r = new RingSeries(4, 1, { overflow: 'wrap' });
    fill(r, [10, 11, 12, 13]);
    expect(r.row(5)).toBe(-1);
    expect(dump(r).x).toEqual([10, 11, 12, 13]);
  });

  it('wraps: inserting into the middle of a wrapped, full buffer drops the oldest', () => {
    const r = new RingSeries(4, 1, { overflow: 'wrap' });
    fill(r, [0, 2, 4, 6, 8]);
    r.set(0, r.row(5), -1);
    expect(dump(r)).toEqual({ x: [4, 5, 6, 8], y: [[40, -1, 60, 80]] });
  });

  it('decimates: a full buffer doubles its stride and merges rows that share a bucket', () => {
    const r = new RingSeries(8, 2, { overflow: 'decimate' });
    fill(r, [0, 1, 2, 3, 4, 5, 6, 7]);
    r.set(1, r.row(0), 99); // a sparse value survives the merge: an empty cell never overwrites
    fill(r, [8]);
    expect(r.stride).toBe(2);
    // each row takes its bucket's newest step, and per column the newest value in the bucket
    expect(dump(r)).toEqual({ x: [1, 3, 5, 7, 8], y: [[10, 30, 50, 70, 80], [99, null, null, null, null]] });
    fill(r, [9]);
    expect(dump(r).x).toEqual([1, 3, 5, 7, 9]);
  });

  it('decimates: a sticky value (a non-finite marker) survives merging and rewriting', () => {
    const r = new RingSeries(4, 1, { overflow: 'decimate', sticky: Infinity });
    fill(r, [0, 1, 2, 3], 0, (s) => (s === 2 ? Infinity : s));
    fill(r, [4]);
    expect(dump(r)).toEqual({ x: [1, 3, 4], y: [[1, Infinity, 40]] });
    r.set(0, r.row(3), 7);
    expect(r.get(0, 1)).toBe(Infinity);
  });

  it('decimates: a long run stays within capacity, evenly thinned from the first step to the last', () => {
    const r = new RingSeries(500, 1, { overflow: 'decimate' });
    for (let s = 0; s < 20_000; s++) r.set(0, r.row(s), s);
    const { x, y } = r.views();
    expect(r.length).toBeLessThanOrEqual(500);
    expect(r.length).toBeGreaterThanOrEqual(125);
    expect(r.stride).toBe(64);
    expect(x[0]).toBe(r.stride - 1);
    expect(x[x.length - 1]).toBe(19_999);
    for (let i = 1; i < x.length - 1; i++) expect(x[i]! - x[i - 1]!).toBe(r.stride);
    for (let i = 0; i < x.length; i++) expect(y[0]![i]).toBe(x[i]);
  });

  it('decimates: a sparse logging interval widens the stride until rows merge', () => {
    const r = new RingSeries(4, 1, { overflow: 'decimate' });
    fill(r, [0, 10, 20, 30, 40]);
    expect(r.stride).toBe(16);
    expect(dump(r)).toEqual({ x: [10, 30, 40], y: [[100, 300, 400]] });
  });

  it('decimates when an out-of-order insert meets a full buffer', () => {
    const r = new RingSeries(4, 1, { overflow: 'decimate' });
    fill(r, [0, 2, 4, 6]);
    r.set(0, r.row(5), 5);
    expect(dump(r)).toEqual({ x: [2, 6], y: [[20, 5]] });
  });

  it('clears one column or everything', () => {
    const r = new RingSeries(4, 2);
    fill(r, [1, 2]);
    fill(r, [2], 1, () => 5);
    r.clearColumn(0);
    expect(dump(r)).toEqual({ x: [1, 2], y: [[null, null], [null, 5]] });
    r.clear();
    expect(r.length).toBe(0);
    expect(r.lastX()).toBeUndefined();
    fill(r, [3]);
    expect(dump(r)).toEqual({ x: [3], y: [[30], [null]] });
  });

  it('says what is wrong with a bad size or index', () => {
    expect(() => new RingSeries(2, 1)).toThrow(/capacity must be an integer ≥ 4 \(got 2\)/);
    expect(() => new RingSeries(8, 0)).toThrow(/at least one y column/);
    const r = new RingSeries(4, 1);
    expect(() => r.set(0, 0, 1)).toThrow(/row 0 is out of range/);
    fill(r, [1]);
    expect(() => r.set(3, 0, 1)).toThrow(/column 3 is out of range 0..0/);
    expect(() => r.row(NaN)).toThrow(/x must be finite \(got NaN\)/);
  });
});
