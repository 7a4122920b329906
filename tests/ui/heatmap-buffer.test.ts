import { describe, expect, it } from 'vitest';
import { STATISTICS, type Statistic } from '../../src/ui/gs-heatmap/color-scale.ts';
import { ColumnHistory, MAX_CELLS, dataCapacity } from '../../src/ui/gs-heatmap/heatmap-buffer.ts';

/** Per-layer values that encode the step, so a column read back shows where it came from. */
function values(step: number, layers: number): Record<Statistic, number[]> {
  const out = {} as Record<Statistic, number[]>;
  STATISTICS.forEach((s, k) => (out[s] = Array.from({ length: layers }, (_, l) => step * 1000 + l * 10 + k)));
  return out;
}

const fill = (h: ColumnHistory, steps: number[]) => steps.forEach((s) => h.push(s, values(s, h.layers)));
const spans = (h: ColumnHistory) => Array.from({ length: h.total }, (_, i) => h.stepsAt(i));

describe('ColumnHistory', () => {
  it('holds columns in push order until full', () => {
    const h = new ColumnHistory(4, 3);
    fill(h, [10, 20, 30]);
    expect([h.total, h.count, h.span]).toEqual([3, 3, 1]);
    expect(Array.from(h.column('gradNorm', 1))).toEqual([20000, 20010, 20020]);
    expect(Array.from(h.column('dead', 2))).toEqual([30005, 30015, 30025]);
    expect(h.stepsAt(2)).toEqual([30, 30]);
  });

  it('when full, merges neighbouring columns in pairs instead of dropping the oldest: the first step stays', () => {
    const h = new ColumnHistory(4, 2);
    fill(h, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect([h.total, h.span]).toEqual([3, 4]);
    expect(spans(h)).toEqual([[1, 4], [5, 8], [9, 10]]);
    // Each merged cell keeps the largest value of its steps (the newest here, as values grow with the step).
    expect(Array.from(h.column('actStd', 0))).toEqual([4003, 4013]);
    expect([h.findStep(1), h.findStep(6), h.findStep(10), h.findStep(11)]).toEqual([0, 1, 2, -1]);
  });

  it('compacts to the width of the plot, keeping every step range contiguous', () => {
    const h = new ColumnHistory(2000, 1);
    fill(h, Array.from({ length: 1000 }, (_, i) => 4 * (i + 1)));
    h.compact(300);
    expect(h.total).toBeLessThanOrEqual(300);
    const s = spans(h);
    expect(s[0]![0]).toBe(4);
    expect(s.at(-1)![1]).toBe(4000);
    for (let i = 1; i < s.length; i++) expect(s[i]![0]).toBe(s[i - 1]![1] + 4);
  });

  it('a non-finite value wins its merged cell, so a divergence stays visible however long the run', () => {
    const h = new ColumnHistory(2, 1);
    fill(h, [1, 2]);
    h.push(3, { ...values(3, 1), gradNorm: [NaN] });
    h.push(4, values(4, 1));
    h.compact(1);
    expect(spans(h)).toEqual([[1, 4]]);
    expect(h.column('gradNorm', 0)[0]).toBeNaN();
  });

  it('ratio mode keeps the value farthest from equal (log10 B/A), in either direction', () => {
    const h = new ColumnHistory(1, 1, 'extreme');
    h.push(1, { ...values(1, 1), gradNorm: [3] });
    h.push(2, { ...values(2, 1), gradNorm: [0.01] });
    h.push(3, { ...values(3, 1), gradNorm: [50] });
    expect(h.column('gradNorm', 0)[0]).toBeCloseTo(0.01);
  });

  it('marks what changed: a merge into the newest column repaints it, a halving everything', () => {
    const h = new ColumnHistory(2, 1);
    fill(h, [1, 2]);
    h.painted();
    const v = h.version;
    h.push(3, values(3, 1)); // full: halves, then merges into the newest
    expect([h.version > v, h.dirtyFrom]).toEqual([true, 0]);
    h.painted();
    h.push(4, values(4, 1));
    expect(h.dirtyFrom).toBe(1);
  });

  it('reads missing layers as NaN and clears back to empty', () => {
    const h = new ColumnHistory(2, 3);
    h.push(1, { ...values(1, 3), gradNorm: [1] });
    expect(Array.from(h.column('gradNorm', 0))).toEqual([1, NaN, NaN]);
    h.clear();
    expect([h.total, h.span, h.has(0)]).toEqual([0, 1, false]);
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
