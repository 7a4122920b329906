// Normalization shared by layer norm and batch norm. Both act on a row-major B×F matrix with
// γ, β per feature (column); they differ only in the axis the statistics are taken over.
import { checkLength, checkSize } from './checks.ts';

export interface NormForward {
  y: Float64Array;
  mean: Float64Array;
  rstd: Float64Array;
}

export interface NormGrads {
  dx: Float64Array;
  dgamma: Float64Array;
  dbeta: Float64Array;
}

/** Element e of group g lives at g·groupStride + e·elemStride. */
export interface NormAxis {
  groups: number;
  count: number;
  groupStride: number;
  elemStride: number;
}

/** Layer norm: one group per row (sample), over its F features. */
export function rowAxis(B: number, F: number): NormAxis {
  return { groups: B, count: F, groupStride: F, elemStride: 1 };
}

/** Batch norm: one group per column (feature), over the B samples. */
export function columnAxis(B: number, F: number): NormAxis {
  return { groups: F, count: B, groupStride: 1, elemStride: F };
}

export function checkNormShapes(name: string, x: ArrayLike<number>, B: number, F: number, gamma: ArrayLike<number>): void {
  checkSize(B, `${name} B`);
  checkSize(F, `${name} F`);
  checkLength(x, B * F, `${name} x (${B}×${F})`);
  checkLength(gamma, F, `${name} gamma`);
}

/** Per-group mean and biased variance, two-pass for accuracy. */
export function groupMoments(x: ArrayLike<number>, axis: NormAxis): { mean: Float64Array; variance: Float64Array } {
  const { groups, count, groupStride, elemStride } = axis;
  const mean = new Float64Array(groups);
  const variance = new Float64Array(groups);
  for (let g = 0; g < groups; g++) {
    let sum = 0;
    for (let e = 0; e < count; e++) sum += x[g * groupStride + e * elemStride]!;
    const m = sum / count;
    let sq = 0;
    for (let e = 0; e < count; e++) sq += (x[g * groupStride + e * elemStride]! - m) ** 2;
    mean[g] = m;
    variance[g] = sq / count;
  }
  return { mean, variance };
}

export function rstdOf(variance: ArrayLike<number>, eps: number): Float64Array {
  return Float64Array.from(variance, (v) => 1 / Math.sqrt(v + eps));
}

/** x̂ = (x - mean[g])·rstd[g] for every element. */
function normalized(x: ArrayLike<number>, axis: NormAxis, mean: ArrayLike<number>, rstd: ArrayLike<number>): Float64Array {
  const { groups, count, groupStride, elemStride } = axis;
  checkLength(mean, groups, 'mean');
  checkLength(rstd, groups, 'rstd');
  const xhat = new Float64Array(x.length);
  for (let g = 0; g < groups; g++) {
    for (let e = 0; e < count; e++) {
      const i = g * groupStride + e * elemStride;
      xhat[i] = (x[i]! - mean[g]!) * rstd[g]!;
    }
  }
  return xhat;
}

/** y = x̂·γ + β with γ, β indexed by column. */
export function affine(
  x: ArrayLike<number>,
  F: number,
  axis: NormAxis,
  mean: ArrayLike<number>,
  rstd: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
): Float64Array {
  checkLength(beta, F, 'beta');
  const y = normalized(x, axis, mean, rstd);
  for (let i = 0; i < y.length; i++) y[i] = y[i]! * gamma[i % F]! + beta[i % F]!;
  return y;
}

/**
 * With d = dy·γ per element and means taken over the group:
 * dx = rstd·(d - mean(d) - x̂·mean(d·x̂)); dγ = Σ_rows dy·x̂; dβ = Σ_rows dy.
 */
export function normBackward(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  F: number,
  axis: NormAxis,
  gamma: ArrayLike<number>,
  mean: ArrayLike<number>,
  rstd: ArrayLike<number>,
): NormGrads {
  checkLength(dy, x.length, 'dy');
  const xhat = normalized(x, axis, mean, rstd);
  const d = Float64Array.from(dy, (v, i) => v * gamma[i % F]!);
  const dgamma = new Float64Array(F);
  const dbeta = new Float64Array(F);
  for (let i = 0; i < xhat.length; i++) {
    dgamma[i % F]! += dy[i]! * xhat[i]!;
    dbeta[i % F]! += dy[i]!;
  }
  const { groups, count, groupStride, elemStride } = axis;
  const dx = new Float64Array(x.length);
  for (let g = 0; g < groups; g++) {
    let sumD = 0;
    let sumDX = 0;
    for (let e = 0; e < count; e++) {
      const i = g * groupStride + e * elemStride;
      sumD += d[i]!;
      sumDX += d[i]! * xhat[i]!;
    }
    for (let e = 0; e < count; e++) {
      const i = g * groupStride + e * elemStride;
      dx[i] = rstd[g]! * (d[i]! - sumD / count - (xhat[i]! * sumDX) / count);
    }
  }
  return { dx, dgamma, dbeta };
}
