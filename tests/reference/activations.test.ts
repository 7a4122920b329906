import { describe, expect, it } from 'vitest';
import {
  ACTIVATIONS,
  LEAKY_SLOPE,
  activate,
  activateGrad,
  activationBackward,
  activationForward,
} from '../../src/reference/index.ts';
import { expectClose, expectGradient } from './fd.ts';
import { dot, seeded, normal } from './rng.ts';

// Negative, positive and near 0 (but ≥ 1e-3 from the kinks, beyond the 2h = 2e-4 stencil). Within
// |u| ≤ 6 so φ' stays resolvable by differences of φ; the far tails are checked against KNOWN.
const POINTS = [-6, -3.3, -1.7, -1, -0.42, -0.05, -1e-3, 1e-3, 0.05, 0.37, 1, 1.6, 2.9, 5.5];

// φ(u) and φ'(u) from mpmath at 30 digits, rounded to float64.
const KNOWN: readonly [Parameters<typeof activate>[0], number, number, number][] = [
  ['gelu', 1, 0.8413447460685429, 1.0833154705876863],
  ['gelu', -3, -0.0040496940948902836, -0.011945647204183927],
  ['gelu', 0.5, 0.34573123063700655, 0.8674951246561628],
  ['gelu', -8, -4.9767684594174275e-15, -3.979607261086796e-14],
  ['sigmoid', 2, 0.8807970779778824, 0.8807970779778824 * (1 - 0.8807970779778824)],
  ['sigmoid', -30, 9.357622968839299e-14, 9.357622968839299e-14 * (1 - 9.357622968839299e-14)],
  ['sigmoid', 30, 0.9999999999999064, 9.357622968838423e-14],
  ['tanh', 0.5, 0.46211715726000976, 0.7864477329659274],
  ['tanh', -12, -0.9999999999244973, 1.510053817597626e-10],
  ['leaky_relu', -2, -2 * LEAKY_SLOPE, LEAKY_SLOPE],
  ['relu', -2, 0, 0],
  ['linear', -2, -2, 1],
];

describe('activations', () => {
  it('lists all six kinds', () => {
    expect([...ACTIVATIONS].sort()).toEqual(['gelu', 'leaky_relu', 'linear', 'relu', 'sigmoid', 'tanh']);
    expect(LEAKY_SLOPE).toBe(0.01);
  });

  it('match known values and derivatives (gelu is exact, erf-based, accurate in the left tail)', () => {
    expectClose('φ', KNOWN.map(([k, u]) => activate(k, u)), KNOWN.map(([, , y]) => y), 1e-14);
    expectClose("φ'", KNOWN.map(([k, u]) => activateGrad(k, u)), KNOWN.map(([, , , d]) => d), 1e-13);
  });

  it('take the left-branch derivative at the kink, as PyTorch does', () => {
    expect(activateGrad('relu', 0)).toBe(0);
    expect(activateGrad('leaky_relu', 0)).toBe(LEAKY_SLOPE);
    expect(activate('relu', 0)).toBe(0);
    expect(activate('leaky_relu', 0)).toBe(0);
    expect(activate('relu', Number.NaN)).toBeNaN();
  });

  it('sigmoid neither overflows nor loses its tails', () => {
    expect(activate('sigmoid', -800)).toBe(0);
    expect(activate('sigmoid', 800)).toBe(1);
    expect(activateGrad('sigmoid', -800)).toBe(0);
    expect(activate('sigmoid', -40)).toBeCloseTo(Math.exp(-40), 30);
  });

  for (const kind of ACTIVATIONS) {
    it(`${kind}: φ' matches finite differences at many points`, () => {
      const analytic = POINTS.map((u) => activateGrad(kind, u));
      POINTS.forEach((u, i) => expectGradient(`${kind}'(${u})`, (x) => activate(kind, x[0]!), [u], [analytic[i]!]));
    });

    it(`${kind}: backward is dy ⊙ φ'(u), checked against finite differences of Σ dy·φ(u)`, () => {
      const rng = seeded(3);
      const u = normal(rng, 64, 2).map((v) => (Math.abs(v) < 0.01 ? v + 0.1 : v));
      const dy = normal(rng, 64);
      const du = activationBackward(kind, u, dy);
      expectGradient(`${kind} backward`, (x) => dot(dy, activationForward(kind, x)), u, du);
    });
  }

  it('accept Float32Array and reject mismatched lengths', () => {
    const y = activationForward('relu', new Float32Array([-1, 2]));
    expect(Array.from(y)).toEqual([0, 2]);
    expect(() => activationBackward('relu', [1, 2], [1])).toThrow(/equal lengths/);
  });
});
