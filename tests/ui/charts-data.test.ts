import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../../src/stats/record.ts';
import {
  depthSeries,
  describeDepth,
  hiddenNote,
  isLogStatistic,
  layerLabel,
  layerSplits,
} from '../../src/ui/gs-depth-chart/depth-data.ts';
import { LossTable } from '../../src/ui/gs-loss-chart/loss-data.ts';
import { formatValue, plotColumn, plotValue } from '../../src/ui/uplot/columns.ts';
import { fromExponent, logRange, logTicks } from '../../src/ui/uplot/log-axis.ts';

/** A finite record with `blocks` blocks plus the head. */
function record(step: number, blocks = 4, overrides: Partial<StepRecord> = {}): StepRecord {
  const layers = (f: (i: number) => number): number[] => Array.from({ length: blocks + 1 }, (_, i) => f(i));
  return {
    step, loss: 0.7, accuracy: 0.5, gradNormTotal: 1, clipScale: 1, nonFinite: false, stepMs: 1,
    gradNorm: layers((i) => 10 ** (i - blocks)), deltaNorm: layers(() => 0.1), weightNorm: layers(() => 3),
    updateRatio: layers(() => 1e-3), actMean: layers(() => 0), actStd: layers(() => 1),
    saturated: layers(() => 0), dead: layers(() => 0),
    ...overrides,
  };
}

describe('non-finite values for uPlot', () => {
  it('map to null (a gap), and so do zero and negatives on a log axis only (which gets log10)', () => {
    expect([NaN, Infinity, -Infinity, 0, -2, 1000].map((v) => plotValue(v, true))).toEqual([null, null, null, null, null, 3]);
    expect([NaN, Infinity, -Infinity, 0, -2, 3].map((v) => plotValue(v, false))).toEqual([null, null, null, 0, -2, 3]);
    expect(plotValue(1e-40, true)).toBeCloseTo(-40, 9);
  });

  it('are counted by what hid them', () => {
    const { column, hidden } = plotColumn(new Float32Array([1, NaN, 0, Infinity, 100]), true);
    expect(column).toEqual([0, null, null, null, 2]);
    expect(hidden).toEqual({ nonFinite: 2, nonPositive: 1 });
  });

  it('format readably for axes and labels', () => {
    expect([1e-12, 3.5e-7, 0.00123, 0.5, 2.345678, 1234, 250000, 1.5e9, 0, NaN, Infinity, -Infinity, null].map(formatValue))
      .toEqual(['1e-12', '3.5e-7', '0.00123', '0.5', '2.35', '1234', '250000', '1.5e9', '0', 'NaN', '+Inf', '−Inf', '—']);
    expect(formatValue(9.96e-7)).toBe('1e-6');
  });
});

