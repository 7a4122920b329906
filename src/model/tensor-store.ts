/**
 * A network's named tensors as files see them: PyTorch state_dict names and layouts, whatever the engine
 * keeps on the GPU. Checkpoints, gradient dumps and --resume read and write through this, for every
 * architecture.
 */
import type { Arena } from '../gpu/arena.ts';
import type { GraphNetwork } from './graph/graph-network.ts';

export interface StoredTensor {
  readonly name: string;
  readonly shape: readonly number[];
  /** Parameters have gradients and optimizer moments; buffers (batch norm's running statistics) do not. */
  readonly kind: 'param' | 'buffer';
}

/** A parameter's value, its gradient, or the optimizer's first or second moment of it. */
export type TensorPart = 'value' | 'grad' | 'm' | 'v';

export interface TensorStore {
  /** Parameters in state_dict order, then buffers. */
  readonly tensors: readonly StoredTensor[];
  /** The network in a few words, for a file that does not fit it: `depth 20, norm batch, residual none`. */
  readonly description: string;
  has(part: 'm' | 'v'): boolean;
  read(t: StoredTensor, part?: TensorPart): Promise<Float32Array>;
  write(t: StoredTensor, data: Float32Array, part?: TensorPart): void;
  clearOptimizerState(): void;
}

/** A layer graph's tensors: conv weights turn from the GPU's OHWI into PyTorch's OIHW on the way out, and back. */
export function graphStore(net: GraphNetwork, description: string): TensorStore {
  const { plan } = net;
  const params = new Map(plan.paramList.map((p) => [p.name, p]));
  const buffers = new Map(plan.buffers.map((b) => [b.name, b]));
  const tensors: StoredTensor[] = [
    ...plan.paramList.map((p) => ({ name: p.name, shape: p.shape, kind: 'param' as const })),
    ...plan.buffers.map((b) => ({ name: b.name, shape: b.shape, kind: 'buffer' as const })),
  ];
  const arena = (t: StoredTensor, part: TensorPart): Arena => {
    const a = { value: net.params, grad: net.grads, m: net.m, v: net.v }[part];
    if (!a) throw new Error(`this optimizer keeps no ${part} for ${t.name}`);
    return a;
  };
  const buffer = (t: StoredTensor, part: TensorPart) => {
    if (part !== 'value') throw new Error(`${t.name} is a buffer: it has no ${part}`);
    return buffers.get(t.name)!;
  };
  return {
    tensors,
    description,
    has: (part) => (part === 'm' ? !!net.m : !!net.v),
    read: (t, part = 'value') => (t.kind === 'buffer' ? net.readBuffer(buffer(t, part)) : net.readParam(params.get(t.name)!, arena(t, part))),
    write: (t, data, part = 'value') => {
      if (t.kind === 'buffer') net.writeBuffer(buffer(t, part), data);
      else net.writeParam(params.get(t.name)!, data, arena(t, part));
    },
    clearOptimizerState: () => net.clearOptimizerState(),
  };
}
