// Float64 recurrent cells, one time step for a batch, forward and backward, with PyTorch's equations and gate orders
// (nn.RNN, nn.LSTM, nn.GRU; DESIGN.md, "`rnn`: recurrent nets through time"). Every cell splits its gate
// pre-activations into an input part gi = x·W_ihᵀ + b_ih and a hidden part gh = h·W_hhᵀ + b_hh ([B × G·H], gate g of
// unit j in column g·H + j), so one shared linear backward serves all three: each cell only says how its gates turn
// ∂L/∂h' (and ∂L/∂c') into ∂L/∂gi and ∂L/∂gh.
import { activate, activateGrad } from './activations.ts';
import { checkLength, checkSize } from './checks.ts';
import { matmul } from './matmul.ts';

export type RnnCell = 'rnn' | 'lstm' | 'gru';
/** nn.RNN's `nonlinearity`; LSTM and GRU have fixed ones. */
export type RnnNonlinearity = 'tanh' | 'relu';

/** Gates per cell, G: the weights have G·H rows (LSTM i, f, g, o; GRU r, z, n). */
export const RNN_GATES: Readonly<Record<RnnCell, number>> = { rnn: 1, lstm: 4, gru: 3 };

export interface CellSpec {
  cell: RnnCell;
  /** The rnn cell's φ; ignored by lstm and gru. */
  nonlinearity: RnnNonlinearity;
  batch: number;
  inputSize: number;
  hidden: number;
}

/** One layer's parameters in PyTorch's layout: weightIh [G·H, in], weightHh [G·H, H], biases [G·H]. */
export interface CellWeights {
  weightIh: Float64Array;
  weightHh: Float64Array;
  biasIh: Float64Array;
  biasHh: Float64Array;
}

/** Their gradients, same shapes. */
export type CellGrads = CellWeights;

/** A hidden state [B × H]; c is the LSTM's cell state, absent for rnn and gru. */
export interface CellState {
  h: Float64Array;
  c?: Float64Array | undefined;
}

/** What one step's backward reads. pre: the gates' pre-activations [B × G·H] (GRU's n: gi_n + r ⊙ gh_n). */
export interface CellCache {
  x: Float64Array;
  prev: CellState;
  next: CellState;
  pre: Float64Array;
  /** GRU only: gh, whose n part is gated by r. */
  gh?: Float64Array | undefined;
}

function checkCell(spec: CellSpec, w: CellWeights): void {
  const { cell, batch, inputSize, hidden } = spec;
  if (!(cell in RNN_GATES)) throw new RangeError(`rnn cell must be rnn, lstm or gru (got ${String(cell)})`);
  if (spec.nonlinearity !== 'tanh' && spec.nonlinearity !== 'relu') {
    throw new RangeError(`rnn nonlinearity must be tanh or relu, as nn.RNN's (got ${String(spec.nonlinearity)})`);
  }
  checkSize(batch, 'rnn cell batch');
  checkSize(inputSize, 'rnn cell inputSize');
  checkSize(hidden, 'rnn cell hidden');
  const GH = RNN_GATES[cell] * hidden;
  checkLength(w.weightIh, GH * inputSize, `${cell} weight_ih [${GH}, ${inputSize}]`);
  checkLength(w.weightHh, GH * hidden, `${cell} weight_hh [${GH}, ${hidden}]`);
  checkLength(w.biasIh, GH, `${cell} bias_ih [${GH}]`);
  checkLength(w.biasHh, GH, `${cell} bias_hh [${GH}]`);
}

/** σ(u), without cancelling in either tail. */
function sigmoid(u: number): number {
  return activate('sigmoid', u);
}

/** y·Wᵀ + b for y [B × K] and W [N × K]. */
function affine(y: Float64Array, w: Float64Array, b: Float64Array, B: number, N: number, K: number): Float64Array {
  const out = matmul(y, w, B, N, K, { transB: true });
  for (let i = 0; i < out.length; i++) out[i]! += b[i % N]!;
  return out;
}


