import { checkLength } from './checks.ts';
import { affine, checkNormShapes, columnAxis, groupMoments, normBackward, rstdOf } from './norm-core.ts';
import type { NormForward, NormGrads } from './norm-core.ts';

export interface BatchNormTrainForward extends NormForward {
  runningMean: Float64Array;
  runningVar: Float64Array;
}

/**
 * Training mode: per column of x [B×F] over the batch, normalized with the biased variance.
 * Running stats follow PyTorch: r ← (1-m)·r + m·stat, using the unbiased variance var·B/(B-1)
 * (PyTorch rejects B = 1; here the biased variance is used instead so nothing divides by zero).
 * Returns new running arrays; the inputs are not mutated. mean, rstd have length F.
 */
export function batchNormForwardTrain(
  x: ArrayLike<number>,
  B: number,
  F: number,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  runningMean: ArrayLike<number>,
  runningVar: ArrayLike<number>,
  momentum = 0.1,
  eps = 1e-5,
): BatchNormTrainForward {
  checkNormShapes('batchNormForwardTrain', x, B, F, gamma);
  checkLength(runningMean, F, 'batchNormForwardTrain runningMean');
  checkLength(runningVar, F, 'batchNormForwardTrain runningVar');
  const axis = columnAxis(B, F);
  const { mean, variance } = groupMoments(x, axis);
  const rstd = rstdOf(variance, eps);
  const bessel = B > 1 ? B / (B - 1) : 1;
  return {
    y: affine(x, F, axis, mean, rstd, gamma, beta),
    mean,
    rstd,
    runningMean: Float64Array.from(runningMean, (r, j) => (1 - momentum) * r + momentum * mean[j]!),
    runningVar: Float64Array.from(runningVar, (r, j) => (1 - momentum) * r + momentum * variance[j]! * bessel),
  };
}

/** Eval mode: normalize each column with the running statistics. */
export function batchNormForwardEval(
  x: ArrayLike<number>,
  B: number,
  F: number,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  runningMean: ArrayLike<number>,
  runningVar: ArrayLike<number>,
  eps = 1e-5,
): Float64Array {
  checkNormShapes('batchNormForwardEval', x, B, F, gamma);
  checkLength(runningMean, F, 'batchNormForwardEval runningMean');
  checkLength(runningVar, F, 'batchNormForwardEval runningVar');
  return affine(x, F, columnAxis(B, F), runningMean, rstdOf(runningVar, eps), gamma, beta);
}

/** Backward of the training-mode forward (batch statistics depend on x). */
export function batchNormBackward(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  B: number,
  F: number,
  gamma: ArrayLike<number>,
  mean: ArrayLike<number>,
  rstd: ArrayLike<number>,
): NormGrads {
  checkNormShapes('batchNormBackward', x, B, F, gamma);
  return normBackward(dy, x, F, columnAxis(B, F), gamma, mean, rstd);
}
