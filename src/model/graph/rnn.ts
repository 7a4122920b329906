/**
 * Recurrent nets through time as a graph (DESIGN.md, "rnn"): `model.depth` stacked layers of nn.RNN, nn.LSTM or
 * nn.GRU (batch first) over sequences of T steps, then `head` on the top layer's last hidden state. Each layer
 * is one `recurrent` node; its two weights make two rows of the per-layer statistics, input side first.
 */
import { RNN_GATES, type RnnCell, type RnnNonlinearity } from '../../kernels/rnn.ts';
import { GraphBuilder, type Graph, type StatsRow, type TensorId } from './graph.ts';

export interface RnnModel {
  cell: RnnCell;
  /** nn.RNN's nonlinearity (lstm and gru have their own). */
  nonlinearity: RnnNonlinearity;
  /** H, hidden units per layer. */
  width: number;
  /** Stacked layers. */
  depth: number;
  bptt: number | null;
}

export interface SequenceShape {
  /** T, the time steps. */
  length: number;
  /** Features per step. */
  channels: number;
  outputDim: number;
  task: Graph['task'];
}

export function rnnGraph(model: RnnModel, data: SequenceShape): Graph {
  const { cell, width: H, length: T } = { ...model, length: data.length };
  const GH = RNN_GATES[cell] * H;
  const g = new GraphBuilder();
  const input = g.tensor('input', [T, data.channels]);
  let x: TensorId = input;
  for (let k = 0; k < model.depth; k++) {
    const p = `rnn.l${k}`;
    const top = k === model.depth - 1;
    const hs = g.tensor(`${p}.h`, [T, H]);
    const output = top ? g.tensor(`${p}.last`, [H]) : hs;
    const gates = g.tensor(`${p}.gates`, [T, GH]);
    const gatesHh = cell === 'gru' ? g.tensor(`${p}.gates_hh`, [T, GH]) : null;
    const state = cell === 'rnn' ? null : g.tensor(`${p}.${cell === 'lstm' ? 'c' : 'hn'}`, [T, H]);
    const node = g.node({ kind: 'recurrent', name: 'rnn', layer: k, cell, nonlinearity: model.nonlinearity, input: x, output, saved: { hs, gates, gatesHh, state }, bptt: model.bptt });
    // Saturation: of φ for the plain cell, of tanh(c) for an LSTM; a GRU's h mixes tanh values and has no single φ.
    const u: Pick<StatsRow, 'u' | 'activation'> =
      cell === 'rnn' ? { u: gates, activation: model.nonlinearity } : cell === 'lstm' ? { u: state!, activation: 'tanh' } : { u: hs, activation: 'linear' };
    g.row({ name: `rnn.weight_ih_l${k}`, kind: 'recurrent', node, weight: 'weight_ih', z: gates, h: hs, ...u });
    g.row({ name: `rnn.weight_hh_l${k}`, kind: 'recurrent', node, weight: 'weight_hh', z: gatesHh ?? gates, h: hs, ...u });
    x = output;
  }
  const logits = g.tensor('logits', [data.outputDim]);
  const head = g.node({ kind: 'linear', name: 'head', input: x, output: logits, bias: true });
  g.row({ name: 'head', kind: 'linear', node: head, z: logits, u: logits, h: logits, activation: 'linear' });
  return g.build(input, logits, data.task);
}
