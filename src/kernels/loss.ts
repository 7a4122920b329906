import type { KernelContext } from '../gpu/context.ts';
import { dispatch1d } from '../gpu/dispatch.ts';
import type { BufferRange, Dispatch, KernelSpec } from '../gpu/kernel.ts';
import { SHADERS } from './shaders.ts';

/**
 * Layout of the loss output buffer (`out`), written by loss_reduce at the end of each loss op. Every
 * word is an f32, so one Float32Array reads it:
 * - loss     the mean loss over the batch (softmax CE: over B rows; MSE: over all B·C elements).
 *            NaN/Inf when an input was, or (cross-entropy) when a label is not below C.
 * - correct  rows whose first argmax equals the label (cross-entropy; 0 for MSE), exact below 2²⁴
 */
export const LOSS_OUT = { loss: 0, correct: 1 } as const;
export const LOSS_OUT_FLOATS = 2;
/**
 * The per-row scratch (`rowStats`) the host provides, ROW_STATS_PER_ROW f32 words a row at row·ROW_STATS_PER_ROW:
 * - loss       the row's loss (MSE: the mean over its C elements)
 * - hit        1 when the row's first argmax equals the label (cross-entropy; 0 for MSE)
 * - predicted  the row's first argmax, the predicted class (cross-entropy, exact below 2²⁴; 0 for MSE)
 * The test-set evaluation reads it back; a training step only folds it into `out`.
 */
export const ROW_STAT = { loss: 0, hit: 1, predicted: 2 } as const;
export const ROW_STATS_PER_ROW = 3;

export interface LossResult {
  readonly loss: number;
  readonly correct: number;
}

/** Decode the output buffer (or a copy of it) as read back. */
export function readLossResult(words: Float32Array): LossResult {
  if (words.length < LOSS_OUT_FLOATS) throw new RangeError(`loss output: got ${words.length} floats, needs ${LOSS_OUT_FLOATS}`);
  return { loss: words[LOSS_OUT.loss]!, correct: words[LOSS_OUT.correct]! };
}

/** Threads per row; rows are short (classes, regression outputs), so a small workgroup wastes less. */
const ROW_WG = 64;
const REDUCE_WG = 64;

export type LossKind = 'cross_entropy' | 'mse';
export type LossEntry = 'softmax_cross_entropy' | 'mean_squared_error' | 'loss_reduce';

// Binding names are the WGSL variable names (a test checks them against shaders/loss.wgsl).
const CE_LAYOUT = [
  ['params', 'uniform'],
  ['logits', 'read'],
  ['labels', 'read'],
  ['grad', 'rw'],
  ['row_stats', 'rw'],
  ['out', 'rw'],
] as const;
const MSE_LAYOUT = [
  ['params', 'uniform'],
  ['pred', 'read'],
  ['targets', 'read'], // `target` is a WGSL reserved word
  ['grad', 'rw'],
  ['row_stats', 'rw'],
  ['out', 'rw'],
] as const;

type CeBinding = (typeof CE_LAYOUT)[number][0];
type MseBinding = (typeof MSE_LAYOUT)[number][0];

/** Both entry points of an op share one layout (and so one bind group): `loss_reduce` reads row_stats, writes out. */
export function lossSpec(kind: 'cross_entropy', entry: 'softmax_cross_entropy' | 'loss_reduce', C?: number): KernelSpec<CeBinding>;
export function lossSpec(kind: 'mse', entry: 'mean_squared_error' | 'loss_reduce', C?: number): KernelSpec<MseBinding>;
export function lossSpec(kind: LossKind, entry: LossEntry, C = ROW_WG): KernelSpec {
  return {
    shader: SHADERS.loss,
    entry,
    bindings: kind === 'mse' ? MSE_LAYOUT : CE_LAYOUT,
    constants: { WG: entry === 'loss_reduce' ? REDUCE_WG : rowWorkgroup(C) },
  };
}

/**
 * Threads per row: the smallest power of two covering C, at most ROW_WG. A 3-class row on 64 threads
 * spends nearly all its time in barriers (9.5 ms against 0.3 ms for 128 rows on SwiftShader).
 */
