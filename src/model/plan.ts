import { ArenaLayout, type Slot } from '../gpu/arena.ts';
import { LimitError } from '../gpu/errors.ts';
import type { Activation } from '../kernels/activation.ts';

/** What the engine needs to know about a network; it follows from a RunConfig and its data set. */
export interface NetShape {
  inputDim: number;
  outputDim: number;
  width: number;
  depth: number;
  batch: number;
  activation: Activation;
  norm: 'none' | 'batch' | 'layer';
  residual: 'none' | 'identity' | 'rezero';
  task: 'classification' | 'regression';
  optimizerState: 0 | 1 | 2;
  trainSamples: number;
  testSamples: number;
  /** Steps recorded into one submit (their batch indices are written together). */
  stepsPerSubmit: number;
}

/**
 * Every tensor role gets an arena of its own, and per-layer activations alternate between two
 * arenas by layer parity. WebGPU tracks usage per buffer within a dispatch, so a kernel may never read
 * and write the same buffer: parity keeps h_{l-1} (read) and h_l (written) apart, and so on.
 */
export const ARENAS = [
  'params', // W, b, γ, β, α in state_dict order; grads, m and v share this layout
  'running', // batch norm running mean and variance
  'z', // pre-activations z_l, all layers (needed by backward)
  'u', // normalized u_l (only with a norm layer; else u = z)
  'normStats', // per-layer mean and rstd from the forward pass
  'h0', 'h1', // block outputs h_l by parity
  'dz0', 'dz1', // ∂L/∂z_l by parity, all layers (deltaNorm)
  'dh0', 'dh1', // ∂L/∂h_l by parity, one slot each (transient)
  'du0', 'du1', // ∂L/∂u_l by parity, one slot each (transient; norm only)
  'batchX', 'batchY', 'index', 'evalIndex', 'logits', 'dlogits', 'rowStats',
  'trainX', 'trainY', 'testX', 'testY',
] as const;
export type ArenaName = (typeof ARENAS)[number];

export interface BlockPlan {
  fanIn: number;
  weight: Slot;
  bias: Slot;
  gamma?: Slot;
  beta?: Slot;
  alpha?: Slot;
  runningMean?: Slot;
  runningVar?: Slot;
  /** Whether h_l = h_{l-1} + α·a_l (every block but the first, when residual is on). */
  residual: boolean;
  z: Slot;
  u: Slot; // z's slot again when there is no norm
  mean?: Slot;
  rstd?: Slot;
  h: Slot;
  dz: Slot;
}

/** A named parameter in PyTorch state_dict order (for safetensors and stats segments). */
export interface ParamEntry {
  name: string;
  slot: Slot;
  shape: number[];
  /** Index of the per-layer stats entry it belongs to when it is a weight matrix (gradNorm, weightNorm). */
  layer?: number;
}

export interface Plan {
  shape: NetShape;
  arenas: Record<ArenaName, ArenaLayout>;
  blocks: BlockPlan[];
  head: { weight: Slot; bias: Slot };
  params: ParamEntry[];
  dh: [Slot, Slot];
  du: [Slot, Slot] | undefined;
  batchX: Slot;
  batchY: Slot;
  /** One slot of B batch indices per step of a submit (bind offsets must be 256-byte aligned). */
  index: Slot[];
  /** The test set in chunks of B indices (the last chunk wraps around; eval ignores its extra rows). */
  evalIndex: Slot[];
  logits: Slot;
  dlogits: Slot;
  rowStats: Slot;
  data: { trainX: Slot; trainY: Slot; testX: Slot; testY: Slot };
  /** Bytes of every arena, with optimizer state and the parameter copy for updateRatio. */
  bytes: number;
}

const F = 4;

export const parity = (l: number): 0 | 1 => (l % 2) as 0 | 1;

