/**
 * The LSTM step's peer (issue #10): the same network in TensorFlow.js, on its WebGPU backend built on our device
 * (tfjs-peer.ts), in the same run. tf.layers.lstm (units H, returnSequences false) then tf.layers.dense(1), MSE, Adam
 * at lr 0.001, one optimizer.minimize per step on a [B, T, 2] batch of the adding problem.
 *
 * As close to PyTorch's nn.LSTM as Keras allows: recurrentActivation 'sigmoid' (TF.js's default is 'hardSigmoid', a
 * piecewise-linear approximation), activation tanh, no unit forget bias, gates in PyTorch's order (i, f, g, o: Keras's
 * i, f, c, o). Keras has one bias where PyTorch has b_ih and b_hh: it gets their sum, which computes the same gates.
 * Adam's ε is ours and PyTorch's (1e-8; TF.js's default is 1e-7). Before it is timed, its first step's loss must match
 * the float64 LSTM (rnnLoss) on the same weights and batch.
 */
import type { KernelContext } from '../gpu/context.ts';
import { Rng } from '../math/prng.ts';
import { rnnLoss, rnnParamShapes } from '../reference/rnn.ts';
import { adding, ADDING_CHANNELS } from '../train/data/sequences.ts';
import type { BenchResult } from './result.ts';
import { LSTM_GATE_TOLERANCE, lstmLabel, lstmSpec, lstmStepFlops, type LstmStepCase } from './rnn-bench.ts';
import { SLOW_STEP_SAMPLES, STEP_BUDGET_MS } from './step-bench.ts';
import { tfjsOn, type Tf } from './tfjs-peer.ts';
import { median } from './timing.ts';

type Tfl = typeof import('@tensorflow/tfjs-layers');

/** `peer/tfjs-lstm-w128-t100-b128`: the step case's label, so withTfjsRatios pairs the two. */
export function tfjsLstmName(c: LstmStepCase): string {
  return `peer/tfjs-${lstmLabel(c)}`;
}

/**
 * Timed steps after the warm-up: as many as fit the budget at its pace, at most 16, and at least 1: on a CPU adapter
 * one TF.js step at issue #10's size takes minutes (100–160 s on two shared cores at load 10–15, 2026-12-07), so three
 * would make the case a quarter of an hour. The gate's step and the warm-up's are reported beside it (detail.gateMs,
 * detail.warmupMs), and detail.fewerSteps says when fewer than 3 were timed.
 */
export function plannedTfjsSteps(warmMs: number, budgetMs = STEP_BUDGET_MS): { min: number; max: number; planned: number } {
  const fit = Math.floor(budgetMs / Math.max(warmMs, 1e-3));
  return { min: 1, max: 16, planned: Math.min(16, Math.max(1, fit)) };
}

/** PyTorch's init for nn.LSTM and nn.Linear(H, 1), every tensor U(−1/√H, 1/√H), rounded to float32 (what TF.js holds). */
function pytorchParams(c: LstmStepCase, rng: Rng): Map<string, Float64Array> {
  const k = 1 / Math.sqrt(c.width);
  return new Map(
    rnnParamShapes(lstmSpec(c)).map(({ name, shape }) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return [name, Float64Array.from(Float32Array.from({ length: n }, () => k * (2 * rng.uniform() - 1)))];
    }),
  );
}

/** A [rows, cols] row-major matrix as [cols, rows] (PyTorch's [out, in] weights as Keras's [in, out] kernels). */
function transposed(a: Float64Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) out[q * rows + r] = a[r * cols + q]!;
  return out;
}

/** The Keras model holding `params`: kernel = W_ihᵀ [2, 4H], recurrent kernel = W_hhᵀ [H, 4H], bias = b_ih + b_hh. */
function kerasLstm(tf: Tf, tfl: Tfl, c: LstmStepCase, params: Map<string, Float64Array>) {
  const H = c.width;
  const p = (name: string) => params.get(name)!;
  // Zeros, then setWeights: the default orthogonal init would run a QR decomposition that is then thrown away.
  const init = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros', biasInitializer: 'zeros' } as const;
  const lstm = tfl.layers.lstm({ units: H, returnSequences: false, activation: 'tanh', recurrentActivation: 'sigmoid', unitForgetBias: false, inputShape: [c.length, ADDING_CHANNELS], ...init });
  const head = tfl.layers.dense({ units: 1, kernelInitializer: 'zeros', biasInitializer: 'zeros' });
  const model = tfl.sequential({ layers: [lstm, head] });
  const bias = Float32Array.from(p('rnn.bias_ih_l0'), (b, i) => b + p('rnn.bias_hh_l0')[i]!);
  const weights = [
    tf.tensor2d(transposed(p('rnn.weight_ih_l0'), 4 * H, ADDING_CHANNELS), [ADDING_CHANNELS, 4 * H]),
    tf.tensor2d(transposed(p('rnn.weight_hh_l0'), 4 * H, H), [H, 4 * H]),
    tf.tensor1d(bias),
  ];
  const headWeights = [tf.tensor2d(Float32Array.from(p('head.weight')), [H, 1]), tf.tensor1d(Float32Array.from(p('head.bias')))];
  lstm.setWeights(weights);
  head.setWeights(headWeights);
  tf.dispose([...weights, ...headWeights]);
  return model;
}