export function rowWorkgroup(C: number): number {
  let wg = 4;
  while (wg < C && wg < ROW_WG) wg *= 2;
  return wg;
}

export interface CrossEntropyTensors {
  /** B×C f32 */
  readonly logits: BufferRange;
  /** B u32 class ids, each below C */
  readonly labels: BufferRange;
  /** B×C f32 out: (softmax − onehot)/B */
  readonly dlogits: BufferRange;
  /** ROW_STATS_PER_ROW·B f32 scratch, see ROW_STAT */
  readonly rowStats: BufferRange;
  /** LOSS_OUT_FLOATS f32, see LOSS_OUT */
  readonly out: BufferRange;
}

export interface MseTensors {
  /** B×C f32 */
  readonly pred: BufferRange;
  /** B×C f32 */
  readonly target: BufferRange;
  /** B×C f32 out: 2(pred − target)/(B·C) */
  readonly dpred: BufferRange;
  /** ROW_STATS_PER_ROW·B f32 scratch, see ROW_STAT */
  readonly rowStats: BufferRange;
  /** LOSS_OUT_FLOATS f32, see LOSS_OUT */
  readonly out: BufferRange;
}

/** Throws a RangeError naming the first tensor that holds fewer 32-bit words than its shape needs. */
function checkTensors(op: string, B: number, C: number, t: object): void {
  for (const [k, v] of [['B', B], ['C', C]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${op}: ${k} must be a positive integer (got ${v})`);
  }
  const need: Record<string, readonly [number, string]> = {
    labels: [B, `B = ${B} class ids`],
    rowStats: [ROW_STATS_PER_ROW * B, `${ROW_STATS_PER_ROW}·B = ${ROW_STATS_PER_ROW}·${B}`],
    out: [LOSS_OUT_FLOATS, 'see LOSS_OUT'],
  };
  for (const [name, r] of Object.entries(t) as [string, BufferRange][]) {
    const [words, shape] = need[name] ?? [B * C, `B×C = ${B}×${C}`];
    if (r.size < words * 4) {
      throw new RangeError(`${op}: ${name} holds ${Math.floor(r.size / 4)} words, needs ${words} (${shape})`);
    }
  }
}

/**
 * Mean softmax cross-entropy: [per-row dispatch, loss_reduce]; record both, in order. Writes dlogits,
 * and out = [mean loss, correct count] (LOSS_OUT).
 */
export function softmaxCrossEntropy(ctx: KernelContext, B: number, C: number, t: CrossEntropyTensors): Promise<Dispatch[]> {
  checkTensors('softmaxCrossEntropy', B, C, t);
  const { logits, labels, dlogits: grad, rowStats: row_stats, out } = t;
  const ranges = { params: ctx.paramBlock([B, C]), logits, labels, grad, row_stats, out };
  return Promise.all([
    ctx.dispatch('cross-entropy', lossSpec('cross_entropy', 'softmax_cross_entropy', C), ranges, dispatch1d(B, 1)),
    ctx.dispatch('cross-entropy mean', lossSpec('cross_entropy', 'loss_reduce'), ranges, [1, 1, 1]),
  ]);
}

/** Mean squared error over all B·C elements: [per-row dispatch, loss_reduce]. out = [mean loss, 0]. */
export function meanSquaredError(ctx: KernelContext, B: number, C: number, t: MseTensors): Promise<Dispatch[]> {
  checkTensors('meanSquaredError', B, C, t);
  const { pred, target: targets, dpred: grad, rowStats: row_stats, out } = t;
  const ranges = { params: ctx.paramBlock([B, C]), pred, targets, grad, row_stats, out };
  return Promise.all([
    ctx.dispatch('mse', lossSpec('mse', 'mean_squared_error', C), ranges, dispatch1d(B, 1)),
    ctx.dispatch('mse mean', lossSpec('mse', 'loss_reduce'), ranges, [1, 1, 1]),
  ]);
}
