import { describe, expect, it } from 'vitest';
import { BLUE_RED, LUT_SIZE, NON_FINITE_RGB, VIRIDIS, lutGradient, lutRgb, type Lut } from '../../src/ui/colormaps.ts';

/** CIE L* (0..100) of an sRGB byte triple: what "perceptually uniform" is measured in. */
function lightness([r, g, b]: [number, number, number]): number {
  const lin = (c: number): number => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const y = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  return y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (24389 / 27) * y;
}

const entries = (lut: Lut): [number, number, number][] => Array.from({ length: LUT_SIZE }, (_, i) => lutRgb(lut, i));
const near = (got: number[], want: number[], tol: number): boolean => got.every((g, i) => Math.abs(g - want[i]!) <= tol);

describe('viridis LUT', () => {
  it('has 256 RGB entries with matplotlib endpoints (#440154 → #fde725) and middle (#21918c)', () => {
    expect(VIRIDIS.length).toBe(LUT_SIZE * 3);
    expect(near(lutRgb(VIRIDIS, 0), [0x44, 0x01, 0x54], 4), `${lutRgb(VIRIDIS, 0)}`).toBe(true);
    expect(near(lutRgb(VIRIDIS, 255), [0xfd, 0xe7, 0x25], 4), `${lutRgb(VIRIDIS, 255)}`).toBe(true);
    expect(near(lutRgb(VIRIDIS, 128), [0x21, 0x91, 0x8c], 4), `${lutRgb(VIRIDIS, 128)}`).toBe(true);
  });

  it('rises in lightness, evenly', () => {
    const L = entries(VIRIDIS).map(lightness);
    const steps = L.slice(1).map((l, i) => l - L[i]!);
    const worst = steps.reduce((m, s, i) => (s < steps[m]! ? i : m), 0);
    // Rounding to bytes can cost up to ~0.2 L* between neighbours; 8 entries apart it must rise clearly.
    expect(steps[worst], `lightness falls between entries ${worst} and ${worst + 1}`).toBeGreaterThan(-0.1);
    const over8 = L.slice(8).map((l, i) => l - L[i]!);
    expect(Math.min(...over8)).toBeGreaterThan(1.5);
    expect(Math.max(...over8) / Math.min(...over8)).toBeLessThan(2);
    expect(L[255]! - L[0]!).toBeGreaterThan(70);
  });
});

describe('blue–red diverging LUT', () => {
  it('runs dark blue → near-white → dark red', () => {
    const [lo, mid, hi] = [lutRgb(BLUE_RED, 0), lutRgb(BLUE_RED, 127.5), lutRgb(BLUE_RED, 255)];
    expect(near(lo, [0x05, 0x30, 0x61], 2)).toBe(true);
    expect(near(hi, [0x67, 0x00, 0x1f], 2)).toBe(true);
    expect(Math.min(...mid)).toBeGreaterThan(235);
    expect(lo[2]).toBeGreaterThan(lo[0]);
    expect(hi[0]).toBeGreaterThan(hi[2]);
  });

  it('is brightest in the middle and darkens monotonically toward both ends', () => {
    const L = entries(BLUE_RED).map(lightness);
    for (let i = 1; i < 128; i++) expect(L[i]! + 0.5, `entry ${i}`).toBeGreaterThanOrEqual(L[i - 1]!);
    for (let i = 129; i < 256; i++) expect(L[i]! - 0.5, `entry ${i}`).toBeLessThanOrEqual(L[i - 1]!);
    expect(Math.abs(L[0]! - L[255]!)).toBeLessThan(8);
  });
});

describe('non-finite marker', () => {
  it('is far from every colour of both maps', () => {
    for (const lut of [VIRIDIS, BLUE_RED]) {
      const dist = Math.min(...entries(lut).map((c) => Math.hypot(...c.map((v, i) => v - NON_FINITE_RGB[i]!))));
      expect(dist).toBeGreaterThan(120);
    }
  });
});

describe('lutGradient', () => {
  it('makes a CSS gradient with the requested number of stops', () => {
    const g = lutGradient(VIRIDIS, 8);
    expect(g.startsWith('linear-gradient(to top, rgb(')).toBe(true);
    expect(g.match(/rgb\(/g)).toHaveLength(8);
    expect(g.endsWith('100.0%)')).toBe(true);
  });
});
