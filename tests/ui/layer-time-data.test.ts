import { describe, expect, it } from 'vitest';
import { barScale, barWords, medianTimes, timeBars, timeCaption } from '../../src/ui/gs-layer-time/layer-time-data.ts';

describe('the per-layer time column', () => {
  const ms = { forward: [1, 2, 3, 4, 5], backward: [10, 20, 30, 40, 50] };

  it('one bar per row when there is room, input side first', () => {
    const bars = timeBars(ms, 100);
    expect(bars.map((b) => [b.first, b.last, b.forward, b.backward])).toEqual([
      [0, 0, 1, 10],
      [1, 1, 2, 20],
      [2, 2, 3, 30],
      [3, 3, 4, 40],
      [4, 4, 5, 50],
    ]);
    expect(barScale(bars)).toBe(55);
  });

  it('rows that share a pixel row add up, so the column keeps the step’s total at any depth', () => {
    const deep = { forward: Array.from({ length: 10_001 }, () => 0.001), backward: Array.from({ length: 10_001 }, () => 0.002) };
    const bars = timeBars(deep, 300);
    expect(bars).toHaveLength(300);
    expect(bars[0]!.first).toBe(0);
    expect(bars.at(-1)!.last).toBe(10_000);
    expect(bars.reduce((a, b) => a + b.forward + b.backward, 0)).toBeCloseTo(30.003, 6);
  });

  it('names the rows a bar stands for', () => {
    const [first] = timeBars(ms, 2);
    expect(barWords(first!, null, 5)).toBe('block 0 – block 1: forward 3.0 ms · backward 30 ms');
    expect(barWords({ first: 4, last: 4, forward: 0.004, backward: 0.5 }, null, 5)).toBe('head: forward 4.0e-3 ms · backward 0.50 ms');
    expect(timeCaption(7, ms)).toBe('step 7: forward 15 ms, backward 150 ms');
  });

  it('takes each row’s median over the timed steps it keeps, so one slow pass does not stand out', () => {
    const steps = [
      { forward: [1, 5], backward: [2, 2] },
      { forward: [900, 6], backward: [2, 3] },
      { forward: [2, 7], backward: [4, 3] },
      { forward: [1, 1, 1], backward: [1, 1, 1] },
    ];
    expect(medianTimes(steps.slice(0, 3))).toEqual({ forward: [2, 6], backward: [2, 3] });
    expect(medianTimes(steps.slice(0, 2))).toEqual({ forward: [450.5, 5.5], backward: [2, 2.5] });
    // A step of another depth (a rebuilt net) starts afresh.
    expect(medianTimes(steps)).toEqual({ forward: [1, 1, 1], backward: [1, 1, 1] });
    expect(medianTimes([])).toBeNull();
  });
});
