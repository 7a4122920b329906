import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, NORMS, RESIDUALS } from '../../src/model/config-schema.ts';
import { GraphBuilder, checkGraph } from '../../src/model/graph/graph.ts';
import { mlpGraph } from '../../src/model/graph/mlp.ts';
import { graphParams, layerRows } from '../../src/model/graph/params.ts';

describe('the MLP as a graph', () => {
  const data = { inputDim: 3, outputDim: 4, task: 'classification' as const };

  for (const norm of NORMS) {
    for (const residual of RESIDUALS) {
      it(`names and shapes its parameters as the canonical network's state_dict (norm ${norm}, residual ${residual})`, () => {
        const model = { depth: 3, width: 6, activation: 'tanh' as const, norm, residual };
        const { params, buffers } = graphParams(mlpGraph(model, data));
        const want = [0, 1, 2].flatMap((l) => [
          [`blocks.${l}.weight`, [6, l === 0 ? 3 : 6]],
          [`blocks.${l}.bias`, [6]],
          ...(norm === 'none' ? [] : [[`blocks.${l}.norm.weight`, [6]], [`blocks.${l}.norm.bias`, [6]]]),
          ...(residual === 'rezero' && l > 0 ? [[`blocks.${l}.alpha`, [1]]] : []),
        ]);
        expect(params.map((p) => [p.name, p.shape])).toEqual([...want, ['head.weight', [4, 6]], ['head.bias', [4]]]);
        expect(params.filter((p) => p.row !== undefined).map((p) => [p.name, p.row])).toEqual([['blocks.0.weight', 0], ['blocks.1.weight', 1], ['blocks.2.weight', 2], ['head.weight', 3]]);
        expect(buffers.map((b) => b.name)).toEqual(norm === 'batch' ? [0, 1, 2].flatMap((l) => [`blocks.${l}.norm.running_mean`, `blocks.${l}.norm.running_var`]) : []);
      });
    }
  }

  it('has one stats row per block and the head, named as the state_dict', () => {
    const g = mlpGraph({ depth: 3, width: 4, activation: ACTIVATIONS[3], norm: 'layer', residual: 'identity' }, data);
    expect(layerRows(g)).toEqual([
      { name: 'blocks.0', kind: 'linear' },
      { name: 'blocks.1', kind: 'linear' },
      { name: 'blocks.2', kind: 'linear' },
      { name: 'head', kind: 'linear' },
    ]);
    // A row reads its linear's output, what φ reads (the norm's output) and the block's output (after the skip).
    const r = g.rows[1]!;
    expect([g.tensors[r.z]!.name, g.tensors[r.u]!.name, g.tensors[r.h]!.name]).toEqual(['blocks.1.z', 'blocks.1.u', 'blocks.1.h']);
    expect(g.tensors[g.rows[0]!.h]!.name).toBe('blocks.0.a');
  });
});

describe('graphs are checked when built', () => {
  it('refuses a node that reads a tensor before it is computed, or writes one twice', () => {
    const b = new GraphBuilder();
    const x = b.tensor('x', [2]);
    const later = b.tensor('later', [2]);
    b.node({ kind: 'activation', activation: 'relu', input: later, output: x });
    expect(() => b.build(x, x, 'regression')).toThrow(/reads later before it is computed/);
    const c = new GraphBuilder();
    const y = c.tensor('y', [2]);
    const z = c.tensor('z', [2]);
    c.node({ kind: 'activation', activation: 'relu', input: y, output: z });
    c.node({ kind: 'activation', activation: 'relu', input: y, output: z });
    expect(() => c.build(y, z, 'regression')).toThrow(/writes z, which is already computed/);
    expect(() => checkGraph({ tensors: [], input: 0, output: 1, nodes: [], rows: [], task: 'regression' })).toThrow(/never computes its output/);
  });
});
