/**
 * The parameters and buffers a graph's nodes own, with PyTorch's state_dict names and shapes, in the order
 * the nodes come (which is the state_dict order of the canonical network and of akamaster's ResNets).
 */
import { RNN_GATES, type RnnCell } from '../../kernels/rnn.ts';
import type { Graph, LayerNode, TensorId } from './graph.ts';

export type ParamRole = 'weight' | 'bias' | 'gamma' | 'beta' | 'alpha' | RecurrentRole;

/** A recurrent layer's four tensors, as nn.RNN / nn.LSTM / nn.GRU name them (with the layer's `_l{k}`). */
export type RecurrentRole = 'weight_ih' | 'weight_hh' | 'bias_ih' | 'bias_hh';

export interface ParamSpec {
  /** `blocks.3.weight`, `layer1.0.bn2.bias`, `blocks.4.alpha`. */
  readonly name: string;
  /** PyTorch's shape: [out, in] for a linear, [C_out, C_in, k, k] for a conv. */
  readonly shape: readonly number[];
  readonly node: number;
  readonly role: ParamRole;
  /** For weights: the fan-in and fan-out torch.nn.init uses. */
  readonly fanIn: number;
  readonly fanOut: number;
  /** The stats row whose gradNorm, weightNorm and updateRatio this weight is. */
  readonly row?: number;
  /** Recurrent tensors: the layer's cell and hidden units (their init reads H, and the gate blocks of H rows). */
  readonly recurrent?: { readonly cell: RnnCell; readonly hidden: number };
}

/** Batch norm's running statistics: state, not parameters (no gradient, not optimized). */
export interface BufferSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly node: number;
  readonly role: 'running_mean' | 'running_var';
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The channel (last) dimension of a tensor: what a norm normalizes per, what a conv or linear reads. */
function lastDim(g: Graph, t: TensorId): number {
  return g.tensors[t]!.shape.at(-1)!;
}

function nodeParams(g: Graph, n: LayerNode, node: number, rowOf: (role: ParamRole) => number | undefined): ParamSpec[] {
  const p = (name: string, role: ParamRole, shape: readonly number[], fanIn = 0, fanOut = 0): ParamSpec => {
    const row = rowOf(role);
    return { name, shape, node, role, fanIn, fanOut, ...(row === undefined ? {} : { row }) };
  };
  switch (n.kind) {
    case 'linear': {
      const [fin, fout] = [size(g.tensors[n.input]!.shape), lastDim(g, n.output)];
      return [p(`${n.name}.weight`, 'weight', [fout, fin], fin, fout), ...(n.bias ? [p(`${n.name}.bias`, 'bias', [fout], fin, fout)] : [])];
    }
    case 'conv2d': {
      const [cin, cout, k] = [lastDim(g, n.input), lastDim(g, n.output), n.geometry.kernel];
      const [fin, fout] = [cin * k * k, cout * k * k];
      return [p(`${n.name}.weight`, 'weight', [cout, cin, k, k], fin, fout), ...(n.bias ? [p(`${n.name}.bias`, 'bias', [cout], fin, fout)] : [])];
    }
    case 'norm': {
      const c = lastDim(g, n.input);
      return [p(`${n.name}.weight`, 'gamma', [c]), p(`${n.name}.bias`, 'beta', [c])];
    }
    case 'add':
      return n.alpha === 'learned' ? [p(`${n.name}.alpha`, 'alpha', [1])] : [];
    case 'recurrent': {
      const [H, inputs] = [lastDim(g, n.saved.hs), lastDim(g, n.input)];
      const GH = RNN_GATES[n.cell] * H;
      const recurrent = { cell: n.cell, hidden: H };
      const four: [RecurrentRole, number[], number][] = [['weight_ih', [GH, inputs], inputs], ['weight_hh', [GH, H], H], ['bias_ih', [GH], inputs], ['bias_hh', [GH], H]];
      return four.map(([role, shape, fanIn]) => ({ ...p(`${n.name}.${role}_l${n.layer}`, role, shape, fanIn, GH), recurrent }));
    }
    default:
      return [];
  }
}

export function graphParams(g: Graph): { params: ParamSpec[]; buffers: BufferSpec[] } {
  const rowOf = new Map(g.rows.map((r, i) => [`${r.node}/${r.weight ?? 'weight'}`, i]));
  const params: ParamSpec[] = [];
  const buffers: BufferSpec[] = [];
  g.nodes.forEach((n, i) => {
    params.push(...nodeParams(g, n, i, (role) => rowOf.get(`${i}/${role}`)));
    if (n.kind === 'norm' && n.norm === 'batch') {
      const c = lastDim(g, n.input);
      buffers.push({ name: `${n.name}.running_mean`, shape: [c], node: i, role: 'running_mean' });
      buffers.push({ name: `${n.name}.running_var`, shape: [c], node: i, role: 'running_var' });
    }
  });
  return { params, buffers };
}

/** What the JSONL config line calls `layers`: the name and kind of each row of the per-layer arrays. */
export function layerRows(g: Graph): { name: string; kind: string }[] {
  return g.rows.map((r) => ({ name: r.name, kind: r.kind }));
}
