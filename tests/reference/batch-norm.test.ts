import { describe, expect, it } from 'vitest';
import { batchNormBackward, batchNormForwardEval, batchNormForwardTrain } from '../../src/reference/index.ts';
import { expectClose, expectGradient } from './fd.ts';
import { dot, seeded, normal, uniform } from './rng.ts';

const ONES2 = [1, 1];
const ZEROS2 = [0, 0];

describe('batch norm', () => {
  it('normalizes each column over the batch and updates running stats like PyTorch (hand case)', () => {
    // Columns [1, 3, 5] (mean 3, biased var 8/3, unbiased 4) and [2, 2, 2] (mean 2, var 0).
    const eps = 1e-5;
    const x = [1, 2, 3, 2, 5, 2];
    const out = batchNormForwardTrain(x, 3, 2, [2, 1], [0, 0.5], [1, 0], [2, 3], 0.1, eps);
    const r = 1 / Math.sqrt(8 / 3 + eps);
    expectClose('mean', out.mean, [3, 2]);
    expectClose('rstd', out.rstd, [r, 1 / Math.sqrt(eps)]);
    expectClose('y', out.y, [-4 * r, 0.5, 0, 0.5, 4 * r, 0.5]);
    expectClose('runningMean', out.runningMean, [0.9 * 1 + 0.1 * 3, 0.1 * 2]);
    expectClose('runningVar', out.runningVar, [0.9 * 2 + 0.1 * 4, 0.9 * 3]);
  });

  it('does not mutate its inputs', () => {
    const runningMean = new Float64Array([1, 2]);
    const runningVar = new Float64Array([3, 4]);
    batchNormForwardTrain([5, 6, 7, 9], 2, 2, ONES2, ZEROS2, runningMean, runningVar);
    expect(Array.from(runningMean)).toEqual([1, 2]);
    expect(Array.from(runningVar)).toEqual([3, 4]);
  });

  it('with B = 1 uses the (zero) variance itself instead of dividing by B - 1', () => {
    const out = batchNormForwardTrain([4, -7], 1, 2, [2, 3], [0.5, -1], [0, 0], [1, 1]);
    expect(Array.from(out.runningVar)).toEqual([0.9, 0.9]);
    expectClose('runningMean', out.runningMean, [0.4, -0.7]);
    expect(Array.from(out.y)).toEqual([0.5, -1]);
    const { dx } = batchNormBackward([1, 1], [4, -7], 1, 2, [2, 3], out.mean, out.rstd);
    expect(Array.from(dx)).toEqual([0, 0]);
  });

  it('eval mode normalizes with the running statistics', () => {
    const eps = 1e-5;
    const y = batchNormForwardEval([3, 0, 5, 1], 2, 2, [2, 1], [1, 0], [1, -1], [4, 0.25], eps);
    const [r0, r1] = [1 / Math.sqrt(4 + eps), 1 / Math.sqrt(0.25 + eps)];
    expectClose('y', y, [1 + 2 * 2 * r0, 1 * r1, 1 + 2 * 4 * r0, 2 * r1]);
  });

  it('backward dx, dγ, dβ match finite differences of Σ dy·y through the batch statistics', () => {
    const rng = seeded(23);
    const [B, F] = [6, 5];
    const x = normal(rng, B * F, 2);
    const gamma = uniform(rng, F, 0.5, 1.5);
    const beta = normal(rng, F);
    const dy = normal(rng, B * F);
    const rm = new Float64Array(F);
    const rv = new Float64Array(F).fill(1);
    const y = (xs: ArrayLike<number>, g: ArrayLike<number>, b: ArrayLike<number>): Float64Array =>
      batchNormForwardTrain(xs, B, F, g, b, rm, rv).y;
    const { mean, rstd } = batchNormForwardTrain(x, B, F, gamma, beta, rm, rv);
    const { dx, dgamma, dbeta } = batchNormBackward(dy, x, B, F, gamma, mean, rstd);
    expectGradient('dx', (v) => dot(dy, y(v, gamma, beta)), x, dx);
    expectGradient('dγ', (v) => dot(dy, y(x, v, beta)), gamma, dgamma);
    expectGradient('dβ', (v) => dot(dy, y(x, gamma, v)), beta, dbeta);
  });

  it('differs from layer norm on a non-square input (statistics run down columns)', () => {
    const x = [1, 2, 3, 4, 5, 6];
    const { mean } = batchNormForwardTrain(x, 2, 3, [1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1]);
    expect(Array.from(mean)).toEqual([2.5, 3.5, 4.5]);
  });
});
