/**
 * Checkpoints as safetensors with PyTorch state_dict names (DESIGN.md). A checkpoint holds the weights and
 * batch norm's running statistics; one saved from training also holds what `--resume` needs to continue
 * bit for bit: the optimizer's moments (`optimizer.<param>.<torch.optim state name>`), and in __metadata__
 * the step and the data sampler's position. PyTorch users load the weights strictly by dropping the
 * `optimizer.` tensors (python/gradscope_torch.py does).
 */
import type { Arena, Slot } from '../gpu/arena.ts';
import type { OptimizerKind } from '../kernels/optimizer.ts';
import type { RunConfig } from '../model/config.ts';
import type { Network } from '../model/network.ts';
import type { TrainingState } from '../train/trainer.ts';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, type Safetensors, type TensorInput } from './safetensors.ts';

/** Every tensor a checkpoint holds, with PyTorch state_dict names: parameters, then batch norm's running stats. */
export interface CheckpointEntry {
  name: string;
  arena: 'params' | 'running';
  slot: Slot;
  shape: number[];
}

/** Tensors in a file that are not weights: gradient dumps' extras and the optimizer's state. */
const NOT_WEIGHTS = /^(grad\.|input\.|optimizer\.)|^loss$/;

/** torch.optim's names for the state each optimizer keeps, in the order of the network's m and v arenas. */
const STATE_NAMES: Record<OptimizerKind, readonly string[]> = {
  sgd: [],
  momentum: ['momentum_buffer'],
  adam: ['exp_avg', 'exp_avg_sq'],
  adamw: ['exp_avg', 'exp_avg_sq'],
};

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

/** The optimizer's state arenas (m, then v) with the torch.optim name of each. */
function stateArenas(net: Network, kind: OptimizerKind): { arena: Arena; name: string }[] {
  return STATE_NAMES[kind].map((name, i) => {
    const arena = i === 0 ? net.m : net.v;
    if (!arena) throw new Error(`${kind} keeps ${name}, but the network has no arena for it`);
    return { arena, name };
  });
}

/** What `--save` adds so that `--resume` can continue the run. */
export interface SavedTraining {
  optimizer: OptimizerKind;
  state: TrainingState;
  /** A run that went non-finite keeps its last finite weights but cannot be continued as if it had not. */
  divergedAt: number | null;
}

/** The current weights (and, given `training`, everything --resume needs) as safetensors bytes. */
export async function saveCheckpoint(net: Network, config: RunConfig, extra: TensorInput[] = [], training?: SavedTraining): Promise<Uint8Array> {
  const tensors: TensorInput[] = [];
  const entries = checkpointEntries(net);
  for (const e of entries) tensors.push({ name: e.name, dtype: 'F32', shape: e.shape, data: await net.readTensor(net.arenas[e.arena], e.slot) });
  const metadata: Record<string, string> = { config: JSON.stringify(config) };
  if (training) {
    for (const { arena, name } of stateArenas(net, training.optimizer)) {
      for (const p of net.plan.params) tensors.push({ name: `optimizer.${p.name}.${name}`, dtype: 'F32', shape: p.shape, data: await net.readTensor(arena, p.slot) });
    }
    metadata.step = String(training.state.step);
    metadata.sampler = JSON.stringify(training.state.sampler);
    if (training.divergedAt !== null) metadata.diverged_at = String(training.divergedAt);
  }
  return encodeSafetensors([...tensors, ...extra], metadata);
}

/** Check every named tensor against the network before writing any, so a bad file leaves the network as it was. */
function matchTensors(file: Safetensors, wanted: readonly { name: string; shape: number[] }[], source: string, why: string): Float32Array[] {
  return wanted.map((e) => {
    const t = file.tensors.get(e.name);
    if (!t) throw new SafetensorsError(`${source}: tensor ${e.name} is missing; ${why}`);
    if (t.dtype !== 'F32' || t.shape.join('×') !== e.shape.join('×')) {
      throw new SafetensorsError(`${source}: ${e.name} is ${t.dtype} [${t.shape.join(', ')}], this network needs F32 [${e.shape.join(', ')}]`);
    }
    return t.data as Float32Array;
  });
}

/**
 * Load weights saved by saveCheckpoint (or by PyTorch with the same state_dict names). Every tensor the
 * network needs must be present with its shape; an error names the first that is missing or wrong. The
 * optimizer starts fresh: this is `--load`, a new run from these weights.
 */
export function loadCheckpoint(net: Network, bytes: Uint8Array | Safetensors, source: string): Safetensors {
  const file = bytes instanceof Uint8Array ? decodeSafetensors(bytes, source) : bytes;
  const entries = checkpointEntries(net);
  const known = new Set(entries.map((e) => e.name));
  const extra = [...file.tensors.keys()].filter((n) => !known.has(n) && !NOT_WEIGHTS.test(n));
  if (extra.length) {
    throw new SafetensorsError(`${source}: tensor ${extra[0]} does not belong to this network (depth ${net.plan.shape.depth}, norm ${net.plan.shape.norm}, residual ${net.plan.shape.residual}); load it with the config it was saved with`);
  }
  const data = matchTensors(file, entries, source, `this network needs ${entries.length} tensors (saved with another config?)`);
  entries.forEach((e, i) => net.writeTensor(e.arena, e.slot, data[i]!));
  net.clearOptimizerState();
  return file;
}

/** The training position a checkpoint carries, or a one-line reason it cannot be resumed. */
export function savedTraining(file: Safetensors, source: string): TrainingState {
  const { step, sampler, diverged_at: diverged } = file.metadata;
  if (step === undefined || sampler === undefined) {
    throw new SafetensorsError(`${source}: holds no training state (a weights-only file, from grads, PyTorch or an older gradscope); use --load to start a new run from its weights`);
  }
  if (diverged !== undefined) {
    throw new SafetensorsError(`${source}: that run went non-finite at step ${diverged}, so its weights are from step ${Number(diverged) - 1}; use --load to start a new run from them`);
  }
  const n = Number(step);
  if (!Number.isInteger(n) || n < 0) throw new SafetensorsError(`${source}: metadata step must be a whole number (got ${JSON.stringify(step)})`);
  try {
    return { step: n, sampler: JSON.parse(sampler) as TrainingState['sampler'] };
  } catch {
    throw new SafetensorsError(`${source}: metadata sampler is not JSON`);
  }
}

/** Write a checkpoint's optimizer moments into the network (after loadCheckpoint wrote the weights). */
export function loadOptimizerState(net: Network, file: Safetensors, kind: OptimizerKind, source: string): void {
  const arenas = stateArenas(net, kind);
  const wanted = arenas.flatMap(({ name }) => net.plan.params.map((p) => ({ name: `optimizer.${p.name}.${name}`, shape: p.shape })));
  const data = matchTensors(file, wanted, source, `--resume needs the ${kind} state of every parameter`);
  let i = 0;
  for (const { arena } of arenas) {
    for (const p of net.plan.params) {
      const d = data[i++]!;
      net.ctx.device.queue.writeBuffer(arena.buffers[p.slot.chunk]!, p.slot.offset, d.buffer, d.byteOffset, d.byteLength);
    }
  }
}
