/**
 * What the views call each row of the per-layer arrays: the graph's row names (`blocks.3`, `layer2.0.conv1`)
 * in words for read-outs, and short enough for an axis tick.
 */
import type { ModelConfig } from '../config.ts';
import { residualInput, type Graph, type TensorId } from './graph.ts';
import { mlpGraph } from './mlp.ts';
import { resnetGraph } from './resnet.ts';
import { rnnGraph } from './rnn.ts';

export interface RowLabel {
  /** The state_dict prefix: `blocks.3`, `head`, `layer2.0.conv1`. */
  readonly name: string;
  /** For read-outs: `block 3`, `head`, `stage 2 · block 0 · conv1`. */
  readonly long: string;
  /** For axis ticks: `3`, `head`, `2.0.1`. */
  readonly short: string;
}

type Model = Pick<ModelConfig, 'arch' | 'depth' | 'width' | 'activation' | 'norm' | 'residual'> & Partial<Pick<ModelConfig, 'cell'>>;

/** Row names depend on the architecture and depth only, so a nominal data shape builds the graph. */
export function rowLabels(model: Model): RowLabel[] {
  return nominalGraph(model).rows.map((r) => labelOf(r.name));
}

/** The residual blocks' names in forward order (the residual split's entries), in words; empty without any. */
export function residualLabels(model: Model): RowLabel[] {
  return residualBlocks(nominalGraph(model)).map((b) => labelOf(b.name));
}

/**
 * Each residual block (an add node) with the row whose output it is part of: what the config line's
 * `residualBlocks` lists, in the order of StepRecord.residualSkipNorm. A block whose input is the graph's own
 * input has no split (no gradient is taken there), as src/model/graph/schedule.ts rules.
 */
export function residualBlocks(graph: Graph): { name: string; row: number }[] {
  // The first row whose u or h is each tensor.
  const rowOf = new Map<TensorId, number>();
  graph.rows.forEach((r, i) => {
    if (!rowOf.has(r.u)) rowOf.set(r.u, i);
    if (!rowOf.has(r.h)) rowOf.set(r.h, i);
  });
  return graph.nodes.flatMap((n) => {
    if (n.kind !== 'add' || residualInput(graph, n) === null) return [];
    return [{ name: n.name, row: rowOf.get(n.output) ?? -1 }];
  });
}

function nominalGraph(model: Model): Graph {
  if (model.arch === 'resnet') return resnetGraph(model, { height: 8, width: 8, channels: 1, classes: 2 });
  if (model.arch === 'rnn') {
    return rnnGraph({ cell: model.cell ?? 'lstm', nonlinearity: 'tanh', width: model.width, depth: model.depth, bptt: null }, { length: 1, channels: 1, outputDim: 1, task: 'regression' });
  }
  return mlpGraph(model, { inputDim: 1, outputDim: 1, task: 'classification' });
}

function labelOf(name: string): RowLabel {
  const block = /^blocks\.(\d+)$/.exec(name);
  if (block) return { name, long: `block ${block[1]}`, short: block[1]! };
  const resBlock = /^layer(\d+)\.(\d+)$/.exec(name);
  if (resBlock) return { name, long: `stage ${resBlock[1]} · block ${resBlock[2]}`, short: `${resBlock[1]}.${resBlock[2]}` };
  const conv = /^layer(\d+)\.(\d+)\.conv(\d+)$/.exec(name);
  if (conv) return { name, long: `stage ${conv[1]} · block ${conv[2]} · conv${conv[3]}`, short: `${conv[1]}.${conv[2]}.${conv[3]}` };
  const recurrent = /^rnn\.weight_(ih|hh)_l(\d+)$/.exec(name);
  if (recurrent) return { name, long: `layer ${recurrent[2]} · ${recurrent[1] === 'ih' ? 'input' : 'recurrent'} weights`, short: `${recurrent[2]}.${recurrent[1]}` };
  if (name === 'linear') return { name, long: 'linear (head)', short: 'head' };
  return { name, long: name, short: name };
}
