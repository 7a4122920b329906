/**
 * Issue #10's LSTM training step: one nn.LSTM layer of H units over T steps of the adding problem, then a linear
 * head on the last hidden state, MSE and Adam: one whole step of the graph engine through the same Trainer the CLI
 * and the page drive, in ms per step and sequences per second. Its peer, TF.js's tf.layers.lstm on the same device,
 * is tfjs-lstm.ts.
 */
import type { KernelContext } from '../gpu/context.ts';
import { resolveConfig, type RunConfig } from '../model/config.ts';
import { rnnLoss, type RnnSpec } from '../reference/rnn.ts';
import { makeDataset } from '../train/data/index.ts';
import { ADDING_CHANNELS } from '../train/data/sequences.ts';
import { Trainer } from '../train/trainer.ts';
import type { BenchResult } from './result.ts';
import { benchTrainerStep, type ReferenceLoss, type StepTimingOptions } from './step-bench.ts';

export interface LstmStepCase {
  /** H, the hidden units. */
  width: number;
  /** T, the time steps of every sequence. */
  length: number;
  batch: number;
}

/** Issue #10's: H = 128, T = 100, batch 128. Slow: seconds a step on a CPU adapter, and so is its float64 gate. */
export const LSTM_STEP_CASES: readonly LstmStepCase[] = [{ width: 128, length: 100, batch: 128 }];

/**
 * The first-step loss's agreement with the float64 forward: the ResNet's. A float32 LSTM carries its state through
 * all T steps, so its rounding grows with T, but at T = 100 it is still orders of magnitude inside this.
 */
export const LSTM_GATE_TOLERANCE = 1e-4;

/** `lstm-w128-t100-b128`: what the step case and its TF.js peer share. */
export function lstmLabel(c: LstmStepCase): string {
  return `lstm-w${c.width}-t${c.length}-b${c.batch}`;
}

/** `step/lstm-w128-t100-b128`, in the style of the ResNet steps. */
export function lstmStepName(c: LstmStepCase): string {
  return `step/${lstmLabel(c)}`;
}

/**
 * The run config: model.arch=rnn's defaults (one LSTM layer, PyTorch's init, Adam at lr 0.001) at the case's width,
 * length and batch, but with the gradient norm left unclipped: TF.js's optimizer.minimize has no clipping, and the
 * two sides should do the same work. (Ours computes the global gradient norm every step anyway; clipping would add
 * one scale to the update.)
 */
export function lstmStepConfig(c: LstmStepCase): RunConfig {
  return resolveConfig({
    seed: 1,
    // Twice the batch: a training split (80%) that holds one whole batch. Nothing else reads the data.
    data: { name: 'adding', samples: Math.max(16, 2 * c.batch), length: c.length },
    model: { arch: 'rnn', cell: 'lstm', depth: 1, width: c.width },
    train: { batchSize: c.batch, steps: 1_000_000, clip: { mode: 'none' } },
  });
}

/** The float64 reference's view of the net: nn.LSTM(2, H) and nn.Linear(H, 1) on the adding problem. */
export function lstmSpec(c: LstmStepCase): RnnSpec {
  return { cell: 'lstm', inputSize: ADDING_CHANNELS, hidden: c.width, depth: 1, outputs: 1, task: 'regression' };
}

/**
 * Multiply-adds of one forward pass over a batch: at every step the four gates' W_ih·x_t and W_hh·h_{t−1}, then the
 * head. The gates' elementwise work (about 20 flops a unit a step, against 2·4·(2 + H) for the matmuls) is left out,
 * as the ResNet count leaves out its norms.
 */
export function lstmForwardMacs(c: LstmStepCase): number {
  return c.batch * (c.length * 4 * c.width * (ADDING_CHANNELS + c.width) + c.width);
}

/** Forward, input gradient, weight gradient: 3 × the forward's multiply-adds, 2 flops each (TF.js's count too). */
export function lstmStepFlops(c: LstmStepCase): number {
  return 2 * 3 * lstmForwardMacs(c);
}

/** rnnLoss on the batch the first step drew: x is [B, T, 2] batch first, y the first B of the targets' slot. */
export function lstmReference(c: LstmStepCase): ReferenceLoss {
  return (params, _buffers, b) => rnnLoss(lstmSpec(c), params, { x: b.x, y: Array.from(b.y).slice(0, b.batch), batch: b.batch, length: c.length });
}

/**
 * ms per training step of the LSTM, gated, then timed (benchTrainerStep): the gate is the first step's loss
 * against rnnLoss, the float64 LSTM unrolled through all T steps, on the weights that step started from and the
 * batch it drew, at the batch and length that are timed (they set every recurrent dispatch's grid and how far the
 * state carries float32 rounding). Then a plain warm-up step, and ABBA pairs of logged and plain steps when 4 fit the
 * step budget, else 3 plain steps.
 */
export async function benchLstmStep(ctx: KernelContext, c: LstmStepCase, opts: StepTimingOptions = {}): Promise<BenchResult> {
  const config = lstmStepConfig(c);
  const data = await makeDataset(config.data, config.seed);
  const t0 = performance.now();
  const trainer = await Trainer.create(ctx, config, data);
  const buildSeconds = (performance.now() - t0) / 1000;
  try {
    const step = { name: lstmStepName(c), shape: [c.batch, c.length, ADDING_CHANNELS], flops: lstmStepFlops(c), buildSeconds };
    const rate = { per: c.batch, key: 'sequencesPerSecond', unit: 'seq/s' };
    return await benchTrainerStep(ctx, trainer, { ...step, rate, tolerance: LSTM_GATE_TOLERANCE, reference: lstmReference(c) }, opts);
  } finally {
    trainer.destroy();
  }
}
