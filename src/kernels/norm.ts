import type { KernelContext } from '../gpu/context.ts';
import { dispatch1d } from '../gpu/dispatch.ts';
import type { BindingKind, BufferRange, Dispatch, KernelSpec } from '../gpu/kernel.ts';
import { SHADERS } from './shaders.ts';
import { batchNormStrategy, isCpuAdapter, layerNormStrategy, type BatchNormStrategy, type LayerNormStrategy } from './tunables.ts';

/** eps of both norms and batch norm's running-stat momentum (DESIGN.md, "The canonical network"). */
export const NORM_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

/**
 * Threads per workgroup (powers of two). Rows are a layer's width (64 by default): 64 threads cover one
 * in a single stride and loop over wider ones. Column kernels spread COL_WG as COLS × (COL_WG / COLS),
 * 16 adjacent columns by 8 lanes striding down the batch.
 */
const ROW_WG = 64;
const COL_WG = 128;
const COLS = 16;
const ELEMENT_WG = 256;
/** The one-invocation-per-row (or column) layer norm kernels. */
const ROWWISE_WG = 64;

export type NormEntry =
  | 'layer_norm_forward'
  | 'layer_norm_backward'
  | 'layer_norm_backward_params'
  | 'layer_norm_forward_rows'
  | 'layer_norm_backward_rows'
  | 'layer_norm_backward_params_cols'
  | 'batch_norm_forward_train_cols'
  | 'batch_norm_backward_cols'
  | 'batch_norm_forward_train'
  | 'batch_norm_forward_eval'
  | 'batch_norm_backward';

type Layout = readonly (readonly [string, BindingKind])[];
// Binding names are the WGSL variable names (a test checks them against shaders/norm.wgsl).
const HEAD = [['params', 'uniform'], ['x', 'read'], ['gamma', 'read']] as const satisfies Layout;
const FORWARD = [...HEAD, ['beta', 'read'], ['y', 'rw'], ['mean_out', 'rw'], ['rstd_out', 'rw']] as const satisfies Layout;
const TRAIN = [...FORWARD, ['running_mean', 'rw'], ['running_var', 'rw']] as const satisfies Layout;
const EVAL = [
  ...HEAD,
  ['beta', 'read'],
  ['y', 'rw'],
  ['running_mean_in', 'read'],
  ['running_var_in', 'read'],
] as const satisfies Layout;
/** All three backward entry points share one layout (and so one bind group per layer). */
const BACKWARD = [
  ...HEAD,
  ['dy', 'read'],
  ['dx', 'rw'],
  ['mean', 'read'],
  ['rstd', 'read'],
  ['dgamma', 'rw'],
  ['dbeta', 'rw'],
] as const satisfies Layout;

const LAYOUTS = {
  layer_norm_forward: FORWARD,
  layer_norm_backward: BACKWARD,
  layer_norm_backward_params: BACKWARD,
  layer_norm_forward_rows: FORWARD,
  layer_norm_backward_rows: BACKWARD,
  layer_norm_backward_params_cols: BACKWARD,
  batch_norm_forward_train_cols: TRAIN,
  batch_norm_backward_cols: BACKWARD,
  batch_norm_forward_train: TRAIN,
  batch_norm_forward_eval: EVAL,
  batch_norm_backward: BACKWARD,
} as const;

type Names<L extends Layout> = L[number][0];

/** Row-major B×F: x, y, dy, dx. Per feature (F): gamma, beta, dgamma, dbeta, running stats. */
export interface LayerNormForwardTensors {
  readonly x: BufferRange;
  readonly gamma: BufferRange;
  readonly beta: BufferRange;
  readonly y: BufferRange;
  /** B each (per row), written for the backward pass */
  readonly mean: BufferRange;
  readonly rstd: BufferRange;
}

/** As layer norm, but mean and rstd hold F each (per column). */
export interface BatchNormTrainTensors extends LayerNormForwardTensors {
  /** F each, read and updated in place */
  readonly runningMean: BufferRange;
  readonly runningVar: BufferRange;
}

