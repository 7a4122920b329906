import { FULL_CHECK_LIMIT } from './matmul-bench.ts';
import { SLOW_RUN_MS } from './timing.ts';

/**
 * How long each case takes on the reference adapter (SwiftShader on two shared cores, the machine
 * docs/benchmarks.md was measured on), from the work it does. Only the progress line's time-left uses these,
 * and it rescales them by how fast this machine turns out to be (progress.ts), so they need to be right
 * relative to each other, not in absolute terms. Rates are what the suite measured there (2026-12-01, load 2–5).
 */
export const REFERENCE = {
  /** GFLOP/s of each matmul variant on mid-size shapes. */
  matmulGflops: { naive: 0.2, reg: 1.1, vec4: 2.5, tiled: 0.7 } as Record<string, number>,
  /**
   * GFLOP/s of the convolutions, a pass averaged (reg: conv_forward_reg and conv_input_reg at 2–3, conv_reg's weight
   * gradient at 1.1; tiled runs the GEMM core on im2col loaders), 2026-12-07.
   */
  convGflops: { reg: 1.8, tiled: 0.4, tfjs: 0.3 } as Record<string, number>,
  /** TF.js's WebGPU matmul, by size (it slows down at 1,024). */
  tfjsGflops: (n: number): number => (n >= 1024 ? 0.1 : 0.2),
  /** Multiply-adds per second of the float64 reference checks, in JavaScript. */
  f64MacsPerSecond: 3e8,
  /** A generic kernel case: generating inputs, the float64 check and its timed runs, per element of its shape. */
  kernelSecondsPerElement: 1.5e-6,
  /** One training step of the step benchmark's network (width and batch 128), per block. */
  stepSecondsPerBlock: 9e-3,
  /** Building that network and uploading it, per block. */
  buildSecondsPerBlock: 3e-3,
  /** GFLOP/s of a whole ResNet training step at batch 128 (6 flops per forward multiply-add): 0.84–0.86, 2026-12-07. */
  resnetStepGflops: 0.8,
  /** Building a ResNet trainer: the data, the plan, every pipeline of its step and eval programs (3–4 s). */
  resnetBuildSeconds: 4,
  /** Multiply-adds per second of the float64 convolution forward (the ResNet step's gate), in JavaScript: 1.9–2.2e8. */
  f64ConvMacsPerSecond: 1.9e8,
  /**
   * GFLOP/s of the LSTM step (H 128, T 100, batch 128; 6 flops per forward multiply-add): 0.20–0.51, and TF.js's
   * tf.layers.lstm on the same shape 0.032–0.050 (the same count), 2026-12-07 at load 10–15, not the 2–5 of the rates
   * above: two runs each, a run of both cases 6 to 12 minutes.
   */
  lstmStepGflops: 0.3,
  tfjsLstmGflops: 0.04,
  /** Building an LSTM trainer (its step and eval programs): 2–5 s at that load. */
  lstmBuildSeconds: 4,
  /** Multiply-adds per second of the float64 LSTM forward (rnnLoss), the gate of both LSTM cases: 0.85 G in 4–9 s. */
  f64RnnMacsPerSecond: 1.2e8,
  peakSeconds: 2,
  /** Loading TF.js and building its backend, once. */
  tfjsLoadSeconds: 2,
} as const;


function checkSeconds(macs: number): number {
  return macs <= FULL_CHECK_LIMIT ? macs / REFERENCE.f64MacsPerSecond : 0.05;
}

/** The gate run, then five timed runs (one in all when the gate is slow), then the check. */
export function matmulSeconds(variant: string, macs: number): number {
  const run = (2 * macs) / ((REFERENCE.matmulGflops[variant] ?? REFERENCE.matmulGflops.reg!) * 1e9);
  return 0.1 + (run > SLOW_RUN_MS / 1000 ? 1 : 6) * run + checkSeconds(macs);
}

/** A ResNet convolution pass: the gate run, five timed runs (one when the gate is slow), 1,024 sampled checks. */
export function convSeconds(variant: string, macs: number): number {
  const run = (2 * macs) / (REFERENCE.convGflops[variant] ?? REFERENCE.convGflops.reg!) / 1e9;
  return 0.3 + (run > SLOW_RUN_MS / 1000 ? 1 : 6) * run + (1024 * macs) / REFERENCE.f64MacsPerSecond / 131_072;
}

/** TF.js on n³: the gate run, then three timed runs below 1,024 (the gate is the sample at 1,024 and above). */
export function peerSeconds(n: number, first: boolean): number {
  const run = (2 * n ** 3) / (REFERENCE.tfjsGflops(n) * 1e9);
  return (first ? REFERENCE.tfjsLoadSeconds : 0) + (n >= 1024 ? 1 : 4) * run + checkSeconds(n ** 3);
}

export function kernelSeconds(shape: readonly number[]): number {
  return 0.2 + REFERENCE.kernelSecondsPerElement * shape.reduce((a, b) => a * b, 1);
}

/**
 * The step benchmark at `depth`: build, the gated first step and its float64 forward, one warm-up step, then
 * `pairs(stepSeconds)` pairs of steps (step-bench.ts decides how many fit its budget).
 */
export function stepSeconds(depth: number, pairs: (pairSeconds: number) => number): number {
  const step = depth * REFERENCE.stepSecondsPerBlock;
  const gate = (depth * 128 ** 3) / REFERENCE.f64MacsPerSecond;
  return depth * REFERENCE.buildSecondsPerBlock + gate + (2 + 2 * pairs(2 * step)) * step;
}

/**
 * A ResNet step case (resnet-bench.ts) of `forwardMacs` multiply-adds a forward pass: build, the gated first step
 * and the float64 forward, one warm-up step, then `timedSteps(stepSeconds)` steps (stepTimingPlan decides).
 */
export function resnetStepSeconds(forwardMacs: number, timedSteps: (stepSeconds: number) => number): number {
  const step = (6 * forwardMacs) / (REFERENCE.resnetStepGflops * 1e9);
  const gate = forwardMacs / REFERENCE.f64ConvMacsPerSecond;
  return REFERENCE.resnetBuildSeconds + gate + (2 + timedSteps(step)) * step;
}

/**
 * The LSTM step case (rnn-bench.ts) of `forwardMacs` a forward pass: build, the gated first step and rnnLoss, one
 * warm-up step, then `timedSteps(stepSeconds)` steps (stepTimingPlan decides).
 */
export function lstmStepSeconds(forwardMacs: number, timedSteps: (stepSeconds: number) => number): number {
  const step = (6 * forwardMacs) / (REFERENCE.lstmStepGflops * 1e9);
  return REFERENCE.lstmBuildSeconds + forwardMacs / REFERENCE.f64RnnMacsPerSecond + (2 + timedSteps(step)) * step;
}

/**
 * TF.js's LSTM step (tfjs-lstm.ts): the gated first step (0.8–1.4 steps: it also compiles TF.js's shaders) and
 * rnnLoss, one warm-up step, `timedSteps(stepSeconds)` more (plannedTfjsSteps decides).
 */
export function tfjsLstmSeconds(forwardMacs: number, timedSteps: (stepSeconds: number) => number): number {
  const step = (6 * forwardMacs) / (REFERENCE.tfjsLstmGflops * 1e9);
  return forwardMacs / REFERENCE.f64RnnMacsPerSecond + (2.2 + timedSteps(step)) * step;
}