/** Lay out every tensor; pure, so a plan is checked before any device memory is allocated. */
export function makePlan(s: NetShape, limits: { maxBinding: number; budgetBytes: number }): Plan {
  const a = Object.fromEntries(ARENAS.map((n) => [n, new ArenaLayout(n, limits.maxBinding)])) as Record<ArenaName, ArenaLayout>;
  const act = s.batch * s.width * F;
  const params: ParamEntry[] = [];
  const param = (name: string, shape: number[], layer?: number): Slot => {
    const slot = a.params.add(name, shape.reduce((x, y) => x * y, 1) * F);
    params.push({ name, slot, shape, ...(layer === undefined ? {} : { layer }) });
    return slot;
  };
  const blocks: BlockPlan[] = [];
  for (let l = 0; l < s.depth; l++) {
    const fanIn = l === 0 ? s.inputDim : s.width;
    const p = `blocks.${l}`;
    const weight = param(`${p}.weight`, [s.width, fanIn], l);
    const bias = param(`${p}.bias`, [s.width]);
    const norm = s.norm !== 'none';
    const gamma = norm ? param(`${p}.norm.weight`, [s.width]) : undefined;
    const beta = norm ? param(`${p}.norm.bias`, [s.width]) : undefined;
    const residual = l > 0 && s.residual !== 'none';
    const alpha = residual && s.residual === 'rezero' ? param(`${p}.alpha`, [1]) : undefined;
    const bn = s.norm === 'batch';
    const z = a.z.add(`${p}.z`, act);
    blocks.push({
      fanIn,
      weight,
      bias,
      residual,
      z,
      u: norm ? a.u.add(`${p}.u`, act) : z,
      h: a[`h${parity(l)}`].add(`${p}.h`, act),
      dz: a[`dz${parity(l)}`].add(`${p}.dz`, act),
      ...(gamma && beta ? { gamma, beta } : {}),
      ...(alpha ? { alpha } : {}),
      ...(bn ? { runningMean: a.running.add(`${p}.norm.running_mean`, s.width * F), runningVar: a.running.add(`${p}.norm.running_var`, s.width * F) } : {}),
      ...(norm ? { mean: a.normStats.add(`${p}.mean`, (bn ? s.width : s.batch) * F), rstd: a.normStats.add(`${p}.rstd`, (bn ? s.width : s.batch) * F) } : {}),
    });
  }
  const head = { weight: param('head.weight', [s.outputDim, s.width], s.depth), bias: param('head.bias', [s.outputDim]) };
  const yFloats = s.task === 'classification' ? 1 : s.outputDim;
  const plan: Plan = {
    shape: s,
    arenas: a,
    blocks,
    head,
    params,
    dh: [a.dh0.add('dh0', act), a.dh1.add('dh1', act)],
    du: s.norm === 'none' ? undefined : [a.du0.add('du0', act), a.du1.add('du1', act)],
    batchX: a.batchX.add('x', s.batch * s.inputDim * F),
    batchY: a.batchY.add('y', s.batch * yFloats * F),
    index: Array.from({ length: s.stepsPerSubmit }, (_, k) => a.index.add(`index${k}`, s.batch * F)),
    evalIndex: Array.from({ length: Math.max(1, Math.ceil(s.testSamples / s.batch)) }, (_, k) => a.evalIndex.add(`eval${k}`, s.batch * F)),
    logits: a.logits.add('logits', s.batch * s.outputDim * F),
    dlogits: a.dlogits.add('dlogits', s.batch * s.outputDim * F),
    rowStats: a.rowStats.add('rowStats', s.batch * 2 * F),
    data: {
      trainX: a.trainX.add('trainX', s.trainSamples * s.inputDim * F),
      trainY: a.trainY.add('trainY', s.trainSamples * yFloats * F),
      testX: a.testX.add('testX', Math.max(1, s.testSamples) * s.inputDim * F),
      testY: a.testY.add('testY', Math.max(1, s.testSamples) * yFloats * F),
    },
    bytes: 0,
  };
  // grads and the optimizer's m and v mirror the parameter arena.
  const mirrors = 1 + s.optimizerState;
  plan.bytes = ARENAS.reduce((sum, n) => sum + a[n].totalBytes, 0) + mirrors * a.params.totalBytes;
  if (plan.bytes > limits.budgetBytes) {
    throw new LimitError(
      `This network needs ${formatBytes(plan.bytes)} of GPU memory (depth ${s.depth}, width ${s.width}, batch ${s.batch}); ` +
        `the budget is ${formatBytes(limits.budgetBytes)}. Reduce model.depth, model.width or train.batchSize.`,
    );
  }
  return plan;
}

/** Bytes for a message, in the unit that keeps three significant figures (1.2 KiB, 340 MiB, 4 GiB). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let u = 0;
  while (value >= 1024 && u < units.length - 1) {
    value /= 1024;
    u++;
  }
  return `${u === 0 ? Math.round(value) : Number(value.toPrecision(3))} ${units[u]}`;
}
