import { describe, expect, it } from 'vitest';
import { residualLabels } from '../../src/model/graph/row-names.ts';
import { residualAxis } from '../../src/ui/gs-depth-chart/residual-data.ts';
import { profileSeries } from '../../src/ui/gs-depth-chart/depth-data.ts';
import { residualRatioColumn, residualRatios } from '../../src/ui/gs-heatmap/residual-rows.ts';
import type { StepRecord } from '../../src/stats/record.ts';

const split = (skip: number[], branch: number[]) => ({ residualSkipNorm: skip, residualBranchNorm: branch });

describe('the residual split as rows', () => {
  it('is ‖B‖/‖S‖ per block, NaN where the skip carries nothing, null without residual blocks', () => {
    expect(Array.from(residualRatios(split([2, 4, 0], [1, 8, 3]))!)).toEqual([0.5, 2, NaN]);
    expect(residualRatios({})).toBeNull();
    expect(residualRatios(split([], []))).toBeNull();
  });

  it('compares run B with run A over the blocks both have', () => {
    expect(Array.from(residualRatioColumn(split([1, 1, 1], [1, 2, 4]), split([1, 1], [3, 1]))!)).toEqual([3, 0.5]);
    expect(residualRatioColumn(split([1], [1]), {})).toBeNull();
  });

  it('names the blocks as the statistics order them: an MLP from block 1, a ResNet by stage and block', () => {
    expect(residualLabels({ arch: 'mlp', depth: 4, width: 8, activation: 'relu', norm: 'none', residual: 'identity' }).map((l) => l.long)).toEqual(['block 1', 'block 2', 'block 3']);
    expect(residualLabels({ arch: 'mlp', depth: 4, width: 8, activation: 'relu', norm: 'none', residual: 'none' })).toEqual([]);
    const resnet = residualLabels({ arch: 'resnet', depth: 14, width: 4, activation: 'relu', norm: 'batch', residual: 'rezero' });
    expect(resnet.map((l) => l.short)).toEqual(['1.0', '1.1', '2.0', '2.1', '3.0', '3.1']);
    expect(resnet[2]!.long).toBe('stage 2 · block 0');
  });

  it('draws the newest ratios on a log axis and says which blocks it could not draw', () => {
    const record = { step: 7, ...split([1, 2, 0, 1], [10, 2, 1, 0]) } as unknown as StepRecord;
    const axis = residualAxis(null);
    const s = profileSeries(axis, null, record);
    expect(s.latest).toEqual([1, 0, null, null]);
    expect(axis.note(s.hidden)).toMatch(/1 block non-finite.*1 block with no gradient through the branch/);
    expect(axis.describe(s)).toMatch(/at step 7: first block 10, last block 0/);
  });
});
