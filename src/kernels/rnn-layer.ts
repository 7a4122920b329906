// One recurrent layer's training step as the dispatches to record, in order: the kernels of rnn.ts between the
// plain matmuls of the input side (XP = x·W_ihᵀ + b_ih before the steps; dW_ih and dx after them).
import type { KernelContext } from '../gpu/context.ts';
import type { BufferRange, Dispatch } from '../gpu/kernel.ts';
import { matmul } from './matmul.ts';
import { checkRnnShape, firstBackwardStep, RNN_GATES, rnnBackwardTail, rnnStepBackward, rnnStepForward, rnnWeightGradHh, type RnnShape } from './rnn.ts';
import { DEFAULT_TILING, type MatmulTiling, type TilingChoice } from './tunables.ts';

/** A layer's parameters, input and saved tensors (shapes in rnnFloats). */
export interface RnnLayerTensors {
  /** [B×T×in]. */
  x: BufferRange;
  wIh: BufferRange;
  wHh: BufferRange;
  bIh: BufferRange;
  bHh: BufferRange;
  /** XP, then the pre-activations. */
  pre: BufferRange;
  hs: BufferRange;
  /** lstm c, gru hn. */
  state?: BufferRange | undefined;
}

/** What the backward pass reads from outside and writes. */
export interface RnnLayerGrads {
  dhExt: BufferRange;
  dgIh: BufferRange;
  /** gru only. */
  dgHh?: BufferRange | undefined;
  scratch: BufferRange;
  dWIh: BufferRange;
  dWHh: BufferRange;
  dbIh: BufferRange;
  dbHh: BufferRange;
  norms: BufferRange;
  /** ∂L/∂x [B×T×in] for the layer below; leave it out for the first layer. */
  dX?: BufferRange | undefined;
}

export interface RnnLayerOptions {
  /** dhExt at every step [B×T×H] (a layer under another) or at the last only [B×H] (under the head). */
  ext?: 'all' | 'last';
  /** Truncated BPTT through the last `bptt` steps; null or absent is full BPTT. */
  bptt?: number | null;
  /** Where norm[0] goes in `norms`. */
  normsBase?: number;
  /** The matmuls' tiling (dW_hh runs the same core; vec4 becomes reg there). */
  tiling?: TilingChoice | undefined;
}

/** 1 + T dispatches: the input projection for every step at once, then one per step. */
export async function rnnLayerForward(ctx: KernelContext, s: RnnShape, x: RnnLayerTensors, opts: RnnLayerOptions = {}): Promise<Dispatch[]> {
  checkRnnShape(s);
  const GH = RNN_GATES[s.cell] * s.H;
  const xp = await matmul(ctx, { M: s.B * s.T, N: GH, K: s.in, transB: true }, { kind: 'plain', bias: true }, { a: x.x, b: x.wIh, bias: x.bIh, c: x.pre }, opts.tiling);
  const steps: Dispatch[] = [];
  for (let t = 0; t < s.T; t++) steps.push(await rnnStepForward(ctx, s, t, x));
  return [xp, ...steps];
}

/**
 * min(T, bptt) + 3 dispatches, + 1 with dX: the steps from T − 1 down, the tail (bias gradients, truncated rows
 * cleared, the T norms), dW_hh, dW_ih = dg_ihᵀ·x, and dX = dg_ih·W_ih.
 */
export async function rnnLayerBackward(
  ctx: KernelContext,
  s: RnnShape,
  x: RnnLayerTensors,
  g: RnnLayerGrads,
  opts: RnnLayerOptions = {},
): Promise<Dispatch[]> {
  checkRnnShape(s);
  const t0 = firstBackwardStep(s.T, opts.bptt);
  const GH = RNN_GATES[s.cell] * s.H;
  const out: Dispatch[] = [];
  const step = { pre: x.pre, wHh: x.wHh, hs: x.hs, state: x.state, dhExt: g.dhExt, dgIh: g.dgIh, dgHh: g.dgHh, scratch: g.scratch };
  for (let t = s.T - 1; t >= t0; t--) out.push(await rnnStepBackward(ctx, s, t, step, { ext: opts.ext ?? 'all' }));
  const tail = { dgIh: g.dgIh, dgHh: g.dgHh, scratch: g.scratch, dbIh: g.dbIh, dbHh: g.dbHh, norms: g.norms };
  out.push(await rnnBackwardTail(ctx, s, tail, { bptt: opts.bptt ?? null, normsBase: opts.normsBase ?? 0 }));
  const gemmTiling: MatmulTiling = typeof opts.tiling === 'function' ? opts.tiling({ M: GH, N: s.H, K: s.B * s.T, transA: true }) : (opts.tiling ?? DEFAULT_TILING);
  out.push(await rnnWeightGradHh(ctx, s, { dg: (s.cell === 'gru' ? g.dgHh : undefined) ?? g.dgIh, hs: x.hs, dW: g.dWHh }, { tiling: gemmTiling }));
  const rows = s.B * s.T;
  out.push(await matmul(ctx, { M: GH, N: s.in, K: rows, transA: true }, { kind: 'plain' }, { a: g.dgIh, b: x.x, c: g.dWIh }, opts.tiling));
  if (g.dX) out.push(await matmul(ctx, { M: rows, N: s.in, K: GH }, { kind: 'plain' }, { a: g.dgIh, b: x.wIh, c: g.dX }, opts.tiling));
  return out;
}
