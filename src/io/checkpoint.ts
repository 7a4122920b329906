/**
 * Checkpoints as safetensors with PyTorch state_dict names (DESIGN.md). A checkpoint holds the weights and
 * batch norm's running statistics; one saved from training also holds what `--resume` needs to continue
 * bit for bit: the optimizer's moments (`optimizer.<param>.<torch.optim state name>`), and in __metadata__
 * the step and the data sampler's position. PyTorch users load the weights strictly by dropping the
 * `optimizer.` tensors (python/gradscope_torch.py does).
 */
import type { OptimizerKind } from '../kernels/optimizer.ts';
import type { RunConfig } from '../model/config.ts';
import type { TensorStore } from '../model/tensor-store.ts';
import type { TrainingState } from '../train/trainer.ts';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, type Safetensors, type TensorInput } from './safetensors.ts';

/** Tensors in a file that are not weights: gradient dumps' extras and the optimizer's state. */
const NOT_WEIGHTS = /^(grad\.|input\.|optimizer\.)|^loss$/;

/** torch.optim's names for the state each optimizer keeps, in the order of the network's m and v arenas. */
const STATE_NAMES: Record<OptimizerKind, readonly string[]> = {
  sgd: [],
  momentum: ['momentum_buffer'],
  adam: ['exp_avg', 'exp_avg_sq'],
  adamw: ['exp_avg', 'exp_avg_sq'],
};

/** The optimizer's moments (m, then v) with the torch.optim name of each. */
function stateParts(store: TensorStore, kind: OptimizerKind): { part: 'm' | 'v'; name: string }[] {
  return STATE_NAMES[kind].map((name, i) => {
    const part = i === 0 ? 'm' : 'v';
    if (!store.has(part)) throw new Error(`${kind} keeps ${name}, but the network has no room for it`);
    return { part, name };
  });
}

const paramsOf = (store: TensorStore) => store.tensors.filter((t) => t.kind === 'param');

/** What `--save` adds so that `--resume` can continue the run. */
export interface SavedTraining {
  optimizer: OptimizerKind;
  state: TrainingState;
  /** A run that went non-finite keeps its last finite weights but cannot be continued as if it had not. */
  divergedAt: number | null;
}

/** The current weights (and, given `training`, everything --resume needs) as safetensors bytes. */
export async function saveCheckpoint(store: TensorStore, config: RunConfig, extra: TensorInput[] = [], training?: SavedTraining): Promise<Uint8Array> {
  const tensors: TensorInput[] = [];
  for (const t of store.tensors) tensors.push({ name: t.name, dtype: 'F32', shape: [...t.shape], data: await store.read(t) });
  const metadata: Record<string, string> = { config: JSON.stringify(config) };
  if (training) {
    for (const { part, name } of stateParts(store, training.optimizer)) {
      for (const p of paramsOf(store)) tensors.push({ name: `optimizer.${p.name}.${name}`, dtype: 'F32', shape: [...p.shape], data: await store.read(p, part) });
    }
    metadata.step = String(training.state.step);
    metadata.sampler = JSON.stringify(training.state.sampler);
    if (training.divergedAt !== null) metadata.diverged_at = String(training.divergedAt);
  }
  return encodeSafetensors([...tensors, ...extra], metadata);
}

/** Check every named tensor against the network before writing any, so a bad file leaves the network as it was. */
function matchTensors(file: Safetensors, wanted: readonly { name: string; shape: readonly number[] }[], source: string, why: string): Float32Array[] {
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
export function loadCheckpoint(store: TensorStore, bytes: Uint8Array | Safetensors, source: string): Safetensors {
  const file = bytes instanceof Uint8Array ? decodeSafetensors(bytes, source) : bytes;
  const entries = store.tensors;
  const known = new Set(entries.map((e) => e.name));
  const extra = [...file.tensors.keys()].filter((n) => !known.has(n) && !NOT_WEIGHTS.test(n));
  if (extra.length) {
    throw new SafetensorsError(`${source}: tensor ${extra[0]} does not belong to this network (${store.description}); load it with the config it was saved with`);
  }
  const data = matchTensors(file, entries, source, `this network needs ${entries.length} tensors (saved with another config?)`);
  entries.forEach((e, i) => store.write(e, data[i]!));
  store.clearOptimizerState();
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
export function loadOptimizerState(store: TensorStore, file: Safetensors, kind: OptimizerKind, source: string): void {
  const parts = stateParts(store, kind);
  const params = paramsOf(store);
  const wanted = parts.flatMap(({ name }) => params.map((p) => ({ name: `optimizer.${p.name}.${name}`, shape: p.shape })));
  const data = matchTensors(file, wanted, source, `--resume needs the ${kind} state of every parameter`);
  let i = 0;
  for (const { part } of parts) for (const p of params) store.write(p, data[i++]!, part);
}
