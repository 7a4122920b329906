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

  it('puts the forward pass before the backward pass: the first activation that overflowed, from the input side', () => {
    const r = withValue('gradNorm', 0, NaN, withValue('actStd', 3, Infinity, withValue('actStd', 2, Infinity)));
    expect(findDivergence(r)).toEqual({ step: 7, layer: 2, phase: 'forward', what: 'the forward pass overflowed at block 2: actStd is Infinity' });
  });

  it('walks the backward pass from the head down: the first gradient that broke is the one nearest the head', () => {
    const r = withValue('gradNorm', 1, NaN, withValue('deltaNorm', 3, Infinity));
    expect(findDivergence(r)).toMatchObject({ layer: 3, phase: 'backward', what: 'the backward pass overflowed at block 3: deltaNorm is Infinity' });
  });

  it('names non-finite weights first: the step started from them', () => {
    const r = withValue('gradNorm', 1, NaN, withValue('weightNorm', 2, NaN));
    expect(findDivergence(r)).toMatchObject({ layer: 2, phase: 'weights' });
  });

  it('calls the last entry the head', () => {
    expect(findDivergence(withValue('deltaNorm', 4, -Infinity))).toMatchObject({ layer: 4, what: 'the backward pass overflowed at the head: deltaNorm is -Infinity' });
  });

  it('gives layer null when only the loss is non-finite', () => {
    expect(findDivergence(record(9, 4, { loss: NaN, nonFinite: true }))).toEqual({ step: 9, layer: null, phase: 'loss', what: 'the loss is not finite: loss is NaN' });
  });

  it('reports the first bad step it is told, and says which logged record showed it', () => {
    const d = findDivergence(withValue('actStd', 1, Infinity, record(14)), 3);
    expect(d).toMatchObject({ step: 3, layer: 1, phase: 'forward' });
    expect(d!.what).toMatch(/\(seen at logged step 14\)$/);
  });

  it('falls back to the total gradient norm and the nonFinite flag', () => {
    expect(findDivergence(record(2, 4, { gradNormTotal: Infinity }))?.what).toBe('the backward pass overflowed: the total gradient norm is Infinity');
    expect(findDivergence(record(2, 4, { nonFinite: true }))).toMatchObject({ layer: null, phase: 'update' });
  });

  it('ignores statistics it does not watch', () => {
    expect(findDivergence(record(1, 4, { updateRatio: [NaN, 0, 0, 0, 0] }))).toBeNull();
  });
});

describe('firstDivergence', () => {
  it('returns the earliest diverged record of a run', () => {
    const run = [record(0), record(1), withValue('gradNorm', 0, NaN, record(2)), record(3, 4, { loss: NaN })];
    expect(firstDivergence(run)).toMatchObject({ step: 2, layer: 0, phase: 'backward' });
    expect(firstDivergence([record(0)])).toBeNull();
  });
});