export type BatchNormEvalTensors = Omit<BatchNormTrainTensors, 'mean' | 'rstd'>;

/** mean and rstd as the forward pass wrote them (B each for layer norm, F each for batch norm). */
export interface NormBackwardTensors {
  readonly dy: BufferRange;
  readonly x: BufferRange;
  readonly gamma: BufferRange;
  readonly mean: BufferRange;
  readonly rstd: BufferRange;
  readonly dx: BufferRange;
  readonly dgamma: BufferRange;
  readonly dbeta: BufferRange;
}

const THREADS: Record<NormEntry, number> = {
  layer_norm_forward: ROW_WG,
  layer_norm_backward: ROW_WG,
  layer_norm_backward_params: COL_WG,
  layer_norm_forward_rows: ROWWISE_WG,
  layer_norm_backward_rows: ROWWISE_WG,
  layer_norm_backward_params_cols: ROWWISE_WG,
  batch_norm_forward_train_cols: ROWWISE_WG,
  batch_norm_backward_cols: ROWWISE_WG,
  batch_norm_forward_train: COL_WG,
  batch_norm_forward_eval: ELEMENT_WG,
  batch_norm_backward: COL_WG,
};

export function normSpec<E extends NormEntry>(entry: E): KernelSpec<Names<(typeof LAYOUTS)[E]>> {
  return {
    shader: SHADERS.norm,
    entry,
    bindings: LAYOUTS[entry],
    constants: { WG: THREADS[entry], COLS, EPS: NORM_EPS, MOMENTUM: BN_MOMENTUM },
  };
}

/**
 * Workgroups: one per row (layer norm), one per COLS columns (batch norm, dγ/dβ), per element, or (the
 * rowwise layer norm) one invocation per row or column.
 */
export const normDispatch = {
  rows: (B: number) => dispatch1d(B, 1),
  cols: (F: number) => dispatch1d(F, COLS),
  elements: (B: number, F: number) => dispatch1d(B * F, ELEMENT_WG),
  invocations: (n: number) => dispatch1d(n, ROWWISE_WG),
};

/**
 * Throws a RangeError naming the first tensor that holds fewer floats than its shape needs.
 * Larger ranges are fine (arena slots are padded to their alignment).
 */
