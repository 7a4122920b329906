import { describe, expect, it } from 'vitest';
import { rowLabels } from '../../src/model/graph/row-names.ts';
import { resolveConfig } from '../../src/model/config.ts';
import { rowGroups } from '../../src/ui/gs-heatmap/row-groups.ts';

const long = (patch: object) => rowLabels(resolveConfig(patch).model).map((l) => l.long);

describe('rowGroups: the stage (layer) bands over a ResNet (stacked RNN) heatmap', () => {
  it('finds ResNet-20’s three stages of six convs between conv1 and the head', () => {
    expect(rowGroups(long({ model: { arch: 'resnet', depth: 20 } }))).toEqual([
      { name: 'stage 1', start: 1, end: 7 },
      { name: 'stage 2', start: 7, end: 13 },
      { name: 'stage 3', start: 13, end: 19 },
    ]);
    const r56 = rowGroups(long({ model: { arch: 'resnet', depth: 56 } }));
    expect(r56.map((g) => g.end - g.start)).toEqual([18, 18, 18]);
  });

  it('bands a stacked recurrent net by layer (input and recurrent weights), and one layer not at all', () => {
    expect(rowGroups(long({ model: { arch: 'rnn', depth: 2 } }))).toEqual([
      { name: 'layer 0', start: 0, end: 2 },
      { name: 'layer 1', start: 2, end: 4 },
    ]);
    expect(rowGroups(long({ model: { arch: 'rnn' } }))).toEqual([]);
  });

  it('draws nothing for an MLP, or without labels', () => {
    expect(rowGroups(long({ model: { depth: 10 } }))).toEqual([]);
    expect(rowGroups(null)).toEqual([]);
    expect(rowGroups(['stage 1 · block 0 · conv1', 'stage 1 · block 0 · conv2'])).toEqual([]);
  });
});
