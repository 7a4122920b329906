import { describe, expect, it } from 'vitest';
import { erf, erfc } from '../../src/reference/index.ts';
import { expectClose } from './fd.ts';

// High-precision values (mpmath, 30 digits), rounded to float64.
const ERF: readonly [number, number][] = [
  [0.5, 0.5204998778130465],
  [1, 0.8427007929497149],
  [2, 0.9953222650189527],
  [-3, -0.9999779095030014],
  [1e-8, 1.1283791670955126e-8],
  [0.1, 0.1124629160182849],
  [-0.7, -0.6778011938374185],
  [3.5, 0.9999992569016277],
  [4.5, 0.9999999998033839],
  [-5, -0.9999999999984626],
  [5.5, 0.9999999999999927],
];
const ERFC: readonly [number, number][] = [
  [1, 0.15729920705028513],
  [2, 0.004677734981047266],
  [3.5, 7.430983723414128e-7],
  [4.5, 1.9661604415428876e-10],
  [6, 2.151973671249892e-17],
  [-0.7, 1.6778011938374185],
];

describe('erf', () => {
  it('matches high-precision values to 2e-15 relative', () => {
    expectClose('erf', ERF.map(([x]) => erf(x)), ERF.map(([, y]) => y), 2e-15);
  });

  it('is odd, zero at zero and saturates to ±1', () => {
    expect(erf(0)).toBe(0);
    for (const x of [0.3, 1.7, 2.5, 4]) expect(erf(-x)).toBe(-erf(x));
    expect(erf(10)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(Number.NaN)).toBeNaN();
  });

  it('is continuous across the series / continued-fraction switch at 2', () => {
    const below = erf(2 - 1e-12);
    const above = erf(2 + 1e-12);
    const slope = (2 / Math.sqrt(Math.PI)) * Math.exp(-4);
    expect(Math.abs(above - below - 2e-12 * slope)).toBeLessThan(1e-15);
  });
});

describe('erfc', () => {
  it('keeps full relative precision in the right tail', () => {
    expectClose('erfc', ERFC.map(([x]) => erfc(x)), ERFC.map(([, y]) => y), 1e-14);
  });

  it('agrees with 1 - erf where that does not cancel', () => {
    for (const x of [-2, -0.5, 0, 0.5, 0.99, 1.01]) expect(erfc(x)).toBeCloseTo(1 - erf(x), 15);
  });
});
