import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../../src/stats/record.ts';
import { compareValue, ratioRecord } from '../../src/ui/gs-heatmap/compare.ts';
import { ariaSummary, formatValue, hoverText, layerLabel, legendTicks, legendTitle, powerLabel, rangeModeLabel } from '../../src/ui/gs-heatmap/legend.ts';
import { cellAt, countColors, viewMetrics } from '../../src/ui/gs-heatmap/painter.ts';

describe('legend ticks', () => {
  it('puts ticks on whole decades under log', () => {
    const ticks = legendTicks({ min: -4.5, max: -0.5 }, 'log', 'value');
    expect(ticks.map((t) => t.label)).toEqual(['10⁻⁴', '10⁻³', '10⁻²', '0.1']);
    expect(ticks[0]!.pos).toBeCloseTo(0.125, 12);
  });

  it('thins decades out over wide ranges and labels the ends of narrow ones', () => {
    expect(legendTicks({ min: -20, max: 20 }, 'log', 'value').length).toBeLessThanOrEqual(6);
    expect(legendTicks({ min: 0.1, max: 0.4 }, 'log', 'value').map((t) => t.label)).toEqual(['1.3', '2.5']);
    expect(legendTicks({ min: -0.69, max: 0.69 }, 'log', 'ratio').map((t) => t.label)).toEqual(['×0.2', '×1', '×4.9']);
    expect(legendTicks({ min: -6.6, max: -6.4 }, 'log', 'value').map((t) => t.label)).toEqual(['2.5e-7', '4.0e-7']);
  });

  it('uses round steps for fractions and ×-labels for ratios', () => {
    expect(legendTicks({ min: 0, max: 1 }, 'linear', 'value').map((t) => t.label)).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1']);
    expect(legendTicks({ min: -1, max: 1 }, 'log', 'ratio').map((t) => t.label)).toEqual(['×0.1', '×1', '×10']);
    expect(legendTicks({ min: -0.5, max: 0.5 }, 'linear', 'ratio').map((t) => t.label)).toContain('+0.2');
    expect(legendTicks({ min: 1, max: 1 }, 'log', 'value')).toEqual([]);
  });

  it('writes powers of ten the usual way', () => {
    expect([0, 1, -1, 2, -12].map(powerLabel)).toEqual(['1', '10', '0.1', '10²', '10⁻¹²']);
  });
});

describe('read-out text', () => {
  it('formats values with 4 significant digits, exponents outside [0.001, 10⁴)', () => {
    expect([3.14159, 1.23456e-5, 123456, 0, NaN, Infinity, -Infinity].map(formatValue)).toEqual([
      '3.142', '1.235e-5', '1.235e+5', '0', 'NaN', '∞', '−∞',
    ]);
  });

  it('names blocks from the input side and the head', () => {
    expect(layerLabel(0, 101)).toBe('block 0');
    expect(layerLabel(100, 101)).toBe('head');
    expect(hoverText('head', 9, 1.25, 'log', 'ratio')).toBe('head · step 9 · B/A = 1.250');
    expect(hoverText('block 3', 2, 0.1, 'linear', 'value')).toBe('block 3 · step 2 · 0.1000');
    // A column that covers several steps of a long run says which, and that it shows their largest value.
    expect(hoverText('block 3', [33, 64], 0.5, 'linear', 'value')).toBe('block 3 · steps 33–64 · max 0.5000');
    expect(hoverText('head', [5, 5], 2, 'log', 'value')).toBe('head · step 5 · 2.000');
  });

  it('summarises the image for screen readers and captions the legend', () => {
    expect(ariaSummary('gradNorm', 'value', 101, [1, 240])).toBe('weight gradient ‖∂L/∂W‖ heatmap, 101 layers (input at the bottom, head at the top), steps 1–240');
    expect(ariaSummary('dead', 'value', 0, null)).toBe('dead-unit fraction heatmap, no data yet');
    expect(legendTitle('dead', 'linear', 'value')).toBe('dead-unit fraction (linear)');
    expect(legendTitle('gradNorm', 'log', 'ratio')).toBe('weight gradient ‖∂L/∂W‖: B / A (log scale)');
    expect(rangeModeLabel('follow', 'log', 'value', true)).toBe('shared, follows last 200 steps');
    expect(rangeModeLabel('follow', 'linear', 'value', false)).toBe('0 – 1');
    expect(rangeModeLabel('fixed', 'log', 'value', false)).toBe('fixed');
  });
});

function rec(step: number, grad: number[], dead: number[]): StepRecord {
  const ones = grad.map(() => 1);
  return {
    step, loss: 1, accuracy: null, gradNormTotal: 1, clipScale: 1, nonFinite: false, stepMs: 1,
    gradNorm: grad, deltaNorm: ones, weightNorm: ones, updateRatio: ones, actMean: ones, actStd: ones, saturated: ones, dead,
  };
}

describe('compare mode', () => {
  it('divides norms (0/0 = equal, x/0 = ∞) and subtracts fractions', () => {
    expect(compareValue('gradNorm', 2, 6)).toBe(3);
    expect(compareValue('gradNorm', 0, 0)).toBe(1);
    expect(compareValue('gradNorm', 0, 1)).toBe(Infinity);
    expect(compareValue('dead', 0.5, 0.25)).toBe(-0.25);
  });

  it('builds a pseudo-record of B against A, aligning the heads of runs of different depth', () => {
    const r = ratioRecord(rec(4, [1, 2, 4], [0, 0, 0]), rec(4, [10, 2, 5, 8], [0, 0.5, 0, 1]));
    expect(r.step).toBe(4);
    expect(r.gradNorm).toEqual([10, 1, 2]);
    expect(r.dead).toEqual([0, 0.5, 1]);
  });
});

describe('plot geometry', () => {
  const view = { total: 50, ringWidth: 400, rows: 100, width: 500, height: 200 };
  it('stretches the held columns over the width and finds the cell under the pointer', () => {
    expect(viewMetrics(view)).toEqual({ n: 50, first: 0, colW: 10, rowH: 2 });
    expect(cellAt(view, 0, 0)).toEqual({ seq: 0, row: 99 });
    expect(cellAt(view, 499, 199)).toEqual({ seq: 49, row: 0 });
    expect(cellAt({ ...view, total: 1000 }, 0, 100)).toEqual({ seq: 600, row: 49 });
    expect(cellAt(view, 500, 0)).toBeNull();
    expect(cellAt({ ...view, total: 0 }, 1, 1)).toBeNull();
  });

  it('counts distinct opaque colours', () => {
    const px = new Uint8ClampedArray([1, 2, 3, 255, 1, 2, 3, 255, 9, 9, 9, 255, 0, 0, 0, 0]);
    expect(countColors(px)).toBe(2);
  });
});
