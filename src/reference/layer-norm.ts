import { affine, checkNormShapes, groupMoments, normBackward, rowAxis, rstdOf } from './norm-core.ts';
import type { NormForward, NormGrads } from './norm-core.ts';

/** Per row of x [B×F]: y = (x - mean)·rstd·γ + β, biased variance, rstd = 1/√(var + eps). mean, rstd have length B. */
export function layerNormForward(
  x: ArrayLike<number>,
  B: number,
  F: number,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  eps = 1e-5,
): NormForward {
  checkNormShapes('layerNormForward', x, B, F, gamma);
  const axis = rowAxis(B, F);
  const { mean, variance } = groupMoments(x, axis);
  const rstd = rstdOf(variance, eps);
  return { y: affine(x, F, axis, mean, rstd, gamma, beta), mean, rstd };
}

export function layerNormBackward(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  B: number,
  F: number,
  gamma: ArrayLike<number>,
  mean: ArrayLike<number>,
  rstd: ArrayLike<number>,
): NormGrads {
  checkNormShapes('layerNormBackward', x, B, F, gamma);
  return normBackward(dy, x, F, rowAxis(B, F), gamma, mean, rstd);
}
