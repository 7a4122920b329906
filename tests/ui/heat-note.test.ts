import { describe, expect, it } from 'vitest';
import type { Diagnosis, StepRecord } from '../../src/stats/record.ts';
import { heatmapNote } from '../../src/ui/gs-app/heat-note.ts';

const record = (gradNorm: number[]): StepRecord => ({ step: 40, gradNorm, deltaNorm: gradNorm } as unknown as StepRecord);
const dead: Diagnosis = { kind: 'dead-units', finding: '98% of the units in block 7 output zero for every sample.', fix: '', patch: {}, layers: [7] };

describe('the note beside the heatmap', () => {
  it('says when most rows are exactly 0, where that run of layers is, and what the diagnosis found', () => {
    const v = [0, 0, 0, 0, 0, 0, 0, 1e-3, 2e-3, 0.1];
    expect(heatmapNote(record(v), 'gradNorm', [dead])).toBe(
      'At step 40, 70% of the 10 layers have a weight gradient of exactly 0, every one from block 0 to block 6: one flat colour here means no gradient at all, not a small one. The diagnosis below: 98% of the units in block 7 output zero for every sample.',
    );
  });

  it('names the first when the zeros are scattered, and says when most rows are not numbers', () => {
    expect(heatmapNote(record([1, 0, 0, 2, 0, 0, 0]), 'deltaNorm', [])).toMatch(/71% of the 7 layers have a backward signal of exactly 0, the first at block 1: /);
    expect(heatmapNote(record([NaN, Infinity, NaN, 1]), 'gradNorm', [])).toBe('At step 40, 75% of the 4 layers have a weight gradient that is not a number (NaN or ±∞): the run has diverged.');
  });

  it('stays quiet when the colours can say it', () => {
    expect(heatmapNote(record([0, 0, 1, 2, 3]), 'gradNorm', [dead])).toBeNull();
    expect(heatmapNote(record([1e-30, 1e-20, 1]), 'gradNorm', [])).toBeNull();
  });
});
