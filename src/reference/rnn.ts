// Float64 reference of a stacked recurrent net unrolled through time (DESIGN.md, "`rnn`: recurrent nets through
// time"), as PyTorch builds it: nn.RNN / nn.LSTM / nn.GRU (batch_first=True, zero initial state) named `rnn`, then an
// nn.Linear named `head` on the top layer's last hidden state. Backward through time sums every step's contribution
// to a shared weight (one per use, as a graph engine accumulates them) and records ∂L/∂h_t of every layer and step.
import { checkLength, checkSize } from './checks.ts';
import { meanSquaredError, softmaxCrossEntropy } from './losses.ts';
import { matmul } from './matmul.ts';
import { frobenius } from './network-stats.ts';
import type { TaskKind } from './network-types.ts';
import { RNN_GATES, rnnCellBackward, rnnCellForward } from './rnn-cells.ts';
import type { CellCache, CellSpec, CellState, CellWeights, RnnCell, RnnNonlinearity } from './rnn-cells.ts';

export interface RnnSpec {
  cell: RnnCell;
  /** nn.RNN's nonlinearity (cell rnn only; tanh when absent). */
  nonlinearity?: RnnNonlinearity | undefined;
  inputSize: number;
  /** H, the units of every layer. */
  hidden: number;
  /** Stacked layers; layer k > 0 reads layer k − 1's h_t. */
  depth: number;
  outputs: number;
  task: TaskKind;
}

export interface RnnBatch {
  /** [B, T, inputSize], row-major (batch_first). */
  x: Float64Array;
  /** B class ids (classification) or [B, outputs] targets (regression). */
  y: ArrayLike<number>;
  batch: number;
  /** T, the time steps. */
  length: number;
}

export interface RnnOptions {
  /**
   * Truncated BPTT over the last `bptt` steps (an integer ≥ 1); null or absent is full BPTT. Only the cells of steps
   * t ≥ T − bptt are backpropagated: every layer's state after step T − bptt − 1 (h, and c for the LSTM) is taken as
   * a constant, as PyTorch's `h = h.detach()` there would make it. So ∂L/∂h_t, ∂L/∂x_t and every parameter's
   * contribution from step t are 0 for t < T − bptt, and unchanged (equal to full BPTT's) for t ≥ T − bptt;
   * bptt ≥ T is full BPTT, bptt = 1 keeps only the last step's contributions.
   */
  bptt?: number | null | undefined;
}

/** Parameters by PyTorch name (rnn.weight_ih_l0, …, head.bias) in PyTorch's layout. */
export type RnnParams = ReadonlyMap<string, Float64Array>;

export interface RnnResult {
  loss: number;
  /** Classification: rows whose argmax equals the label (0 for regression). */
  correct: number;
  /** [B, outputs]. */
  logits: Float64Array;
  /** hidden[k][t]: layer k's h_t [B, H]. */
  hidden: Float64Array[][];
  /** Every parameter's gradient by name, in rnnParamShapes order. */
  grads: Map<string, Float64Array>;
  /** ∂L/∂x [B, T, inputSize]. */
  dx: Float64Array;
  /** timeDeltas[k][t]: the total ∂L/∂h_t of layer k [B, H] (from step t + 1 and from layer k + 1 or the head). */
  timeDeltas: Float64Array[][];
  /** ‖timeDeltas[k][t]‖_F over the batch: the vanishing-through-time signal. */
  timeDeltaNorm: number[][];
  /** ‖∂L/∂W‖_F per row of rnnGradRows: weight_ih_l{k} then weight_hh_l{k} for every layer, then head.weight. */
  weightGradNorms: { name: string; norm: number }[];
}

/** PyTorch's named_parameters() of the net, in order: per layer W_ih, W_hh, b_ih, b_hh; then the head. */
export function rnnParamShapes(spec: RnnSpec): { name: string; shape: number[] }[] {
  checkSpec(spec);
  const { hidden: H, depth, inputSize, outputs } = spec;
  const GH = RNN_GATES[spec.cell] * H;
  const layers = Array.from({ length: depth }, (_, k) => [
    { name: `rnn.weight_ih_l${k}`, shape: [GH, k === 0 ? inputSize : H] },
    { name: `rnn.weight_hh_l${k}`, shape: [GH, H] },
    { name: `rnn.bias_ih_l${k}`, shape: [GH] },
    { name: `rnn.bias_hh_l${k}`, shape: [GH] },
  ]);
  return [...layers.flat(), { name: 'head.weight', shape: [outputs, H] }, { name: 'head.bias', shape: [outputs] }];
}

