import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/model/config.ts';
import { rowLabels } from '../../src/model/graph/row-names.ts';

describe('row labels', () => {
  it('name a ResNet’s rows by stage, block and conv, input side first, and the MLP’s by block', () => {
    const resnet = rowLabels(resolveConfig({ model: { arch: 'resnet', depth: 20 } }).model);
    expect(resnet).toHaveLength(20);
    expect(resnet[0]).toEqual({ name: 'conv1', long: 'conv1', short: 'conv1' });
    expect(resnet[7]).toEqual({ name: 'layer2.0.conv1', long: 'stage 2 · block 0 · conv1', short: '2.0.1' });
    expect(resnet.at(-1)).toEqual({ name: 'linear', long: 'linear (head)', short: 'head' });
    const mlp = rowLabels(resolveConfig({ model: { depth: 3 } }).model);
    expect(mlp.map((r) => r.long)).toEqual(['block 0', 'block 1', 'block 2', 'head']);
  });

  it('name a recurrent net’s rows by layer and side, input weights first', () => {
    const rnn = rowLabels(resolveConfig({ model: { arch: 'rnn', depth: 2, cell: 'gru' } }).model);
    expect(rnn.map((r) => r.name)).toEqual(['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.weight_ih_l1', 'rnn.weight_hh_l1', 'head']);
    expect(rnn[3]).toEqual({ name: 'rnn.weight_hh_l1', long: 'layer 1 · recurrent weights', short: '1.hh' });
  });
});
