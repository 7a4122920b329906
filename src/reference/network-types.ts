// Types and shape guards of the float64 reference network (DESIGN.md, "The canonical network").
import type { Activation } from './activations.ts';
import { checkLength, checkSize } from './checks.ts';

export type NormKind = 'none' | 'batch' | 'layer';
export type ResidualKind = 'none' | 'identity' | 'rezero';
export type TaskKind = 'classification' | 'regression';

export interface NetSpec {
  inputDim: number;
  outputDim: number;
  width: number;
  /** Number of hidden blocks D. */
  depth: number;
  activation: Activation;
  norm: NormKind;
  residual: ResidualKind;
  task: TaskKind;
}

export interface BlockParams {
  /** width×fan_in, row-major, PyTorch's [out, in]. */
  weight: Float64Array;
  bias: Float64Array;
  /** Norm scale and shift (norm ≠ none). */
  gamma?: Float64Array;
  beta?: Float64Array;
  /** Batch norm only; PyTorch's fresh values (0 and 1) when absent. */
  runningMean?: Float64Array;
  runningVar?: Float64Array;
  /** ReZero's learnable residual scale (required for blocks 1..D-1 with residual 'rezero'). */
  alpha?: number;
}

export interface NetParams {
  blocks: BlockParams[];
  /** weight is outputDim×width. */
  head: { weight: Float64Array; bias: Float64Array };
}

export interface BlockGrads {
  weight: Float64Array;
  bias: Float64Array;
  gamma?: Float64Array;
  beta?: Float64Array;
  alpha?: number;
}

export interface NetGrads {
  blocks: BlockGrads[];
  head: { weight: Float64Array; bias: Float64Array };
}

/** Per-layer statistics (DESIGN.md, "Per-layer statistics"): depth + 1 entries, blocks then the head. */
export interface LayerStats {
  gradNorm: number[];
  deltaNorm: number[];
  weightNorm: number[];
  actMean: number[];
  actStd: number[];
  saturated: number[];
  dead: number[];
}

/** One block's forward values, each B×width: z = h_prev·Wᵀ + b, u = N(z), a = φ(u), h = block output. */
export interface BlockCache {
  z: Float64Array;
  u: Float64Array;
  a: Float64Array;
  h: Float64Array;
}

export interface RunningStats {
  mean: Float64Array;
  var: Float64Array;
}

export interface NetOptions {
  /** Batch norm normalizes with batch statistics when true (default), with the running ones when false. */
  train?: boolean;
}

export interface NetResult {
  loss: number;
  /** Rows whose argmax is the label (classification; 0 for regression). */
  correct: number;
  logits: Float64Array;
  grads: NetGrads;
  stats: LayerStats;
  /** Batch norm in train mode: the running statistics after this step, per block (params are not mutated). */
  newRunningStats?: RunningStats[];
  cache: BlockCache[];
}

/** Whether block l (0-based) adds its input back: residual on, and not the first block (its fan-in differs). */
export function hasSkip(spec: NetSpec, l: number): boolean {
  return spec.residual !== 'none' && l >= 1;
}

export function fanIn(spec: NetSpec, l: number): number {
  return l === 0 ? spec.inputDim : spec.width;
}

function checkSpec(spec: NetSpec): void {
  checkSize(spec.inputDim, 'NetSpec.inputDim');
  checkSize(spec.outputDim, 'NetSpec.outputDim');
  checkSize(spec.width, 'NetSpec.width');
  checkSize(spec.depth, 'NetSpec.depth');
}

function checkBlock(spec: NetSpec, block: BlockParams, l: number): void {
  const name = `params.blocks[${l}]`;
  checkLength(block.weight, spec.width * fanIn(spec, l), `${name}.weight (${spec.width}×${fanIn(spec, l)})`);
  checkLength(block.bias, spec.width, `${name}.bias`);
  if (spec.norm !== 'none') {
    if (!block.gamma || !block.beta) {
      throw new RangeError(`${name} needs gamma and beta (length ${spec.width}) for norm '${spec.norm}'`);
    }
    checkLength(block.gamma, spec.width, `${name}.gamma`);
    checkLength(block.beta, spec.width, `${name}.beta`);
  }
  if (spec.norm === 'batch') {
    if (block.runningMean) checkLength(block.runningMean, spec.width, `${name}.runningMean`);
    if (block.runningVar) checkLength(block.runningVar, spec.width, `${name}.runningVar`);
  }
  if (spec.residual === 'rezero' && l >= 1 && typeof block.alpha !== 'number') {
    throw new RangeError(`${name}.alpha must be a number for residual 'rezero' (ReZero starts it at 0)`);
  }
}

/** Throws a RangeError naming the first argument whose shape does not match the spec. */
export function checkNet(spec: NetSpec, params: NetParams, x: ArrayLike<number>, B: number): void {
  checkSpec(spec);
  checkSize(B, 'batch size B');
  if (params.blocks.length !== spec.depth) {
    throw new RangeError(`params.blocks must have one entry per block, NetSpec.depth = ${spec.depth} (got ${params.blocks.length})`);
  }
  params.blocks.forEach((block, l) => checkBlock(spec, block, l));
  checkLength(params.head.weight, spec.outputDim * spec.width, `params.head.weight (${spec.outputDim}×${spec.width})`);
  checkLength(params.head.bias, spec.outputDim, 'params.head.bias');
  checkLength(x, B * spec.inputDim, `x (${B}×${spec.inputDim})`);
}

function cloneBlock(block: BlockParams): BlockParams {
  const copy: BlockParams = { weight: block.weight.slice(), bias: block.bias.slice() };
  if (block.gamma) copy.gamma = block.gamma.slice();
  if (block.beta) copy.beta = block.beta.slice();
  if (block.runningMean) copy.runningMean = block.runningMean.slice();
  if (block.runningVar) copy.runningVar = block.runningVar.slice();
  if (block.alpha !== undefined) copy.alpha = block.alpha;
  return copy;
}

/** A deep copy: every array is new, so perturbing the copy (finite differences) leaves the original alone. */
export function cloneParams(params: NetParams): NetParams {
  return {
    blocks: params.blocks.map(cloneBlock),
    head: { weight: params.head.weight.slice(), bias: params.head.bias.slice() },
  };
}