/** The per-layer rows of weightGradNorms: each recurrent layer's weights, input side first, then the head. */
export function rnnGradRows(spec: RnnSpec): string[] {
  checkSpec(spec);
  const layers = Array.from({ length: spec.depth }, (_, k) => [`rnn.weight_ih_l${k}`, `rnn.weight_hh_l${k}`]);
  return [...layers.flat(), 'head.weight'];
}

function checkSpec(spec: RnnSpec): void {
  if (!(spec.cell in RNN_GATES)) throw new RangeError(`rnn cell must be rnn, lstm or gru (got ${String(spec.cell)})`);
  if (spec.cell !== 'rnn' && spec.nonlinearity !== undefined && spec.nonlinearity !== 'tanh') {
    throw new RangeError(`rnn nonlinearity applies to cell rnn only (got ${spec.nonlinearity} with cell ${spec.cell})`);
  }
  checkSize(spec.inputSize, 'rnn inputSize');
  checkSize(spec.hidden, 'rnn hidden');
  checkSize(spec.depth, 'rnn depth');
  checkSize(spec.outputs, 'rnn outputs');
}

function cellSpec(spec: RnnSpec, k: number, B: number): CellSpec {
  const inputSize = k === 0 ? spec.inputSize : spec.hidden;
  return { cell: spec.cell, nonlinearity: spec.nonlinearity ?? 'tanh', batch: B, inputSize, hidden: spec.hidden };
}

function lookup(spec: RnnSpec, params: RnnParams): (name: string) => Float64Array {
  for (const { name, shape } of rnnParamShapes(spec)) {
    const v = params.get(name);
    if (!v) throw new RangeError(`rnn reference: missing parameter ${name} [${shape.join(', ')}]`);
    checkLength(v, shape.reduce((a, b) => a * b, 1), `rnn reference: parameter ${name} [${shape.join(', ')}]`);
  }
  return (name) => params.get(name)!;
}

function layerWeights(param: (name: string) => Float64Array, k: number): CellWeights {
  return {
    weightIh: param(`rnn.weight_ih_l${k}`),
    weightHh: param(`rnn.weight_hh_l${k}`),
    biasIh: param(`rnn.bias_ih_l${k}`),
    biasHh: param(`rnn.bias_hh_l${k}`),
  };
}

/** x_t [B, in] out of x [B, T, in]. */
function stepOf(x: Float64Array, B: number, T: number, I: number, t: number): Float64Array {
  const out = new Float64Array(B * I);
  for (let b = 0; b < B; b++) out.set(x.subarray((b * T + t) * I, (b * T + t + 1) * I), b * I);
  return out;
}

interface Unrolled {
  caches: CellCache[][];
  hidden: Float64Array[][];
  logits: Float64Array;
}

function unroll(spec: RnnSpec, param: (name: string) => Float64Array, batch: RnnBatch): Unrolled {
  const { batch: B, length: T } = batch;
  checkSize(B, 'rnn batch');
  checkSize(T, 'rnn length');
  checkLength(batch.x, B * T * spec.inputSize, `rnn reference: x [${B}, ${T}, ${spec.inputSize}]`);
  const H = spec.hidden;
  const zero = (): CellState => ({ h: new Float64Array(B * H), c: spec.cell === 'lstm' ? new Float64Array(B * H) : undefined });
  const states = Array.from({ length: spec.depth }, zero);
  const caches = states.map((): CellCache[] => []);
  const hidden = states.map((): Float64Array[] => []);
  for (let t = 0; t < T; t++) {
    let input = stepOf(batch.x, B, T, spec.inputSize, t);
    for (let k = 0; k < spec.depth; k++) {
      const { next, cache } = rnnCellForward(cellSpec(spec, k, B), layerWeights(param, k), input, states[k]!);
      states[k] = next;
      caches[k]!.push(cache);
      hidden[k]!.push(next.h);
      input = next.h;
    }
  }
  const last = hidden[spec.depth - 1]![T - 1]!;
  const logits = matmul(last, param('head.weight'), B, spec.outputs, H, { transB: true });
  const bias = param('head.bias');
  for (let i = 0; i < logits.length; i++) logits[i]! += bias[i % spec.outputs]!;
  return { caches, hidden, logits };
}

function lossOf(spec: RnnSpec, logits: Float64Array, y: ArrayLike<number>, B: number): { loss: number; dlogits: Float64Array; correct: number } {
  if (spec.task === 'classification') {
    checkLength(y, B, `rnn reference: y (${B} class ids for classification)`);
    return softmaxCrossEntropy(logits, y, B, spec.outputs);
  }
  checkLength(y, B * spec.outputs, `rnn reference: y (${B}×${spec.outputs} targets for regression)`);
  const { loss, dpred } = meanSquaredError(logits, y, B, spec.outputs);
  return { loss, dlogits: dpred, correct: 0 };
}

