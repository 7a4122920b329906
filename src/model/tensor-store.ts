/**
 * A network's named tensors as files see them: PyTorch state_dict names and layouts, whatever the engine
 * keeps on the GPU. Checkpoints, gradient dumps and --resume read and write through this, for every
 * architecture.
 */
import type { Arena, Slot } from '../gpu/arena.ts';
import type { GraphNetwork } from './graph/graph-network.ts';
import type { Network } from './network.ts';

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

/** The canonical MLP's tensors (src/model/plan.ts lays them out; none needs a layout change). */
export function mlpStore(net: Network): TensorStore {
  const { plan } = net;
  const where = new Map<string, { slot: Slot; kind: StoredTensor['kind'] }>();
  const tensors: StoredTensor[] = plan.params.map((p) => {
    where.set(p.name, { slot: p.slot, kind: 'param' });
    return { name: p.name, shape: p.shape, kind: 'param' };
  });
  plan.blocks.forEach((b, l) => {
    if (!b.runningMean || !b.runningVar) return;
    for (const [stat, slot] of [['running_mean', b.runningMean], ['running_var', b.runningVar]] as const) {
      const name = `blocks.${l}.norm.${stat}`;
      where.set(name, { slot, kind: 'buffer' });
      tensors.push({ name, shape: [plan.shape.width], kind: 'buffer' });
    }
  });
  const arena = (t: StoredTensor, part: TensorPart): Arena => {
    if (t.kind === 'buffer') {
      if (part !== 'value') throw new Error(`${t.name} is a buffer: it has no ${part}`);
      return net.arenas.running;
    }
    const a = { value: net.arenas.params, grad: net.grads, m: net.m, v: net.v }[part];
    if (!a) throw new Error(`this optimizer keeps no ${part} for ${t.name}`);
    return a;
  };
  const slot = (t: StoredTensor): Slot => where.get(t.name)!.slot;
  const s = plan.shape;
  return {
    tensors,
    description: `depth ${s.depth}, norm ${s.norm}, residual ${s.residual}`,
    has: (part) => (part === 'm' ? !!net.m : !!net.v),
    read: (t, part = 'value') => net.readTensor(arena(t, part), slot(t)),
    write: (t, data, part = 'value') => {
      const sl = slot(t);
      net.ctx.device.queue.writeBuffer(arena(t, part).buffers[sl.chunk]!, sl.offset, data.buffer, data.byteOffset, data.byteLength);
    },
    clearOptimizerState: () => net.clearOptimizerState(),
  };
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
