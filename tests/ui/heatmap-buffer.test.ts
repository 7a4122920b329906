import { describe, expect, it } from 'vitest';
import { STATISTICS, type Statistic } from '../../src/ui/gs-heatmap/color-scale.ts';
import { ColumnRing, MAX_CELLS, blitSegments, dataCapacity, pendingSeqs } from '../../src/ui/gs-heatmap/heatmap-buffer.ts';

/** Per-layer values that encode the step, so a column read back shows where it came from. */
function values(step: number, layers: number): Record<Statistic, number[]> {
  const out = {} as Record<Statistic, number[]>;
  STATISTICS.forEach((s, k) => (out[s] = Array.from({ length: layers }, (_, l) => step * 1000 + l * 10 + k)));
  return out;
}

describe('ColumnRing', () => {
  it('holds columns in push order until full', () => {
    const ring = new ColumnRing(4, 3);
    for (const step of [10, 20, 30]) ring.push(step, values(step, 3));
    expect([ring.total, ring.count, ring.first]).toEqual([3, 3, 0]);
    expect(Array.from(ring.column('gradNorm', 1))).toEqual([20000, 20010, 20020]);
    expect(Array.from(ring.column('dead', 2))).toEqual([30005, 30015, 30025]);
  });

  it('wraps around and drops the oldest column', () => {
    const ring = new ColumnRing(4, 2);
    for (let step = 1; step <= 10; step++) ring.push(step, values(step, 2));
    expect([ring.total, ring.count, ring.first]).toEqual([10, 4, 6]);
    expect([5, 6, 9, 10].map((s) => ring.has(s))).toEqual([false, true, true, false]);
    expect([6, 7, 8, 9].map((s) => ring.stepAt(s))).toEqual([7, 8, 9, 10]);
    expect(Array.from(ring.column('actStd', 9))).toEqual([10003, 10013]);
    expect(ring.slotOf(9)).toBe(1);
    expect(ring.findStep(7)).toBe(6);
    expect(ring.findStep(6)).toBe(-1);
  });

  it('reads missing layers as NaN and clears back to empty', () => {
    const ring = new ColumnRing(2, 3);
    const short = { ...values(1, 3), gradNorm: [1] };
    ring.push(1, short);
    expect(Array.from(ring.column('gradNorm', 0))).toEqual([1, NaN, NaN]);
    ring.clear();
    expect([ring.total, ring.count, ring.has(0)]).toEqual([0, 0, false]);
  });
});

describe('dataCapacity', () => {
  it('keeps maxColumns for ordinary depths and shrinks for very deep networks', () => {
    expect(dataCapacity(2000, 101)).toBe(2000);
    expect(dataCapacity(2000, 1001)).toBe(2000);
    expect(dataCapacity(2000, 10_001) * 10_001 * STATISTICS.length).toBeLessThanOrEqual(MAX_CELLS);
    expect(dataCapacity(2000, 10_000_000)).toBe(64);
    expect(dataCapacity(0, 10)).toBe(1);
  });
});

describe('blitSegments', () => {
  it('is empty before any column and one segment until the ring wraps', () => {
    expect(blitSegments(0, 8)).toEqual([]);
    expect(blitSegments(3, 8)).toEqual([{ srcX: 0, width: 3, dstCol: 0 }]);
    expect(blitSegments(8, 8)).toEqual([{ srcX: 0, width: 8, dstCol: 0 }]);
    expect(blitSegments(16, 8)).toEqual([{ srcX: 0, width: 8, dstCol: 0 }]);
  });

  it('splits into two drawImage calls once the window wraps, oldest on the left', () => {
    expect(blitSegments(11, 8)).toEqual([
      { srcX: 3, width: 5, dstCol: 0 },
      { srcX: 0, width: 3, dstCol: 5 },
    ]);
    for (let total = 1; total < 40; total++) {
      const segs = blitSegments(total, 8);
      expect(segs.length).toBeLessThanOrEqual(2);
      expect(segs.reduce((n, s) => n + s.width, 0)).toBe(Math.min(total, 8));
      // the rightmost visible column is the newest one
      const last = segs[segs.length - 1]!;
      expect(last.srcX + last.width - 1).toBe((total - 1) % 8);
    }
  });
});

describe('pendingSeqs', () => {
  it('paints only new columns, skipping those that already scrolled out', () => {
    expect(pendingSeqs(5, 7, 100)).toEqual([5, 7]);
    expect(pendingSeqs(5, 500, 100)).toEqual([400, 500]);
    expect(pendingSeqs(0, 0, 100)).toEqual([0, 0]);
  });
});