describe('depth chart data', () => {
  it('puts layers 0..D on x with the last one labelled head', () => {
    const s = depthSeries(record(0), record(5), 'gradNorm');
    expect(s.x).toEqual([0, 1, 2, 3, 4]);
    expect(s.depth).toBe(4);
    expect(s.x.map((i) => layerLabel(i, s.depth))).toEqual(['0', '1', '2', '3', 'head']);
  });

  it('ends the axis ticks on the head and keeps its neighbour clear of it', () => {
    expect(layerSplits(4, 1)).toEqual([0, 1, 2, 3, 4]);
    expect(layerSplits(100, 20)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(layerSplits(101, 5).slice(-3)).toEqual([90, 95, 101]);
    expect(layerSplits(3, 0.5)).toEqual([0, 1, 2, 3]);
  });

  it('draws the newest record and keeps the first one as the ghost', () => {
    const first = record(0, 2, { gradNorm: [1, 10, 100] });
    const later = record(40, 2, { gradNorm: [1e-30, 1e-20, 1e-10] });
    const s = depthSeries(first, later, 'gradNorm');
    // a log axis is drawn over log10 values: uPlot's own log scale cannot go below ~1e-16
    expect(s.latest.map((v) => Math.round(v!))).toEqual([-30, -20, -10]);
    expect(s.ghost).toEqual([0, 1, 2]);
    expect(s.raw).toEqual({ latest: [1e-30, 1e-20, 1e-10], ghost: [1, 10, 100], b: [], overlay: [] });
    expect([s.ghostStep, s.latestStep]).toEqual([0, 40]);
  });

  it('turns non-finite layers into gaps and says so', () => {
    const r = record(9, 3, { gradNorm: [1e-3, NaN, 0, Infinity] });
    const s = depthSeries(record(0, 3), r, 'gradNorm');
    expect(s.latest).toEqual([-3, null, null, null]);
    expect(s.hidden).toEqual({ nonFinite: 2, nonPositive: 1 });
    expect(hiddenNote(s.hidden, s.log)).toBe('2 layers non-finite (NaN/Inf): shown as gaps; 1 layer at 0: below the log scale');
    expect(describeDepth(s, 'gradNorm')).toBe(
      'weight gradient ‖∂L/∂W‖ by block at step 9: block 0 0.001, head +Inf (range 0.001 to 0.001); at step 0: block 0 0.001, head 1. ' +
        '2 layers non-finite (NaN/Inf): shown as gaps; 1 layer at 0: below the log scale.',
    );
  });

  it('draws fractions on a linear axis where 0 is a value, not a gap', () => {
    expect(isLogStatistic('gradNorm')).toBe(true);
    expect(isLogStatistic('dead')).toBe(false);
    const s = depthSeries(record(0, 2), record(1, 2, { dead: [0, 0.5, NaN] }), 'dead');
    expect(s.log).toBe(false);
    expect(s.latest).toEqual([0, 0.5, null]);
    expect(hiddenNote(s.hidden, s.log)).toBe('1 layer non-finite (NaN/Inf): shown as gaps');
  });

  it('pads to the longer record and is empty before any record', () => {
    const s = depthSeries(record(0, 1), record(3, 3), 'dead');
    expect(s.x).toHaveLength(4);
    expect(s.ghost).toEqual([0, 0, null, null]);
    const empty = depthSeries(null, null, 'gradNorm');
    expect(empty).toMatchObject({ x: [], latest: [], ghost: [], depth: -1, latestStep: null });
    expect(describeDepth(empty, 'gradNorm')).toBe('weight gradient ‖∂L/∂W‖ by block: no steps yet');
  });

  it('describes both lines by step for the aria-label', () => {
    const text = describeDepth(depthSeries(record(0, 2, { gradNorm: [1, 2, 3] }), record(12, 2, { gradNorm: [1e-6, 0.01, 0.5] }), 'gradNorm'), 'gradNorm');
    expect(text).toBe('weight gradient ‖∂L/∂W‖ by block at step 12: block 0 1e-6, head 0.5 (range 1e-6 to 0.5); at step 0: block 0 1, head 3.');
  });
});

describe('loss chart data', () => {
  it('aligns run A, its test points and run B on one step axis', () => {
    const t = new LossTable();
    t.push(record(0, 1, { loss: 2, accuracy: 0.1 }));
    t.push(record(0, 1, { loss: 3 }), 'B');
    t.push(record(10, 1, { loss: 1, accuracy: 0.4 }));
    t.pushTest(10, 1.2, 0.35);
    t.push(record(5, 1, { loss: 2.5 }), 'B'); // run B behind run A: inserted in order
    const [x, lossA, accA, testLoss, testAcc, lossB] = t.columns();
    expect([...x]).toEqual([0, 5, 10]);
    expect(lossA).toEqual([Math.log10(2), undefined, 0]);
    expect(accA).toEqual([expect.closeTo(0.1, 6), undefined, expect.closeTo(0.4, 6)]);
    expect(testLoss).toEqual([undefined, undefined, expect.closeTo(Math.log10(1.2), 6)]);
    expect(testAcc).toEqual([undefined, undefined, expect.closeTo(0.35, 6)]);
    expect(lossB).toEqual([Math.log10(3), Math.log10(2.5), undefined]);
    expect(t.length).toBe(3);
  });

  it('keeps run B\'s accuracies beside run A\'s, and clears one run without the other', () => {
    const t = new LossTable();
    t.push(record(0, 1, { loss: 2, accuracy: 0.1 }));
    t.push(record(0, 1, { loss: 3, accuracy: 0.2 }), 'B');
    t.pushTest(0, 9, 0.6, 'B');
    const [, , accA, testLoss, , , accB, testAccB] = t.columns();
    expect(accA).toEqual([expect.closeTo(0.1, 6)]);
    expect(accB).toEqual([expect.closeTo(0.2, 6)]);
    expect(testAccB).toEqual([expect.closeTo(0.6, 6)]);
    expect(testLoss).toEqual([undefined]); // run B's test loss is not drawn
    expect(t.describe()).toContain('run B test accuracy 0.6 at step 0');
    t.clear('B');
    expect([t.has('lossB'), t.has('accB'), t.has('testAccB'), t.has('accA')]).toEqual([false, false, false, true]);
  });

  it('draws a non-finite or zero loss as a gap (null), not as "no value" (undefined)', () => {
    const t = new LossTable();
    [1, NaN, Infinity, 0, 0.01].forEach((loss, step) => t.push(record(step, 1, { loss, accuracy: null })));
    const [, lossA, accA] = t.columns();
    expect(lossA).toEqual([0, null, null, null, expect.closeTo(-2, 6)]);
    expect(accA).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(t.gaps).toBe(2);
  });

  it('keeps at most its capacity, thinning old steps but not test points', () => {
    const t = new LossTable(100);
    for (let s = 0; s < 1000; s++) {
      t.push(record(s, 1, { loss: 1 / (s + 1) }));
      if (s % 100 === 0) t.pushTest(s, 1, s / 1000);
    }
    const [x, lossA, , , testAcc] = t.columns();
    expect(t.length).toBeLessThanOrEqual(100);
    expect(x[x.length - 1]).toBe(999);
    expect(lossA!.every((v) => typeof v === 'number')).toBe(true);
    expect(testAcc!.filter((v) => v !== undefined)).toHaveLength(10);
  });

  it('clears one run and describes the newest values', () => {
    const t = new LossTable();
    t.push(record(1, 1, { loss: 0.25, accuracy: 0.75 }));
    t.push(record(1, 1, { loss: 0.5, accuracy: null }), 'B');
    t.pushTest(1, 0.3, 0.7);
    expect(t.describe()).toBe(
      'Loss and accuracy by step: training loss 0.25 at step 1, training accuracy 0.75 at step 1, test loss 0.3 at step 1, test accuracy 0.7 at step 1, run B training loss 0.5 at step 1.',
    );
    t.clear('B');
    expect(t.has('lossB')).toBe(false);
    expect(t.columns()[5]).toEqual([undefined]);
    expect(t.columns()[1]).toEqual([Math.log10(0.25)]);
    t.clear();
    expect(t.length).toBe(0);
    expect(t.describe()).toBe('Loss and accuracy by step: no steps yet.');
  });
});

describe('log axis over log10 values', () => {
  it('ranges the data with a little padding, at least a third of a decade, and a default when empty', () => {
    expect(logRange(-30, 0)).toEqual([-31.2, 1.2]);
    const [lo, hi] = logRange(-0.2, -0.19);
    expect(hi - lo).toBeCloseTo(0.35 * 1.08, 9);
    expect(logRange(null, null)).toEqual([-1, 1]);
    expect(logRange(Number.NaN, 2)).toEqual([-1, 1]);
  });

  it('picks the densest ticks that fit: 1-1.2-1.5-2…, 1…9, 1-2-5 per decade, then every few decades', () => {
    const values = (lo: number, hi: number, n: number) => logTicks(lo, hi, n).map((e) => formatValue(fromExponent(e)));
    expect(values(-0.4, 0.05, 8)).toEqual(['0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1']);
    expect(values(-2.1, 0.1, 8)).toEqual(['0.01', '0.02', '0.05', '0.1', '0.2', '0.5', '1']);
    expect(values(-0.02, 0.34, 5)).toEqual(['1', '1.2', '1.5', '2']);
    expect(values(-40, 3, 6)).toEqual(['1e-40', '1e-30', '1e-20', '1e-10', '1']);
    expect(logTicks(1, 1, 5)).toEqual([]);
  });

  it('keeps whole decades exact on the way back', () => {
    expect(fromExponent(Math.log10(1e-7))).toBe(1e-7);
    expect(fromExponent(-0.30103)).toBeCloseTo(0.5, 5);
  });
});