export interface TfjsLstmOptions {
  /** The timed steps' budget (STEP_BUDGET_MS). */
  budgetMs?: number;
  /** At most this many timed steps (16; tests take fewer). */
  maxSteps?: number;
}

/** After the warm-up: as many steps as plannedTfjsSteps says fit at its pace, at most opts.maxSteps; each one's ms. */
async function timedSteps(step: () => Promise<{ ms: number }>, warmMs: number, opts: TfjsLstmOptions): Promise<{ samples: number[]; planned: number }> {
  const budgetMs = opts.budgetMs ?? STEP_BUDGET_MS;
  const fit = plannedTfjsSteps(warmMs, budgetMs);
  const max = Math.min(fit.max, opts.maxSteps ?? fit.max);
  const min = Math.min(fit.min, max);
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < max && (samples.length < min || performance.now() - start < budgetMs)) samples.push((await step()).ms);
  return { samples, planned: Math.min(fit.planned, max) };
}

/**
 * TF.js's LSTM training step on our device: built with our weights, gated on its first step's loss against
 * rnnLoss, one more untimed step (the first compiled every shader and made Adam's moments), then as many steps as
 * fit the budget (plannedTfjsSteps: 1 to 16), each timed from the call to minimize until the loss's data() resolves: TF.js submits its
 * queued commands, Adam's updates among them, before it maps the loss for reading, so the whole step has run.
 */
export async function benchTfjsLstm(ctx: KernelContext, c: LstmStepCase, opts: TfjsLstmOptions = {}): Promise<BenchResult> {
  const name = tfjsLstmName(c);
  const shape = [c.batch, c.length, ADDING_CHANNELS];
  const tf = await tfjsOn(ctx);
  if (typeof tf === 'string') return { name, shape, ok: false, maxRelErr: NaN, detail: { skipped: tf } };
  let tfl: Tfl;
  try {
    tfl = await import('@tensorflow/tfjs-layers');
  } catch {
    return { name, shape, ok: false, maxRelErr: NaN, detail: { skipped: 'tf.layers is not installed (npm i -D @tensorflow/tfjs-layers)' } };
  }
  const rng = new Rng(c.width * 1000 + c.length);
  const batch = adding(c.batch, c.length, rng);
  const params = pytorchParams(c, rng);
  const model = kerasLstm(tf, tfl, c, params);
  const x = tf.tensor3d(batch.x, [c.batch, c.length, ADDING_CHANNELS]);
  const y = tf.tensor2d(Float32Array.from(batch.y), [c.batch, 1]);
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  // LayerVariable.read() is typed as a Tensor; it returns the tf.Variable that minimize updates.
  const vars = model.trainableWeights.map((w) => w.read() as ReturnType<Tf['variable']>);
  const loss = () => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as ReturnType<Tf['tensor2d']>) as ReturnType<Tf['scalar']>;
  const step = async (): Promise<{ ms: number; loss: number }> => {
    const t0 = performance.now();
    const cost = optimizer.minimize(loss, true, vars)!;
    const value = (await cost.data())[0]!;
    const ms = performance.now() - t0;
    cost.dispose();
    return { ms, loss: value };
  };
  try {
    const first = await step();
    const t0 = performance.now();
    const refLoss = rnnLoss(lstmSpec(c), params, { x: Float64Array.from(batch.x), y: batch.y, batch: c.batch, length: c.length });
    const gate = { gate: 'first-step loss vs float64 forward', gpuLoss: first.loss, refLoss, refSeconds: (performance.now() - t0) / 1000, gateMs: first.ms };
    const maxRelErr = Math.abs(first.loss - refLoss) / Math.abs(refLoss);
    if (!(maxRelErr <= LSTM_GATE_TOLERANCE)) return { name, shape, ok: false, maxRelErr, detail: gate };
    const warmupMs = (await step()).ms;
    const tensors = tf.memory().numTensors;
    const { samples, planned } = await timedSteps(step, warmupMs, opts);
    const leakedTensors = tf.memory().numTensors - tensors;
    const ms = median(samples);
    const perSecond = (1000 * c.batch) / ms;
    const detail = { case: `${perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toPrecision(2)} seq/s`, sequencesPerSecond: perSecond, samples: samples.length, samplesPlanned: planned };
    const figures = { ms, msMin: Math.min(...samples), msMax: Math.max(...samples), gflops: lstmStepFlops(c) / ms / 1e6 };
    const fewer = samples.length < SLOW_STEP_SAMPLES ? { fewerSteps: `${samples.length} timed: a ${(warmupMs / 1000).toFixed(0)} s warm-up step against a ${(opts.budgetMs ?? STEP_BUDGET_MS) / 1000} s budget` } : {};
    return { name, shape, ok: true, maxRelErr, ...figures, detail: { ...detail, ...fewer, timing: 'wall', warmupMs, leakedTensors, ...gate } };
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}