/** One step: the new state and what backward needs. Inputs are never mutated. */
export function rnnCellForward(spec: CellSpec, w: CellWeights, x: Float64Array, prev: CellState): { next: CellState; cache: CellCache } {
  checkCell(spec, w);
  const { cell, batch: B, inputSize: I, hidden: H } = spec;
  const GH = RNN_GATES[cell] * H;
  checkLength(x, B * I, `${cell} cell x [${B}, ${I}]`);
  checkLength(prev.h, B * H, `${cell} cell h [${B}, ${H}]`);
  if (cell === 'lstm') checkLength(prev.c ?? [], B * H, `lstm cell c [${B}, ${H}]`);
  const gi = affine(x, w.weightIh, w.biasIh, B, GH, I);
  const gh = affine(prev.h, w.weightHh, w.biasHh, B, GH, H);
  if (cell === 'gru') return gruForward(spec, x, prev, gi, gh);
  const pre = Float64Array.from(gi, (v, i) => v + gh[i]!);
  const next = cell === 'lstm' ? lstmState(spec, prev, pre) : { h: Float64Array.from(pre, (u) => activate(spec.nonlinearity, u)) };
  return { next, cache: { x, prev, next, pre } };
}

/** i, f, g, o = σ, σ, tanh, σ of the pre-activations' four row blocks; c' = f⊙c + i⊙g, h' = o⊙tanh(c'). */
function lstmState(spec: CellSpec, prev: CellState, pre: Float64Array): CellState {
  const { batch: B, hidden: H } = spec;
  const GH = 4 * H;
  const [h, c] = [new Float64Array(B * H), new Float64Array(B * H)];
  for (let r = 0; r < B; r++) {
    for (let j = 0; j < H; j++) {
      const [at, a] = [r * H + j, r * GH + j];
      const [i, f, g, o] = [sigmoid(pre[a]!), sigmoid(pre[a + H]!), Math.tanh(pre[a + 2 * H]!), sigmoid(pre[a + 3 * H]!)];
      c[at] = f * prev.c![at]! + i * g;
      h[at] = o * Math.tanh(c[at]!);
    }
  }
  return { h, c };
}

/** r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r⊙gh_n) (b_hn inside r, as PyTorch), h' = (1 − z)⊙n + z⊙h. */
function gruForward(spec: CellSpec, x: Float64Array, prev: CellState, gi: Float64Array, gh: Float64Array): { next: CellState; cache: CellCache } {
  const { batch: B, hidden: H } = spec;
  const GH = 3 * H;
  const pre = new Float64Array(B * GH);
  const h = new Float64Array(B * H);
  for (let r = 0; r < B; r++) {
    for (let j = 0; j < H; j++) {
      const [at, ir, iz, inn] = [r * H + j, r * GH + j, r * GH + H + j, r * GH + 2 * H + j];
      pre[ir] = gi[ir]! + gh[ir]!;
      pre[iz] = gi[iz]! + gh[iz]!;
      pre[inn] = gi[inn]! + sigmoid(pre[ir]!) * gh[inn]!;
      const [z, n] = [sigmoid(pre[iz]!), Math.tanh(pre[inn]!)];
      h[at] = (1 - z) * n + z * prev.h[at]!;
    }
  }
  const next = { h };
  return { next, cache: { x, prev, next, pre, gh } };
}

/**
 * Backward of one step from d = {h: ∂L/∂h', c: ∂L/∂c' (LSTM; absent means 0)}: ∂L/∂x, ∂L/∂(h, c) of the previous
 * state and this step's contribution to every parameter's gradient (the caller sums them over time).
 */
export function rnnCellBackward(
  spec: CellSpec,
  w: CellWeights,
  cache: CellCache,
  d: CellState,
): { dx: Float64Array; dprev: CellState; grads: CellGrads } {
  checkCell(spec, w);
  const { cell, batch: B, inputSize: I, hidden: H } = spec;
  const GH = RNN_GATES[cell] * H;
  checkLength(d.h, B * H, `${cell} cell dh [${B}, ${H}]`);
  if (d.c) checkLength(d.c, B * H, `${cell} cell dc [${B}, ${H}]`);
  const { dGi, dGh, dhDirect, dc } = gateBackward(spec, cache, d);
  const dh = matmul(dGh, w.weightHh, B, H, GH);
  if (dhDirect) for (let i = 0; i < dh.length; i++) dh[i]! += dhDirect[i]!;
  const grads: CellGrads = {
    weightIh: matmul(dGi, cache.x, GH, I, B, { transA: true }),
    weightHh: matmul(dGh, cache.prev.h, GH, H, B, { transA: true }),
    biasIh: columnSums(dGi, GH),
    biasHh: columnSums(dGh, GH),
  };
  return { dx: matmul(dGi, w.weightIh, B, I, GH), dprev: { h: dh, c: dc }, grads };
}