function checkTensors(op: string, B: number, F: number, t: object, perRow: string[]): void {
  for (const [k, v] of [['B', B], ['F', F]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${op}: ${k} must be a positive integer (got ${v})`);
  }
  for (const [name, r] of Object.entries(t) as [string, BufferRange][]) {
    const [floats, shape] =
      name === 'x' || name === 'y' || name === 'dy' || name === 'dx'
        ? [B * F, `B×F = ${B}×${F}`]
        : perRow.includes(name)
          ? [B, `B = ${B}`]
          : [F, `F = ${F}`];
    if (r.size < floats * 4) {
      throw new RangeError(`${op}: ${name} holds ${Math.floor(r.size / 4)} floats, needs ${floats} (${shape})`);
    }
  }
}

type ForwardCommon = Readonly<Record<'params' | 'x' | 'gamma' | 'beta' | 'y', BufferRange>>;

function forwardRanges(ctx: KernelContext, B: number, F: number, t: BatchNormEvalTensors | LayerNormForwardTensors): ForwardCommon {
  return { params: ctx.paramBlock([B, F]), x: t.x, gamma: t.gamma, beta: t.beta, y: t.y };
}

/**
 * Layer norm over each row: y = x̂·γ + β; mean and rstd (B each) are kept for the backward pass. The
 * strategy (one invocation or one workgroup per row) follows the row's length and the adapter unless given.
 */
export function layerNormForward(
  ctx: KernelContext,
  B: number,
  F: number,
  t: LayerNormForwardTensors,
  strategy: LayerNormStrategy = layerNormStrategy(F, isCpuAdapter(ctx.gpu.adapter)),
): Promise<Dispatch> {
  checkTensors('layerNormForward', B, F, t, ['mean', 'rstd']);
  const ranges = { ...forwardRanges(ctx, B, F, t), mean_out: t.mean, rstd_out: t.rstd };
  if (strategy === 'rows') return ctx.dispatch('layer norm forward', normSpec('layer_norm_forward_rows'), ranges, normDispatch.invocations(B));
  return ctx.dispatch('layer norm forward', normSpec('layer_norm_forward'), ranges, normDispatch.rows(B));
}

/** dx per row, then dγ, dβ (F each) as column sums over the batch: two dispatches, in this order. */
export function layerNormBackward(
  ctx: KernelContext,
  B: number,
  F: number,
  t: NormBackwardTensors,
  strategy: LayerNormStrategy = layerNormStrategy(F, isCpuAdapter(ctx.gpu.adapter)),
): Promise<Dispatch[]> {
  checkTensors('layerNormBackward', B, F, t, ['mean', 'rstd']);
  const ranges = { ...t, params: ctx.paramBlock([B, F]) };
  if (strategy === 'rows') {
    return Promise.all([
      ctx.dispatch('layer norm backward', normSpec('layer_norm_backward_rows'), ranges, normDispatch.invocations(B)),
      ctx.dispatch('layer norm dγ dβ', normSpec('layer_norm_backward_params_cols'), ranges, normDispatch.invocations(F)),
    ]);
  }
  return Promise.all([
    ctx.dispatch('layer norm backward', normSpec('layer_norm_backward'), ranges, normDispatch.rows(B)),
    ctx.dispatch('layer norm dγ dβ', normSpec('layer_norm_backward_params'), ranges, normDispatch.cols(F)),
  ]);
}

/**
 * Batch norm in training: per-column batch statistics (mean, rstd: F each, kept for backward), and
 * runningMean/runningVar updated in place with momentum 0.1 and the unbiased variance (PyTorch).
 */
export function batchNormForwardTrain(
  ctx: KernelContext,
  B: number,
  F: number,
  t: BatchNormTrainTensors,
  strategy: BatchNormStrategy = batchNormStrategy(B, isCpuAdapter(ctx.gpu.adapter)),
): Promise<Dispatch> {
  checkTensors('batchNormForwardTrain', B, F, t, []);
  const ranges = {
    ...forwardRanges(ctx, B, F, t),
    mean_out: t.mean,
    rstd_out: t.rstd,
    running_mean: t.runningMean,
    running_var: t.runningVar,
  };
  if (strategy === 'cols') return ctx.dispatch('batch norm forward', normSpec('batch_norm_forward_train_cols'), ranges, normDispatch.invocations(F));
  return ctx.dispatch('batch norm forward', normSpec('batch_norm_forward_train'), ranges, normDispatch.cols(F));
}

/** Batch norm in eval: normalizes with runningMean/runningVar, which it only reads. */
export function batchNormForwardEval(ctx: KernelContext, B: number, F: number, t: BatchNormEvalTensors): Promise<Dispatch> {
  checkTensors('batchNormForwardEval', B, F, t, []);
  const ranges = { ...forwardRanges(ctx, B, F, t), running_mean_in: t.runningMean, running_var_in: t.runningVar };
  return ctx.dispatch('batch norm eval', normSpec('batch_norm_forward_eval'), ranges, normDispatch.elements(B, F));
}

/** Backward of the training forward: dx, dγ, dβ in one dispatch (a column's sums stay in its workgroup). */
export function batchNormBackward(
  ctx: KernelContext,
  B: number,
  F: number,
  t: NormBackwardTensors,
  strategy: BatchNormStrategy = batchNormStrategy(B, isCpuAdapter(ctx.gpu.adapter)),
): Promise<Dispatch> {
  checkTensors('batchNormBackward', B, F, t, []);
  const ranges = { ...t, params: ctx.paramBlock([B, F]) };
  if (strategy === 'cols') return ctx.dispatch('batch norm backward', normSpec('batch_norm_backward_cols'), ranges, normDispatch.invocations(F));
  return ctx.dispatch('batch norm backward', normSpec('batch_norm_backward'), ranges, normDispatch.cols(F));
}
