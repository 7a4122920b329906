// Finite-difference gradient checks for the reference backward passes.
import { expect } from 'vitest';

/**
 * ∂f/∂x by the fourth-order central difference
 * f'(x) ≈ [8(f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))] / 12h, with h relative to |x|.
 * Truncation is O(h⁴), so h can be large enough that rounding stays far below 1e-6 relative.
 * Callers keep every point at least 2h away from kinks.
 */
export function numericGradient(f: (x: Float64Array) => number, x0: ArrayLike<number>, h = 1e-4): Float64Array {
  const x = Float64Array.from(x0);
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const step = h * Math.max(1, Math.abs(xi));
    const at = (d: number): number => {
      x[i] = xi + d;
      const y = f(x);
      x[i] = xi;
      return y;
    };
    grad[i] = (8 * (at(step) - at(-step)) - (at(2 * step) - at(-2 * step))) / (12 * step);
  }
  return grad;
}

/**
 * Per-element relative error |a - n| / max(|a|, |n|, floor), floor = 1e-3·max|a|, so an element
 * far below the gradient's scale is judged against that scale instead of its own rounding noise.
 */
export function worstRelativeError(analytic: ArrayLike<number>, numeric: ArrayLike<number>): { index: number; err: number } {
  expect(analytic.length).toBe(numeric.length);
  let scale = 0;
  for (let i = 0; i < analytic.length; i++) scale = Math.max(scale, Math.abs(analytic[i]!));
  let worst = { index: -1, err: 0 };
  for (let i = 0; i < analytic.length; i++) {
    const a = analytic[i]!;
    const n = numeric[i]!;
    const denom = Math.max(Math.abs(a), Math.abs(n), 1e-3 * scale, Number.MIN_VALUE);
    const err = Math.abs(a - n) / denom;
    if (!(err <= worst.err)) worst = { index: i, err };
  }
  return worst;
}

/** Asserts analytic ≈ ∂f/∂x at x0; a failure names the worst index and both values. */
export function expectGradient(
  label: string,
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  analytic: ArrayLike<number>,
  tol = 1e-6,
): void {
  const numeric = numericGradient(f, x0);
  const { index, err } = worstRelativeError(analytic, numeric);
  const detail = index < 0 ? '' : `: worst at [${index}], analytic ${analytic[index]} vs numeric ${numeric[index]}`;
  expect(err, `${label} relative error ${err.toExponential(2)}${detail}`).toBeLessThanOrEqual(tol);
}

/** Asserts |actual - expected| ≤ atol + rtol·|expected| elementwise, naming the worst index. */
export function expectClose(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-12, atol = 0): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  let worst = { index: -1, ratio: 0 };
  for (let i = 0; i < actual.length; i++) {
    const allowed = atol + rtol * Math.abs(expected[i]!);
    const ratio = Math.abs(actual[i]! - expected[i]!) / Math.max(allowed, Number.MIN_VALUE);
    if (!(ratio <= worst.ratio)) worst = { index: i, ratio };
  }
  const { index, ratio } = worst;
  const detail = index < 0 ? '' : `: worst at [${index}], got ${actual[index]} want ${expected[index]}`;
  expect(ratio, `${label} exceeds tolerance ×${ratio.toExponential(2)}${detail}`).toBeLessThanOrEqual(1);
}
