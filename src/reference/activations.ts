import { checkSameLength } from './checks.ts';
import { erfc } from './erf.ts';

export type Activation = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'gelu';
export const ACTIVATIONS: readonly Activation[] = ['linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'gelu'];
export const LEAKY_SLOPE = 0.01;

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;

function sigmoid(u: number): number {
  // Two branches so exp never overflows.
  if (u >= 0) return 1 / (1 + Math.exp(-u));
  const e = Math.exp(u);
  return e / (1 + e);
}

/** Standard normal CDF Φ(u); erfc keeps the left tail accurate where 1 + erf(u/√2) would cancel. */
function normalCdf(u: number): number {
  return 0.5 * erfc(-u * INV_SQRT2);
}

export function activate(kind: Activation, u: number): number {
  switch (kind) {
    case 'linear':
      return u;
    case 'sigmoid':
      return sigmoid(u);
    case 'tanh':
      return Math.tanh(u);
    case 'relu':
      return Math.max(u, 0); // propagates NaN, so divergence stays visible
    case 'leaky_relu':
      return u > 0 ? u : LEAKY_SLOPE * u;
    case 'gelu':
      return u * normalCdf(u);
  }
}

/** φ'(u). At the kinks (u = 0) relu' = 0 and leaky_relu' = LEAKY_SLOPE, as in PyTorch. */
export function activateGrad(kind: Activation, u: number): number {
  switch (kind) {
    case 'linear':
      return 1;
    // σ(u)·σ(-u) and sech²(u) instead of σ(1-σ) and 1 - tanh², which cancel in the tails.
    case 'sigmoid':
      return sigmoid(u) * sigmoid(-u);
    case 'tanh':
      return 1 / Math.cosh(u) ** 2;
    case 'relu':
      return u > 0 ? 1 : 0;
    case 'leaky_relu':
      return u > 0 ? 1 : LEAKY_SLOPE;
    case 'gelu':
      return normalCdf(u) + u * INV_SQRT_2PI * Math.exp(-0.5 * u * u);
  }
}

export function activationForward(kind: Activation, u: ArrayLike<number>): Float64Array {
  return Float64Array.from(u, (v) => activate(kind, v));
}

/** dL/du = dy ⊙ φ'(u). */
export function activationBackward(kind: Activation, u: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  checkSameLength(u, dy, 'activationBackward u and dy');
  return Float64Array.from(u, (v, i) => dy[i]! * activateGrad(kind, v));
}
