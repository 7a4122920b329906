import { describe, expect, it } from 'vitest';
import { findDivergence, firstDivergence } from '../../src/stats/divergence.ts';
import type { StepRecord } from '../../src/stats/record.ts';

/** A finite record with `blocks` blocks plus the head. */
function record(step: number, blocks = 4, overrides: Partial<StepRecord> = {}): StepRecord {
  const layers = (v: number): number[] => Array.from({ length: blocks + 1 }, () => v);
  return {
    step, loss: 0.7, accuracy: 0.5, gradNormTotal: 1, clipScale: 1, nonFinite: false, stepMs: 1,
    gradNorm: layers(0.1), deltaNorm: layers(0.1), weightNorm: layers(3), updateRatio: layers(1e-3),
    actMean: layers(0), actStd: layers(1), saturated: layers(0), dead: layers(0),
    ...overrides,
  };
}

function withValue(key: 'gradNorm' | 'deltaNorm' | 'weightNorm' | 'actMean' | 'actStd', layer: number, v: number, base = record(7)): StepRecord {
  const arr = [...base[key]];
  arr[layer] = v;
  return { ...base, [key]: arr };
}

describe('findDivergence', () => {
  it('is null for a finite record', () => expect(findDivergence(record(3))).toBeNull());

  it('names the first non-finite layer from the input side', () => {
    const r = withValue('gradNorm', 3, NaN, withValue('actStd', 2, Infinity));
    expect(findDivergence(r)).toEqual({ step: 7, layer: 2, what: 'actStd of block 2 is Infinity' });
  });

  it('names the statistics in a fixed order within a layer', () => {
    const r = withValue('gradNorm', 1, NaN, withValue('weightNorm', 1, NaN));
    expect(findDivergence(r)?.what).toBe('gradNorm of block 1 is NaN');
  });

  it('calls the last entry the head', () => {
    expect(findDivergence(withValue('deltaNorm', 4, -Infinity))).toEqual({ step: 7, layer: 4, what: 'deltaNorm of the head is -Infinity' });
  });

  it('gives layer null when only the loss is non-finite', () => {
    expect(findDivergence(record(9, 4, { loss: NaN, nonFinite: true }))).toEqual({ step: 9, layer: null, what: 'loss is NaN' });
  });

  it('falls back to the total gradient norm and the nonFinite flag', () => {
    expect(findDivergence(record(2, 4, { gradNormTotal: Infinity }))?.what).toBe('the total gradient norm is Infinity');
    expect(findDivergence(record(2, 4, { nonFinite: true }))).toMatchObject({ layer: null });
  });

  it('ignores statistics it does not watch', () => {
    expect(findDivergence(record(1, 4, { updateRatio: [NaN, 0, 0, 0, 0] }))).toBeNull();
  });
});

describe('firstDivergence', () => {
  it('returns the earliest diverged record of a run', () => {
    const run = [record(0), record(1), withValue('gradNorm', 0, NaN, record(2)), record(3, 4, { loss: NaN })];
    expect(firstDivergence(run)).toEqual({ step: 2, layer: 0, what: 'gradNorm of block 0 is NaN' });
    expect(firstDivergence([record(0)])).toBeNull();
  });
});
