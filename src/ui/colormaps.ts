/**
 * Colour lookup tables for the heatmaps: 256 entries of [r, g, b] bytes, built once at import from
 * published values (viridis from the fit the phase diagram uses too).
 */
import { VIRIDIS_POLY } from '../stats/phase-diagram.ts';

/** 256 × [r, g, b], 0..255. */
export type Lut = Uint8Array;

export const LUT_SIZE = 256;

/** Drawn for NaN and ±∞: magenta appears in neither map, so a non-finite cell never reads as data. */
export const NON_FINITE_RGB: readonly [number, number, number] = [255, 0, 255];

/**
 * Drawn for "no gradient" where a view says an exact 0 means that (time steps truncated BPTT does not reach): a
 * neutral grey, which neither map holds, so it reads as absent rather than as the smallest value.
 */
export const NO_GRADIENT_RGB: readonly [number, number, number] = [110, 110, 110];

/** ColorBrewer RdBu (11 classes), reversed so low = blue, middle = near-white, high = red. */
const BU_RD_ANCHORS = [
  '#053061', '#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7',
  '#fddbc7', '#f4a582', '#d6604d', '#b2182b', '#67001f',
];

const toByte = (x: number): number => Math.round(Math.min(1, Math.max(0, x)) * 255);

function polyLut(coeffs: readonly (readonly [number, number, number])[]): Lut {
  const lut = new Uint8Array(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const t = i / (LUT_SIZE - 1);
    for (let c = 0; c < 3; c++) {
      let v = 0;
      for (let k = coeffs.length - 1; k >= 0; k--) v = v * t + (coeffs[k]?.[c] ?? 0);
      lut[i * 3 + c] = toByte(v);
    }
  }
  return lut;
}

// sRGB <-> OKLab (Björn Ottosson, 2020): interpolating there keeps lightness steps even between anchors.
const toLinear = (c: number): number => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const toGamma = (c: number): number => (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);

type Vec3 = [number, number, number];

function hexToOklab(hex: string): Vec3 {
  const n = parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((x) => toLinear(x / 255)) as Vec3;
  const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  return [
    0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  ];
}

function oklabToRgb([L, a, b]: Vec3): Vec3 {
  const l = (L + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m = (L - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (L - 0.0894841775 * a - 1.291485548 * b) ** 3;
  return [
    toGamma(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s),
    toGamma(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s),
    toGamma(-0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s),
  ];
}

function anchorLut(anchors: readonly string[]): Lut {
  const lab = anchors.map(hexToOklab);
  const lut = new Uint8Array(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const x = (i / (LUT_SIZE - 1)) * (lab.length - 1);
    const k = Math.min(lab.length - 2, Math.floor(x));
    const f = x - k;
    const p = lab[k]!;
    const q = lab[k + 1]!;
    const rgb = oklabToRgb([p[0] + (q[0] - p[0]) * f, p[1] + (q[1] - p[1]) * f, p[2] + (q[2] - p[2]) * f]);
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = toByte(rgb[c]!);
  }
  return lut;
}

/** Sequential, perceptually uniform and colour-blind safe: dark blue (low) → yellow (high). */
export const VIRIDIS: Lut = polyLut(VIRIDIS_POLY);

/** Diverging blue – white – red for ratios: blue below 1, white at 1, red above. */
export const BLUE_RED: Lut = anchorLut(BU_RD_ANCHORS);

/** The i-th entry as [r, g, b]. */
export function lutRgb(lut: Lut, i: number): [number, number, number] {
  const k = Math.min(LUT_SIZE - 1, Math.max(0, Math.round(i))) * 3;
  return [lut[k] ?? 0, lut[k + 1] ?? 0, lut[k + 2] ?? 0];
}

/** A CSS linear-gradient (bottom to top) through `stops` samples of the table, for a legend bar. */
export function lutGradient(lut: Lut, stops = 16, direction = 'to top'): string {
  const parts: string[] = [];
  for (let s = 0; s < stops; s++) {
    const [r, g, b] = lutRgb(lut, (s / (stops - 1)) * (LUT_SIZE - 1));
    parts.push(`rgb(${r} ${g} ${b}) ${((s / (stops - 1)) * 100).toFixed(1)}%`);
  }
  return `linear-gradient(${direction}, ${parts.join(', ')})`;
}
