import { describe, expect, it, vi } from 'vitest';
import { driftedBeyond, followTarget, percentileRange, sampleColumns, smoothRange, unionRange, widen } from '../../src/ui/gs-heatmap/follow-range.ts';
import { ScaleLink } from '../../src/ui/gs-heatmap/scale-link.ts';

const ramp = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('percentileRange', () => {
  it('takes the 2nd and 98th percentile with linear interpolation', () => {
    const r = percentileRange(ramp(101).map((x) => x - 1))!;
    expect(r.min).toBeCloseTo(2, 12);
    expect(r.max).toBeCloseTo(98, 12);
  });

  it('ignores outliers, NaN and -∞ (zeros under log)', () => {
    const data = [...ramp(100), NaN, NaN, -Infinity, 1e30];
    const r = percentileRange(data)!;
    expect(r.min).toBeGreaterThan(1);
    expect(r.max).toBeLessThan(101);
  });

  it('is null when nothing is finite', () => {
    expect(percentileRange([NaN, -Infinity, Infinity])).toBeNull();
    expect(percentileRange([])).toBeNull();
  });
});

describe('followTarget', () => {
  it('follows log values, widened to at least half a decade', () => {
    expect(followTarget([-3, -3, -3], 'log', 'value')).toEqual({ min: -3.25, max: -2.75 });
    const wide = followTarget(ramp(101).map((x) => -x / 10), 'log', 'value')!;
    expect(wide.max - wide.min).toBeGreaterThan(9);
  });

  it('shows fractions on a fixed 0–1 scale', () => {
    expect(followTarget([0.2, 0.3], 'linear', 'value')).toEqual({ min: 0, max: 1 });
  });

  it('centres ratio scales on 0 (A = B) and keeps them symmetric', () => {
    // p98 of [-0.5, 0.1, 2] is 0.1 + 0.96 · 1.9 = 1.924; |p2| = 0.476 is smaller
    const r = followTarget([-0.5, 0.1, 2], 'log', 'ratio')!;
    expect(r.max).toBeCloseTo(1.924, 12);
    expect(r.min).toBe(-r.max);
    expect(followTarget([0, 0, 0], 'log', 'ratio')).toEqual({ min: -0.25, max: 0.25 });
    expect(followTarget([NaN], 'log', 'value')).toBeNull();
  });
});

describe('smoothing and redraw threshold', () => {
  it('jumps to the first target, then eases toward the next', () => {
    const a = smoothRange(null, { min: -4, max: 0 });
    expect(a).toEqual({ min: -4, max: 0 });
    const b = smoothRange(a, { min: 0, max: 4 }, 0.25);
    expect(b).toEqual({ min: -3, max: 1 });
  });

  it('redraws only once the range moved more than 5% of its span', () => {
    const drawn = { min: -4, max: 0 };
    expect(driftedBeyond(null, drawn)).toBe(true);
    expect(driftedBeyond(drawn, { min: -3.9, max: 0.1 })).toBe(false);
    expect(driftedBeyond(drawn, { min: -4, max: 0.3 })).toBe(true);
    expect(driftedBeyond(drawn, { min: -4, max: 0.001 }, 0)).toBe(true);
  });

  it('widen leaves wide ranges alone', () => {
    expect(widen({ min: 0, max: 3 }, 1)).toEqual({ min: 0, max: 3 });
  });
});

describe('sampleColumns', () => {
  it('reads newest columns first and caps the sample size', () => {
    const cols = [[1, 2], [3, 4], [5, 6]];
    const all = sampleColumns((i) => cols[cols.length - 1 - i]!, 3, 2);
    expect(Array.from(all)).toEqual([5, 6, 3, 4, 1, 2]);
    const big = sampleColumns(() => new Float32Array(1001).fill(1), 200, 1001, 16384);
    expect(big.length).toBeLessThanOrEqual(16384);
    expect(big.length).toBeGreaterThan(8000);
  });
});

describe('shared scales', () => {
  it('unionRange spans every member', () => {
    expect(unionRange([{ min: -3, max: -1 }, null, { min: -5, max: -2 }])).toEqual({ min: -5, max: -1 });
    expect(unionRange([null])).toBeNull();
  });

  it('ScaleLink gives both members the union and wakes the other when it moves', () => {
    const link = new ScaleLink();
    const [a, b] = [{}, {}];
    const wakeA = vi.fn();
    const wakeB = vi.fn();
    link.join(a, wakeA);
    link.join(b, wakeB);
    expect(link.update(a, { min: -3, max: -1 })).toEqual({ min: -3, max: -1 });
    expect(wakeB).toHaveBeenCalledTimes(1);
    expect(link.update(b, { min: -5, max: -2 })).toEqual({ min: -5, max: -1 });
    expect(wakeA).toHaveBeenCalledTimes(1);
    expect(link.update(b, { min: -5, max: -2 })).toEqual({ min: -5, max: -1 });
    expect(wakeA).toHaveBeenCalledTimes(1);
    link.leave(b);
    expect(link.combined()).toEqual({ min: -3, max: -1 });
    expect(link.size).toBe(1);
  });

  it('ScaleLink hands every member the same drawn range, moving it only past the redraw threshold', () => {
    const link = new ScaleLink();
    const [a, b] = [{}, {}];
    const wakeB = vi.fn();
    link.join(a, () => {});
    link.join(b, wakeB);
    const first = link.settle(a, { min: -4, max: 0 });
    expect(link.settle(b, { min: -4.1, max: 0.05 })).toEqual(first);
    expect(wakeB).toHaveBeenCalledTimes(1);
    expect(link.settle(b, { min: -5, max: 0 })).toEqual({ min: -5, max: 0 });
    expect(link.settle(a, { min: -4.9, max: 0 })).toEqual({ min: -5, max: 0 });
  });
});
