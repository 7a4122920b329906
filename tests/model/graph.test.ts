import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, NORMS, RESIDUALS } from '../../src/model/config-schema.ts';
import { GraphBuilder, checkGraph } from '../../src/model/graph/graph.ts';
import { mlpGraph } from '../../src/model/graph/mlp.ts';
import { graphParams, layerRows } from '../../src/model/graph/params.ts';
import { makePlan } from '../../src/model/plan.ts';

describe('the MLP as a graph', () => {
  const data = { inputDim: 3, outputDim: 4, task: 'classification' as const };

  for (const norm of NORMS) {
    for (const residual of RESIDUALS) {
      it(`names and shapes its parameters exactly as the engine's plan does (norm ${norm}, residual ${residual})`, () => {
        const model = { depth: 5, width: 6, activation: 'tanh' as const, norm, residual };
        const g = mlpGraph(model, data);
        const plan = makePlan(
          { ...model, ...data, batch: 2, optimizerState: 0, trainSamples: 4, testSamples: 2, stepsPerSubmit: 1 },
          { maxBinding: 2 ** 27, budgetBytes: 2 ** 30 },
        );
        const { params, buffers } = graphParams(g);
        expect(params.map((p) => [p.name, p.shape])).toEqual(plan.params.map((p) => [p.name, p.shape]));
        expect(params.filter((p) => p.row !== undefined).map((p) => p.row)).toEqual(plan.params.filter((p) => p.layer !== undefined).map((p) => p.layer));
        expect(buffers.map((b) => b.name)).toEqual(norm === 'batch' ? [0, 1, 2, 3, 4].flatMap((l) => [`blocks.${l}.norm.running_mean`, `blocks.${l}.norm.running_var`]) : []);
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
