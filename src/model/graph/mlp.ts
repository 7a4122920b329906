/**
 * The canonical network of DESIGN.md as a graph: D blocks of linear → (norm) → φ (→ + skip), then the head.
 * Blocks are numbered from 0 as in the state_dict (`blocks.{l}`); the skip starts at the second block.
 */
import type { ModelConfig } from '../config.ts';
import { GraphBuilder, type Graph } from './graph.ts';

export interface DataShape {
  inputDim: number;
  outputDim: number;
  task: Graph['task'];
}

export function mlpGraph(model: Pick<ModelConfig, 'depth' | 'width' | 'activation' | 'norm' | 'residual'>, data: DataShape): Graph {
  const g = new GraphBuilder();
  const input = g.tensor('input', [data.inputDim]);
  let h = input;
  for (let l = 0; l < model.depth; l++) {
    const p = `blocks.${l}`;
    const z = g.tensor(`${p}.z`, [model.width]);
    const node = g.node({ kind: 'linear', name: p, input: h, output: z, bias: true });
    let u = z;
    if (model.norm !== 'none') {
      u = g.tensor(`${p}.u`, [model.width]);
      g.node({ kind: 'norm', norm: model.norm, name: `${p}.norm`, input: z, output: u });
    }
    const a = g.tensor(`${p}.a`, [model.width]);
    g.node({ kind: 'activation', activation: model.activation, input: u, output: a });
    let out = a;
    if (l > 0 && model.residual !== 'none') {
      out = g.tensor(`${p}.h`, [model.width]);
      g.node({ kind: 'add', name: p, skip: h, input: a, output: out, alpha: model.residual === 'rezero' ? 'learned' : 'fixed' });
    }
    g.row({ name: p, kind: 'linear', node, z, u, h: out, activation: model.activation });
    h = out;
  }
  const logits = g.tensor('logits', [data.outputDim]);
  const head = g.node({ kind: 'linear', name: 'head', input: h, output: logits, bias: true });
  g.row({ name: 'head', kind: 'linear', node: head, z: logits, u: logits, h: logits, activation: 'linear' });
  return g.build(input, logits, data.task);
}