interface GateGrads {
  dGi: Float64Array;
  dGh: Float64Array;
  /** ∂L/∂h that bypasses W_hh (GRU's z ⊙ h). */
  dhDirect?: Float64Array | undefined;
  /** ∂L/∂c of the previous state (LSTM). */
  dc?: Float64Array | undefined;
}

/** ∂L/∂gi and ∂L/∂gh from ∂L/∂h' (and ∂L/∂c'); σ' and tanh' come from the pre-activations, which never cancel. */
function gateBackward(spec: CellSpec, cache: CellCache, d: CellState): GateGrads {
  if (spec.cell === 'lstm') return lstmGateBackward(spec, cache, d);
  if (spec.cell === 'gru') return gruGateBackward(spec, cache, d);
  const du = Float64Array.from(cache.pre, (u, i) => d.h[i]! * activateGrad(spec.nonlinearity, u));
  return { dGi: du, dGh: du };
}

/** c' = f⊙c + i⊙g, h' = o⊙tanh(c'): every gate sees gi + gh whole, so dGi = dGh. */
function lstmGateBackward(spec: CellSpec, cache: CellCache, d: CellState): GateGrads {
  const { batch: B, hidden: H } = spec;
  const GH = 4 * H;
  const { pre, prev } = cache;
  const c = cache.next.c!;
  const dpre = new Float64Array(B * GH);
  const dcPrev = new Float64Array(B * H);
  for (let r = 0; r < B; r++) {
    for (let j = 0; j < H; j++) {
      const [at, a] = [r * H + j, r * GH + j];
      const [i, f, g, o] = [sigmoid(pre[a]!), sigmoid(pre[a + H]!), Math.tanh(pre[a + 2 * H]!), sigmoid(pre[a + 3 * H]!)];
      const dc = (d.c?.[at] ?? 0) + d.h[at]! * o * activateGrad('tanh', c[at]!);
      dpre[a] = dc * g * activateGrad('sigmoid', pre[a]!);
      dpre[a + H] = dc * prev.c![at]! * activateGrad('sigmoid', pre[a + H]!);
      dpre[a + 2 * H] = dc * i * activateGrad('tanh', pre[a + 2 * H]!);
      dpre[a + 3 * H] = d.h[at]! * Math.tanh(c[at]!) * activateGrad('sigmoid', pre[a + 3 * H]!);
      dcPrev[at] = dc * f;
    }
  }
  return { dGi: dpre, dGh: dpre, dc: dcPrev };
}

/** h' = (1 − z)⊙n + z⊙h, n = tanh(gi_n + r⊙gh_n): r and z see gi + gh whole, n sees gh_n through r. */
function gruGateBackward(spec: CellSpec, cache: CellCache, d: CellState): GateGrads {
  const { batch: B, hidden: H } = spec;
  const GH = 3 * H;
  const { pre, prev } = cache;
  const gh = cache.gh!;
  const [dGi, dGh] = [new Float64Array(B * GH), new Float64Array(B * GH)];
  const dhDirect = new Float64Array(B * H);
  for (let r = 0; r < B; r++) {
    for (let j = 0; j < H; j++) {
      const [at, ir, iz, inn] = [r * H + j, r * GH + j, r * GH + H + j, r * GH + 2 * H + j];
      const [z, n] = [sigmoid(pre[iz]!), Math.tanh(pre[inn]!)];
      const dn = d.h[at]! * (1 - z) * activateGrad('tanh', pre[inn]!);
      dGi[inn] = dn;
      dGh[inn] = dn * sigmoid(pre[ir]!);
      dGi[ir] = dGh[ir] = dn * gh[inn]! * activateGrad('sigmoid', pre[ir]!);
      dGi[iz] = dGh[iz] = d.h[at]! * (prev.h[at]! - n) * activateGrad('sigmoid', pre[iz]!);
      dhDirect[at] = d.h[at]! * z;
    }
  }
  return { dGi, dGh, dhDirect };
}

function columnSums(m: Float64Array, N: number): Float64Array {
  const sums = new Float64Array(N);
  for (let i = 0; i < m.length; i++) sums[i % N]! += m[i]!;
  return sums;
}