/** The loss alone, for finite differences. */
export function rnnLoss(spec: RnnSpec, params: RnnParams, batch: RnnBatch): number {
  const { logits } = unroll(spec, lookup(spec, params), batch);
  return lossOf(spec, logits, batch.y, batch.batch).loss;
}

function firstStep(bptt: number | null | undefined, T: number): number {
  if (bptt === null || bptt === undefined) return 0;
  if (!Number.isInteger(bptt) || bptt < 1) throw new RangeError(`rnn bptt must be an integer ≥ 1, or null for full BPTT (got ${bptt})`);
  return Math.max(0, T - bptt);
}

/** Forward, loss and backward through time of one batch; params are never mutated. */
export function rnnForwardBackward(spec: RnnSpec, params: RnnParams, batch: RnnBatch, opts: RnnOptions = {}): RnnResult {
  const param = lookup(spec, params);
  const { batch: B, length: T } = batch;
  const { hidden: H, depth, outputs: O } = spec;
  const unrolled = unroll(spec, param, batch);
  const { loss, dlogits, correct } = lossOf(spec, unrolled.logits, batch.y, B);
  const t0 = firstStep(opts.bptt, T);

  const grads = new Map<string, Float64Array>(rnnParamShapes(spec).map(({ name, shape }) => [name, new Float64Array(shape.reduce((a, b) => a * b, 1))]));
  const top = unrolled.hidden[depth - 1]![T - 1]!;
  grads.set('head.weight', matmul(dlogits, top, O, H, B, { transA: true }));
  const headBias = grads.get('head.bias')!;
  for (let i = 0; i < dlogits.length; i++) headBias[i % O]! += dlogits[i]!;
  const dTop = matmul(dlogits, param('head.weight'), B, H, O);
  const { dx, timeDeltas } = throughTime(spec, param, batch, unrolled.caches, dTop, t0, grads);

  const timeDeltaNorm = timeDeltas.map((row) => row.map(frobenius));
  const weightGradNorms = rnnGradRows(spec).map((name) => ({ name, norm: frobenius(grads.get(name)!) }));
  return { loss, correct, logits: unrolled.logits, hidden: unrolled.hidden, grads, dx, timeDeltas, timeDeltaNorm, weightGradNorms };
}

/**
 * Backward through steps T − 1 … t0 from dTop = ∂L/∂h_{T−1} of the top layer (the head's), adding every step's
 * contribution into grads. Layer k's ∂L/∂h_t is what step t + 1 hands back plus what layer k + 1 (or the head) does.
 */
function throughTime(
  spec: RnnSpec,
  param: (name: string) => Float64Array,
  batch: RnnBatch,
  caches: CellCache[][],
  dTop: Float64Array,
  t0: number,
  grads: Map<string, Float64Array>,
): { dx: Float64Array; timeDeltas: Float64Array[][] } {
  const { batch: B, length: T } = batch;
  const { hidden: H, depth, inputSize: I } = spec;
  const addTo = (name: string, d: ArrayLike<number>): void => {
    const g = grads.get(name)!;
    for (let i = 0; i < d.length; i++) g[i]! += d[i]!;
  };
  const dx = new Float64Array(B * T * I);
  const timeDeltas = caches.map((row) => row.map(() => new Float64Array(B * H)));
  // carry[k]: ∂L/∂(h, c) of layer k's state handed back from step t + 1.
  const carry: CellState[] = Array.from({ length: depth }, () => ({ h: new Float64Array(B * H), c: undefined }));
  for (let t = T - 1; t >= t0; t--) {
    let fromAbove: Float64Array = t === T - 1 ? dTop : new Float64Array(B * H);
    for (let k = depth - 1; k >= 0; k--) {
      const dh = timeDeltas[k]![t]!;
      for (let i = 0; i < dh.length; i++) dh[i] = carry[k]!.h[i]! + fromAbove[i]!;
      const back = rnnCellBackward(cellSpec(spec, k, B), layerWeights(param, k), caches[k]![t]!, { h: dh, c: carry[k]!.c });
      addTo(`rnn.weight_ih_l${k}`, back.grads.weightIh);
      addTo(`rnn.weight_hh_l${k}`, back.grads.weightHh);
      addTo(`rnn.bias_ih_l${k}`, back.grads.biasIh);
      addTo(`rnn.bias_hh_l${k}`, back.grads.biasHh);
      carry[k] = back.dprev; // after step t0 it is dropped: truncation holds the earlier state constant
      fromAbove = back.dx;
    }
    for (let b = 0; b < B; b++) dx.set(fromAbove.subarray(b * I, (b + 1) * I), (b * T + t) * I);
  }
  return { dx, timeDeltas };
}
