import type { Slot } from '../gpu/arena.ts';
import type { RunConfig } from '../model/config.ts';
import type { Network } from '../model/network.ts';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, type TensorInput } from './safetensors.ts';

/** Every tensor a checkpoint holds, with PyTorch state_dict names: parameters, then batch norm's running stats. */
export interface CheckpointEntry {
  name: string;
  arena: 'params' | 'running';
  slot: Slot;
  shape: number[];
}

export function checkpointEntries(net: Network): CheckpointEntry[] {
  const { plan } = net;
  const entries: CheckpointEntry[] = plan.params.map((p) => ({ name: p.name, arena: 'params', slot: p.slot, shape: p.shape }));
  plan.blocks.forEach((b, l) => {
    if (b.runningMean && b.runningVar) {
      entries.push({ name: `blocks.${l}.norm.running_mean`, arena: 'running', slot: b.runningMean, shape: [plan.shape.width] });
      entries.push({ name: `blocks.${l}.norm.running_var`, arena: 'running', slot: b.runningVar, shape: [plan.shape.width] });
    }
  });
  return entries;
}

/** The current weights as safetensors bytes, with the resolved config in __metadata__. */
export async function saveCheckpoint(net: Network, config: RunConfig, extra: TensorInput[] = []): Promise<Uint8Array> {
  const tensors: TensorInput[] = [];
  for (const e of checkpointEntries(net)) {
    tensors.push({ name: e.name, dtype: 'F32', shape: e.shape, data: await net.readTensor(net.arenas[e.arena], e.slot) });
  }
  return encodeSafetensors([...tensors, ...extra], { config: JSON.stringify(config) });
}

/**
 * Load weights saved by saveCheckpoint (or by PyTorch with the same state_dict names). Every tensor the
 * network needs must be present with its shape; an error names the first that is missing or wrong.
 */
export function loadCheckpoint(net: Network, bytes: Uint8Array, source: string): void {
  const file = decodeSafetensors(bytes, source);
  const entries = checkpointEntries(net);
  const known = new Set(entries.map((e) => e.name));
  const extra = [...file.tensors.keys()].filter((n) => !known.has(n) && !n.startsWith('grad.') && !n.startsWith('input.') && n !== 'loss');
  if (extra.length) {
    throw new SafetensorsError(`${source}: tensor ${extra[0]} does not belong to this network (depth ${net.plan.shape.depth}, norm ${net.plan.shape.norm}, residual ${net.plan.shape.residual}); load it with the config it was saved with`);
  }
  const writes: (() => void)[] = [];
  for (const e of entries) {
    const t = file.tensors.get(e.name);
    if (!t) throw new SafetensorsError(`${source}: tensor ${e.name} is missing; this network needs ${entries.length} tensors (saved with another config?)`);
    if (t.dtype !== 'F32' || t.shape.join('×') !== e.shape.join('×')) {
      throw new SafetensorsError(`${source}: ${e.name} is ${t.dtype} [${t.shape.join(', ')}], this network needs F32 [${e.shape.join(', ')}]`);
    }
    const data = t.data as Float32Array;
    writes.push(() => net.writeTensor(e.arena, e.slot, data));
  }
  // Validate everything before writing anything, so a bad file leaves the network as it was.
  for (const w of writes) w();
  net.clearOptimizerState();
}
