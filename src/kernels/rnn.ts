import type { KernelContext } from '../gpu/context.ts';
import { dispatch1d } from '../gpu/dispatch.ts';
import type { BufferRange, Dispatch, KernelSpec } from '../gpu/kernel.ts';
import { ACTIVATION_IDS } from './activation.ts';
import { epilogueConstants, GEMM_BINDINGS, matmulWorkgroups, tilingConstants, type GemmBinding } from './matmul.ts';
import { SHADERS } from './shaders.ts';
import { DEFAULT_TILING, type MatmulTiling } from './tunables.ts';

export type RnnCell = 'rnn' | 'lstm' | 'gru';
/** nn.RNN's nonlinearity; lstm and gru ignore it. */
export type RnnNonlinearity = 'tanh' | 'relu';

/** One recurrent layer: B samples of T steps, `in` input features, H units (batch first, as PyTorch's batch_first). */
export interface RnnShape {
  cell: RnnCell;
  nonlinearity: RnnNonlinearity;
  B: number;
  T: number;
  in: number;
  H: number;
}

/** Gates per cell, G (PyTorch's orders: lstm i, f, g, o; gru r, z, n): the weights have G·H rows. */
export const RNN_GATES: Readonly<Record<RnnCell, number>> = { rnn: 1, lstm: 4, gru: 3 };
/** Ids of the CELL_* constants in shaders/rnn.wgsl. */
export const CELL_IDS: Readonly<Record<RnnCell, number>> = { rnn: 0, lstm: 1, gru: 2 };
/** A step's invocation owns this block of (sample, unit) pairs. */
export const RNN_BLOCK = { samples: 4, units: 4 } as const;
const WG = 64;

/** Refuses a shape no recurrent layer has, naming the field. */
export function checkRnnShape(s: RnnShape): void {
  if (!Object.hasOwn(RNN_GATES, s.cell)) throw new RangeError(`rnn: cell must be rnn, lstm or gru (got ${String(s.cell)})`);
  if (s.nonlinearity !== 'tanh' && s.nonlinearity !== 'relu') {
    throw new RangeError(`rnn: nonlinearity must be tanh or relu, as nn.RNN's (got ${String(s.nonlinearity)})`);
  }
  for (const k of ['B', 'T', 'in', 'H'] as const) {
    if (!Number.isInteger(s[k]) || s[k] < 1) throw new RangeError(`rnn: ${k} must be an integer ≥ 1 (got ${s[k]})`);
  }
}

/** The first step backward reaches: T − bptt under truncated BPTT (src/reference/rnn.ts), 0 for full BPTT. */
export function firstBackwardStep(T: number, bptt: number | null | undefined): number {
  if (bptt === null || bptt === undefined) return 0;
  if (!Number.isInteger(bptt) || bptt < 1) throw new RangeError(`rnn: bptt must be an integer ≥ 1, or null for full BPTT (got ${bptt})`);
  return Math.max(0, T - bptt);
}

/** Invocations of one step (shaders/rnn.wgsl): ⌈H/4⌉ unit blocks times ⌈B/4⌉ sample blocks. */
export function rnnBlocks(s: RnnShape): { unitBlocks: number; blocks: number } {
  const unitBlocks = Math.ceil(s.H / RNN_BLOCK.units);
  return { unitBlocks, blocks: unitBlocks * Math.ceil(s.B / RNN_BLOCK.samples) };
}

/**
 * Floats of every tensor a layer's kernels read or write (0: the cell has none; its binding takes a dummy).
 * pre holds XP until the forward steps overwrite it; dgHh exists for the gru only (rnn and lstm have dg_hh =
 * dg_ih); scratch is 3 floats per (step, block) of partial sums of squares, then (lstm, gru) a [B×H] carry.
 */
export function rnnFloats(s: RnnShape): {
  x: number; wIh: number; wHh: number; bias: number; pre: number; hs: number; state: number; dgIh: number; dgHh: number; scratch: number;
} {
  const GH = RNN_GATES[s.cell] * s.H;
  const rows = s.B * s.T;
  return {
    x: rows * s.in,
    wIh: GH * s.in,
    wHh: GH * s.H,
    bias: GH,
    pre: rows * GH,
    hs: rows * s.H,
    state: s.cell === 'rnn' ? 0 : rows * s.H,
    dgIh: rows * GH,
    dgHh: s.cell === 'gru' ? rows * GH : 0,
    scratch: 3 * s.T * rnnBlocks(s).blocks + (s.cell === 'rnn' ? 0 : s.B * s.H),
  };
}

