import { describe, expect, it } from 'vitest';
import { layerNormBackward, layerNormForward } from '../../src/reference/index.ts';
import { expectClose, expectGradient } from './fd.ts';
import { dot, seeded, normal, uniform } from './rng.ts';

describe('layer norm', () => {
  it('normalizes each row with the biased variance (hand case)', () => {
    // Row [1, 3]: mean 2, biased var 1 → x̂ = [-1, 1]/√(1 + eps). Row [4, 4]: var 0 → x̂ = 0.
    const eps = 1e-5;
    const { y, mean, rstd } = layerNormForward([1, 3, 4, 4], 2, 2, [2, 3], [0.5, -1], eps);
    const r = 1 / Math.sqrt(1 + eps);
    expectClose('mean', mean, [2, 4]);
    expectClose('rstd', rstd, [r, 1 / Math.sqrt(eps)]);
    expectClose('y', y, [0.5 - 2 * r, -1 + 3 * r, 0.5, -1]);
  });

  it('gives rows with mean β and variance γ²·var/(var+eps) when γ, β are uniform', () => {
    const rng = seeded(5);
    const [B, F] = [3, 40];
    const x = normal(rng, B * F, 3);
    const { y } = layerNormForward(x, B, F, new Float64Array(F).fill(1.5), new Float64Array(F).fill(0.25));
    for (let r = 0; r < B; r++) {
      const row = y.subarray(r * F, (r + 1) * F);
      const m = row.reduce((s, v) => s + v, 0) / F;
      const v = row.reduce((s, u) => s + (u - m) ** 2, 0) / F;
      expect(m).toBeCloseTo(0.25, 12);
      expect(v).toBeCloseTo(2.25, 4);
    }
  });

  it('backward dx, dγ, dβ match finite differences of Σ dy·y', () => {
    const rng = seeded(17);
    const [B, F] = [4, 7];
    const x = normal(rng, B * F, 2);
    const gamma = uniform(rng, F, 0.5, 1.5);
    const beta = normal(rng, F);
    const dy = normal(rng, B * F);
    const { mean, rstd } = layerNormForward(x, B, F, gamma, beta);
    const { dx, dgamma, dbeta } = layerNormBackward(dy, x, B, F, gamma, mean, rstd);
    expectGradient('dx', (v) => dot(dy, layerNormForward(v, B, F, gamma, beta).y), x, dx);
    expectGradient('dγ', (v) => dot(dy, layerNormForward(x, B, F, v, beta).y), gamma, dgamma);
    expectGradient('dβ', (v) => dot(dy, layerNormForward(x, B, F, gamma, v).y), beta, dbeta);
  });

  it('backward with F = 1 gives dx = 0 (the output does not depend on x)', () => {
    const { mean, rstd } = layerNormForward([3, -2], 2, 1, [1], [0]);
    const { dx } = layerNormBackward([1, 1], [3, -2], 2, 1, [1], mean, rstd);
    expect(Array.from(dx)).toEqual([0, 0]);
  });

  it('rejects mismatched shapes', () => {
    expect(() => layerNormForward([1, 2, 3], 2, 2, [1, 1], [0, 0])).toThrow(/x \(2×2\) must have length 4/);
    expect(() => layerNormForward([1, 2, 3, 4], 2, 2, [1], [0, 0])).toThrow(/gamma must have length 2/);
  });
});
