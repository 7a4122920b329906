import { describe, expect, it } from 'vitest';
import { fuseGraph } from '../../src/model/graph/fuse.ts';
import { mlpGraph } from '../../src/model/graph/mlp.ts';
import { resnetGraph } from '../../src/model/graph/resnet.ts';

const data = { inputDim: 3, outputDim: 2, task: 'classification' as const };
const mlp = (norm: 'none' | 'batch' | 'layer', residual: 'none' | 'identity' | 'rezero') => mlpGraph({ depth: 3, width: 4, activation: 'relu', norm, residual }, data);

describe('the fusion pass', () => {
  it('makes each block of an MLP without a norm one matmul (bias, φ and the skip in its epilogue)', () => {
    expect(fuseGraph(mlp('none', 'identity')).map((op) => op.kind)).toEqual(['dense', 'dense', 'dense', 'node']);
    const ops = fuseGraph(mlp('none', 'rezero'));
    expect(ops[0]).toEqual({ kind: 'dense', linear: 0, act: 1, add: null });
    expect(ops[1]).toEqual({ kind: 'dense', linear: 2, act: 3, add: 4 });
  });

  it('after a norm layer, fuses φ with the skip add and leaves the matmul and the norm as they are', () => {
    expect(fuseGraph(mlp('batch', 'identity')).map((op) => op.kind)).toEqual(['node', 'node', 'node', 'node', 'node', 'actAdd', 'node', 'node', 'actAdd', 'node']);
    expect(fuseGraph(mlp('layer', 'none')).map((op) => op.kind)).toEqual(['node', 'node', 'node', 'node', 'node', 'node', 'node', 'node', 'node', 'node']);
  });

  it('leaves a ResNet’s nodes alone: φ there reads a sum or a norm that other nodes read too', () => {
    const g = resnetGraph({ depth: 8, width: 4, activation: 'relu', norm: 'batch', residual: 'identity' }, { height: 8, width: 8, channels: 3, classes: 2 });
    expect(fuseGraph(g).every((op) => op.kind === 'node')).toBe(true);
  });

  it('never fuses away a tensor a statistics row reads', () => {
    // Without a skip the block's output is φ's output, a row's h: dense keeps writing it.
    const ops = fuseGraph(mlp('none', 'none'));
    expect(ops.map((op) => op.kind)).toEqual(['dense', 'dense', 'dense', 'node']);
  });
});
