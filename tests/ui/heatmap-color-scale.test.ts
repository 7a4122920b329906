import { describe, expect, it } from 'vitest';
import { NON_FINITE_RGB, VIRIDIS, lutRgb } from '../../src/ui/colormaps.ts';
import { colorIndex, displayColumn, isStatistic, scaleKind, toDisplay, writeRgba } from '../../src/ui/gs-heatmap/color-scale.ts';

describe('toDisplay', () => {
  it('takes log10 of positive values', () => {
    expect(toDisplay(100, 'log')).toBeCloseTo(2, 12);
    expect(toDisplay(1e-7, 'log')).toBeCloseTo(-7, 12);
  });

  it('maps an exact zero to -∞ (the floor colour) under log, and leaves it 0 under linear', () => {
    expect(toDisplay(0, 'log')).toBe(-Infinity);
    expect(toDisplay(0, 'linear')).toBe(0);
  });

  it('marks NaN, ±∞ and negative norms as not drawable (NaN)', () => {
    for (const v of [NaN, Infinity, -Infinity, -1]) expect(toDisplay(v, 'log')).toBeNaN();
    for (const v of [NaN, Infinity, -Infinity]) expect(toDisplay(v, 'linear')).toBeNaN();
    expect(toDisplay(-0.25, 'linear')).toBe(-0.25);
  });

  it('converts whole columns into a reused buffer', () => {
    const out = new Float32Array(4);
    expect(Array.from(displayColumn([10, 0, NaN, 1000], 'log', out))).toEqual([1, -Infinity, NaN, 3]);
  });
});

describe('colorIndex', () => {
  const range = { min: -4, max: 0 };
  it('spreads the range over the 256 entries and clamps outside it', () => {
    expect(colorIndex(-4, range)).toBe(0);
    expect(colorIndex(0, range)).toBe(255);
    expect(colorIndex(-2, range)).toBe(128);
    expect(colorIndex(-9, range)).toBe(0);
    expect(colorIndex(3, range)).toBe(255);
  });

  it('gives zero the floor colour and non-finite values the marker (-1)', () => {
    expect(colorIndex(-Infinity, range)).toBe(0);
    expect(colorIndex(NaN, range)).toBe(-1);
  });

  it('puts everything in the middle when the range is empty', () => {
    expect(colorIndex(5, { min: 5, max: 5 })).toBe(128);
  });
});

describe('writeRgba', () => {
  it('writes LUT colours and the magenta marker, always opaque', () => {
    const px = new Uint8ClampedArray(8);
    writeRgba(px, 0, VIRIDIS, 255);
    writeRgba(px, 4, VIRIDIS, -1);
    expect(Array.from(px.subarray(0, 4))).toEqual([...lutRgb(VIRIDIS, 255), 255]);
    expect(Array.from(px.subarray(4))).toEqual([...NON_FINITE_RGB, 255]);
  });
});

describe('statistics', () => {
  it('reads fractions linearly and norms on a log scale', () => {
    expect(scaleKind('saturated')).toBe('linear');
    expect(scaleKind('dead')).toBe('linear');
    for (const s of ['gradNorm', 'deltaNorm', 'updateRatio', 'actStd'] as const) expect(scaleKind(s)).toBe('log');
    expect(isStatistic('actStd')).toBe(true);
    expect(isStatistic('weightNorm')).toBe(false);
  });
});