export type RnnEntry = 'rnn_step_forward' | 'rnn_step_backward' | 'rnn_backward_tail' | 'rnn_last_forward';

const BINDINGS = {
  rnn_step_forward: [['params', 'uniform'], ['pre', 'rw'], ['hs', 'rw'], ['state', 'rw'], ['b_hh', 'read'], ['w_hh', 'read']],
  rnn_step_backward: [
    ['params', 'uniform'], ['dg_ih', 'rw'], ['dg_hh', 'rw'], ['scratch', 'rw'], ['pre_in', 'read'],
    ['w_hh', 'read'], ['hs_in', 'read'], ['state_in', 'read'], ['dh_ext', 'read'],
  ],
  rnn_backward_tail: [['params', 'uniform'], ['dg_ih', 'rw'], ['dg_hh', 'rw'], ['scratch', 'rw'], ['db_ih', 'rw'], ['db_hh', 'rw'], ['norms', 'rw']],
  rnn_last_forward: [['params', 'uniform'], ['last_hs', 'read'], ['last', 'rw']],
} as const satisfies Record<RnnEntry, KernelSpec['bindings']>;

export function rnnSpec<E extends RnnEntry>(entry: E, s: Pick<RnnShape, 'cell' | 'nonlinearity'>, extLast = false): KernelSpec<(typeof BINDINGS)[E][number][0]> {
  const constants: Record<string, number> = { WG, CELL: CELL_IDS[s.cell] };
  if (entry === 'rnn_step_forward' || entry === 'rnn_step_backward') constants.PHI = ACTIVATION_IDS[s.nonlinearity];
  if (entry === 'rnn_step_backward') constants.EXT_LAST = +extLast;
  return { shader: SHADERS.rnn, entry, bindings: BINDINGS[entry], constants };
}

/** The uniform block of shaders/rnn.wgsl (struct Params); fields a kernel does not read stay 0 so blocks are shared. */
function rnnParams(ctx: KernelContext, s: RnnShape, f: { t?: number; t0?: number; outBase?: number; gemm?: boolean } = {}): BufferRange {
  const GH = RNN_GATES[s.cell] * s.H;
  const { unitBlocks, blocks } = rnnBlocks(s);
  const mnk = f.gemm ? [GH, s.H, s.B * s.T] : [0, 0, 0];
  return ctx.paramBlock([s.B, s.T, s.H, GH, f.t ?? 0, f.t0 ?? 0, blocks, unitBlocks, f.outBase ?? 0, ...mnk]);
}

function checkStep(s: RnnShape, t: number): void {
  checkRnnShape(s);
  if (!Number.isInteger(t) || t < 0 || t >= s.T) throw new RangeError(`rnn step: t must be an integer from 0 to T − 1 = ${s.T - 1} (got ${t})`);
}

/**
 * The ranges to bind, by binding name, from the caller's tensors: `need` maps each tensor to its binding and its
 * floats (0: not this cell's, left to a dummy). Throws a RangeError naming a tensor that is missing or short.
 */
function bind<T extends string, N extends string>(
  what: string,
  need: Record<T, readonly [N, number]>,
  given: Partial<Record<T, BufferRange | undefined>>,
): Partial<Record<N, BufferRange>> {
  const out: Partial<Record<N, BufferRange>> = {};
  for (const name of Object.keys(need) as T[]) {
    const [binding, floats] = need[name];
    if (floats === 0) continue;
    const r = given[name];
    if (!r) throw new RangeError(`${what}: tensor ${name} is required`);
    if (r.size < floats * 4) throw new RangeError(`${what}: ${name} holds ${r.size / 4} floats, needs ${floats}`);
    out[binding] = r;
  }
  return out;
}

function label(what: string, s: RnnShape, t?: number): string {
  const cell = s.cell === 'rnn' ? `rnn-${s.nonlinearity}` : s.cell;
  return `${cell} ${what}${t === undefined ? '' : ` t=${t}`} B=${s.B} T=${s.T} H=${s.H}`;
}

