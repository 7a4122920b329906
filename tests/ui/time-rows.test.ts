import { describe, expect, it } from 'vitest';
import { NO_GRADIENT_RGB, VIRIDIS } from '../../src/ui/colormaps.ts';
import { NO_GRADIENT_INDEX, colorIndex, toDisplay, writeRgba } from '../../src/ui/gs-heatmap/color-scale.ts';
import { ColumnHistory, dataCapacity } from '../../src/ui/gs-heatmap/heatmap-buffer.ts';
import { ariaSummary, hoverText, legendTitle } from '../../src/ui/gs-heatmap/legend.ts';
import { aggregateRows } from '../../src/ui/gs-heatmap/row-aggregation.ts';
import { rowGroups } from '../../src/ui/gs-heatmap/row-groups.ts';
import { TIME_QUANTITY, TIME_STAT, timeColumn, timeRatioColumn, timeRowLabels, timeShape } from '../../src/ui/gs-heatmap/time-rows.ts';

/** A two-layer net through T = 4 steps, BPTT truncated to the last 2 (steps 0 and 1 get exactly 0). */
const truncated = { timeDeltaNorm: [[0, 0, 1e-3, 1e-2], [0, 0, 0.1, 1]] };

describe('a recurrent record as time-heatmap rows', () => {
  it('lays the rows out layer by layer, t = 0 (the first input) first, so it is drawn at the bottom', () => {
    expect(timeShape(truncated)).toEqual({ layers: 2, steps: 4 });
    expect(Array.from(timeColumn(truncated)!.rows)).toEqual([0, 0, 1e-3, 1e-2, 0, 0, 0.1, 1].map(Math.fround));
    expect(timeRowLabels(2, 4)).toEqual(['layer 0 · t = 0', 'layer 0 · t = 1', 'layer 0 · t = 2', 'layer 0 · t = 3', 'layer 1 · t = 0', 'layer 1 · t = 1', 'layer 1 · t = 2', 'layer 1 · t = 3']);
    expect(timeRowLabels(1, 3)).toEqual(['t = 0', 't = 1', 't = 2']);
  });

  it('has no rows for a record without values through time (an MLP or a ResNet)', () => {
    expect(timeColumn({})).toBeNull();
    expect(timeColumn({ timeDeltaNorm: [] })).toBeNull();
    expect(timeShape({ timeDeltaNorm: [[]] })).toBeNull();
  });

  it('bands stacked layers, and a single layer not at all', () => {
    expect(rowGroups(timeRowLabels(2, 4))).toEqual([{ name: 'layer 0', start: 0, end: 4 }, { name: 'layer 1', start: 4, end: 8 }]);
    expect(rowGroups(timeRowLabels(1, 12))).toEqual([]);
  });

  it('draws a step truncated BPTT does not reach grey, as "no gradient", not as log 0 in the floor colour', () => {
    const range = { min: -3, max: 0 };
    const zero = toDisplay(0, 'log');
    expect(colorIndex(zero, range, 'none')).toBe(NO_GRADIENT_INDEX);
    expect(colorIndex(zero, range)).toBe(0); // the layer view keeps its floor colour for an underflowed 0
    const rgba = new Uint8ClampedArray(8);
    writeRgba(rgba, 0, VIRIDIS, colorIndex(zero, range, 'none'));
    writeRgba(rgba, 4, VIRIDIS, colorIndex(toDisplay(1e-3, 'log'), range, 'none'));
    expect(Array.from(rgba.subarray(0, 4))).toEqual([...NO_GRADIENT_RGB, 255]);
    expect(Array.from(rgba.subarray(4, 8))).toEqual([VIRIDIS[0], VIRIDIS[1], VIRIDIS[2], 255]);
    // A pixel row shared by a truncated step and a reached one shows the gradient.
    const display = Array.from(timeColumn(truncated)!.rows, (v) => toDisplay(v, 'log'));
    expect(Array.from(aggregateRows(display.slice(0, 4), 2))).toEqual([-Infinity, Math.fround(-2)]);
  });

  it('says "no gradient" in the read-out where the value is 0', () => {
    expect(hoverText('t = 1', 40, 0, 'log', 'value', 'none')).toBe('t = 1 · step 40 · no gradient');
    expect(hoverText('t = 1', [33, 64], 0, 'log', 'ratio', 'none')).toBe('t = 1 · steps 33–64 · no gradient in A or B');
    expect(hoverText('t = 3', 40, 0.25, 'log', 'value', 'none')).toBe('t = 3 · step 40 · 0.2500');
    expect(hoverText('block 2', 40, 0, 'log', 'value')).toBe('block 2 · step 40 · 0');
  });

  it('names the quantity in the legend and for screen readers', () => {
    expect(legendTitle(TIME_STAT, 'log', 'value', TIME_QUANTITY)).toBe('backward signal ‖∂L/∂h_t‖ (log scale)');
    expect(ariaSummary(TIME_STAT, 'value', 12, [1, 40], TIME_QUANTITY)).toBe(
      'backward signal ‖∂L/∂h_t‖ heatmap, 12 time steps (the first input at the bottom), steps 1–40',
    );
  });
});

describe('run B against run A through time', () => {
  it('is B/A where both have a gradient and "no gradient" (0) where either has none', () => {
    const b = { timeDeltaNorm: [[1e-4, 2e-3, 1e-3, 0.1], [0, 1, 0.2, 2]] };
    expect(Array.from(timeRatioColumn(truncated, b)!.rows)).toEqual([0, 0, 1, 10, 0, 0, 2, 2].map(Math.fround));
  });

  it('compares the layers and the time steps both runs have, counted back from the last step', () => {
    const a = { timeDeltaNorm: [[1, 2, 4]] };
    const b = { timeDeltaNorm: [[8, 8], [1, 1]] };
    expect(timeRatioColumn(a, b)).toEqual({ rows: Float32Array.from([4, 2]), layers: 1, steps: 2 });
    expect(timeRatioColumn(a, {})).toBeNull();
  });
});

describe('the history of a view that keeps one statistic', () => {
  it('stores only that one, so 8 layers × 1,000 steps keep six times the columns', () => {
    const h = new ColumnHistory(4, 8, 'max', [TIME_STAT]);
    h.push(10, { [TIME_STAT]: timeColumn(truncated)!.rows });
    expect(Array.from(h.column(TIME_STAT, 0))).toEqual(Array.from(timeColumn(truncated)!.rows));
    expect(Array.from(h.column('gradNorm', 0)).every(Number.isNaN)).toBe(true);
    expect(dataCapacity(2000, 8000)).toBe(250);
    expect(dataCapacity(2000, 8000, undefined, 1)).toBe(1501);
    expect(dataCapacity(2000, 1000, undefined, 1)).toBe(2000);
  });

  it('merges columns keeping the gradient over a truncated 0, the largest over the rest', () => {
    const h = new ColumnHistory(1, 2, 'max', [TIME_STAT]);
    h.push(1, { [TIME_STAT]: [0, 0.5] });
    h.push(2, { [TIME_STAT]: [0.01, 0.1] });
    expect(h.stepsAt(0)).toEqual([1, 2]);
    expect(Array.from(h.column(TIME_STAT, 0))).toEqual([0.01, 0.5].map(Math.fround));
  });
});