/** What a forward step reads and writes. `state` (lstm c, gru hn) only for those cells. */
export interface RnnStepForwardTensors {
  /** [B×T×G·H]: XP = x·W_ihᵀ + b_ih before step t; step t overwrites its rows with the pre-activations. */
  pre: BufferRange;
  wHh: BufferRange;
  bHh: BufferRange;
  /** [B×T×H]: reads h_{t−1}, writes h_t. */
  hs: BufferRange;
  state?: BufferRange | undefined;
}

/** Step t of the forward pass: every (sample, unit)'s gates from XP and W_hh·h_{t−1} + b_hh, then its cell. */
export async function rnnStepForward(ctx: KernelContext, s: RnnShape, t: number, x: RnnStepForwardTensors): Promise<Dispatch> {
  checkStep(s, t);
  const f = rnnFloats(s);
  const need = { pre: ['pre', f.pre], wHh: ['w_hh', f.wHh], bHh: ['b_hh', f.bias], hs: ['hs', f.hs], state: ['state', f.state] } as const;
  const ranges = { ...bind('rnn step forward', need, x), params: rnnParams(ctx, s, { t }) };
  return ctx.dispatch(label('step forward', s, t), rnnSpec('rnn_step_forward', s), ranges, dispatch1d(rnnBlocks(s).blocks, WG));
}

/** What a backward step reads and writes; `state` for lstm and gru, `dgHh` for gru only. */
export interface RnnStepBackwardTensors {
  /** [B×T×G·H], as the forward steps left it. */
  pre: BufferRange;
  wHh: BufferRange;
  /** [B×T×H] (the gru reads h_{t−1}). */
  hs: BufferRange;
  state?: BufferRange | undefined;
  /** ∂L/∂h_t from outside the recurrence: [B×T×H], or [B×H] at the last step only with ext 'last'. */
  dhExt: BufferRange;
  /** [B×T×G·H] gradients w.r.t. the input projection's pre-activations (and W_hh·h + b_hh's, but for the gru). */
  dgIh: BufferRange;
  /** gru: [B×T×G·H] gradients w.r.t. W_hh·h + b_hh. */
  dgHh?: BufferRange | undefined;
  /** rnnFloats(s).scratch floats; the same buffer for every step of one pass and for rnnBackwardTail. */
  scratch: BufferRange;
}

/**
 * Step t of the backward pass (record t = T − 1 first, down to firstBackwardStep): dh_t from dhExt and step t + 1's
 * gate gradients through W_hh, then step t's gate gradients, and the partial sums of dh_t² for the norms.
 */
export async function rnnStepBackward(
  ctx: KernelContext,
  s: RnnShape,
  t: number,
  x: RnnStepBackwardTensors,
  opts: { ext?: 'all' | 'last' } = {},
): Promise<Dispatch> {
  checkStep(s, t);
  const f = rnnFloats(s);
  const ext = opts.ext ?? 'all';
  const need = {
    pre: ['pre_in', f.pre], wHh: ['w_hh', f.wHh], hs: ['hs_in', s.cell === 'gru' ? f.hs : 0], state: ['state_in', f.state],
    dhExt: ['dh_ext', ext === 'last' ? s.B * s.H : f.hs], dgIh: ['dg_ih', f.dgIh], dgHh: ['dg_hh', f.dgHh], scratch: ['scratch', f.scratch],
  } as const;
  const ranges = { ...bind('rnn step backward', need, x), params: rnnParams(ctx, s, { t }) };
  return ctx.dispatch(label('step backward', s, t), rnnSpec('rnn_step_backward', s, ext === 'last'), ranges, dispatch1d(rnnBlocks(s).blocks, WG));
}

export interface RnnBackwardTailTensors {
  dgIh: BufferRange;
  dgHh?: BufferRange | undefined;
  scratch: BufferRange;
  /** [G·H] each; rnn and lstm write the same sums to both. */
  dbIh: BufferRange;
  dbHh: BufferRange;
  /** T floats from `normsBase` on: ‖∂L/∂h_t‖ over the batch, 0 before the first step backward reached. */
  norms: BufferRange;
}

/**
 * After the backward steps: the bias gradients (column sums of dg_ih and dg_hh, zeroing the rows of steps before
 * firstBackwardStep so the weight GEMMs see zeros there) and the T norms, in one dispatch.
 */
export async function rnnBackwardTail(
  ctx: KernelContext,
  s: RnnShape,
  x: RnnBackwardTailTensors,
  opts: { bptt?: number | null; normsBase?: number } = {},
): Promise<Dispatch> {
  checkRnnShape(s);
  const f = rnnFloats(s);
  const t0 = firstBackwardStep(s.T, opts.bptt);
  const outBase = opts.normsBase ?? 0;
  if (!Number.isInteger(outBase) || outBase < 0) throw new RangeError(`rnn backward tail: normsBase must be an integer ≥ 0 (got ${outBase})`);
  const need = {
    dgIh: ['dg_ih', f.dgIh], dgHh: ['dg_hh', f.dgHh], scratch: ['scratch', f.scratch], dbIh: ['db_ih', f.bias], dbHh: ['db_hh', f.bias], norms: ['norms', outBase + s.T],
  } as const;
  const ranges = { ...bind('rnn backward tail', need, x), params: rnnParams(ctx, s, { t0, outBase }) };
  const n = Math.max(f.bias, s.T);
  return ctx.dispatch(label('backward tail', s), rnnSpec('rnn_backward_tail', s), ranges, dispatch1d(n, WG));
}

/** The last hidden state of every sample, hs[b, T − 1, :] → last [B×H]: what a head on the layer reads. */
export async function rnnLastForward(ctx: KernelContext, s: RnnShape, x: { hs: BufferRange; last: BufferRange }): Promise<Dispatch> {
  checkRnnShape(s);
  const need = { hs: ['last_hs', rnnFloats(s).hs], last: ['last', s.B * s.H] } as const;
  const ranges = { ...bind('rnn last', need, x), params: rnnParams(ctx, s) };
  return ctx.dispatch(label('last', s), rnnSpec('rnn_last_forward', s), ranges, dispatch1d(s.B * s.H, WG));
}

/** The tiling dW_hh runs: vec4 reads dense rows, which the pairing of rows is not, and becomes reg. */
function gemmTiling(t: MatmulTiling): MatmulTiling {
  return t.variant === 'vec4' ? { variant: 'reg', wgX: t.wgX, wgY: t.wgY } : t;
}

/** The GEMM core's entry points (shaders/gemm_fns.wgsl) on the dW_hh loader of shaders/rnn.wgsl. */
export function rnnWeightGradSpec(tiling: MatmulTiling, add = false): KernelSpec<GemmBinding> {
  const t = gemmTiling(tiling);
  return {
    shader: SHADERS.rnn,
    entry: `gemm_${t.variant}`,
    bindings: GEMM_BINDINGS,
    constants: { ...epilogueConstants({ kind: 'plain', add }), ...tilingConstants(t) },
  };
}

/**
 * dW_hh [G·H × H] = Σ_t dg_hh(t)ᵀ·h_{t−1} over every sample (K = B·T; step 0 pairs with the zero state), from the
 * dg_hh the tail has cleared (gru) or dg_ih (rnn, lstm); with `add`, plus `addend`.
 */
export async function rnnWeightGradHh(
  ctx: KernelContext,
  s: RnnShape,
  x: { dg: BufferRange; hs: BufferRange; dW: BufferRange; addend?: BufferRange | undefined },
  opts: { tiling?: MatmulTiling; add?: boolean } = {},
): Promise<Dispatch> {
  checkRnnShape(s);
  const f = rnnFloats(s);
  const need = { dg: ['a', f.dgIh], hs: ['b', f.hs], dW: ['c', f.wHh], addend: ['addend', opts.add ? f.wHh : 0] } as const;
  const ranges = { ...bind('rnn dW_hh', need, x), params: rnnParams(ctx, s, { gemm: true }) };
  const tiling = gemmTiling(opts.tiling ?? DEFAULT_TILING);
  const GH = RNN_GATES[s.cell] * s.H;
  return ctx.dispatch(label('dW_hh', s), rnnWeightGradSpec(tiling, !!opts.add), ranges, matmulWorkgroups(GH, s.H, tiling));
}
