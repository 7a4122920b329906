import { LAYER_STATISTICS, isLayerStatistic, type LayerStatistic } from '../../stats/layer-statistics.ts';
import { BLUE_RED, LUT_SIZE, NON_FINITE_RGB, NO_GRADIENT_RGB, VIRIDIS, type Lut } from '../colormaps.ts';

/** The per-layer fields of a StepRecord the heatmap can show. */
export type Statistic = LayerStatistic;

export const STATISTICS: readonly Statistic[] = LAYER_STATISTICS;

/** 'value': the statistic itself; 'ratio': run B against run A (see ratioRecord). */
export type HeatmapMode = 'value' | 'ratio';

/** How raw values become the number a colour is picked from. */
export type ScaleKind = 'log' | 'linear';

/**
 * What an exact 0 means on a log scale: 'floor', the smallest value (a layer whose gradient underflowed), drawn in
 * the map's floor colour; 'none', no gradient at all (a time step truncated BPTT leaves out), drawn grey.
 */
export type ZeroRule = 'floor' | 'none';

/** colorIndex's answer for a cell drawn as "no gradient". */
export const NO_GRADIENT_INDEX = -2;

export interface Range {
  min: number;
  max: number;
}

/** Fractions in [0, 1] are read linearly; norms and ratios of norms span decades, so log10. */
export function scaleKind(stat: Statistic): ScaleKind {
  return stat === 'saturated' || stat === 'dead' ? 'linear' : 'log';
}

export const isStatistic: (s: string) => s is Statistic = isLayerStatistic;

/**
 * The number the colour comes from. NaN marks "not drawable" (NaN, ±∞, or a negative under log);
 * -Infinity marks an exact zero under log, drawn as the map's floor colour.
 */
export function toDisplay(v: number, kind: ScaleKind): number {
  if (!Number.isFinite(v)) return NaN;
  if (kind === 'linear') return v;
  if (v === 0) return -Infinity;
  return v > 0 ? Math.log10(v) : NaN;
}

/** The colour table for a mode: sequential for values, diverging for ratios. */
export function lutFor(mode: HeatmapMode): Lut {
  return mode === 'ratio' ? BLUE_RED : VIRIDIS;
}

/** Index into the LUT for a display value, -1 for the non-finite marker, or NO_GRADIENT_INDEX. */
export function colorIndex(d: number, range: Range, zero: ZeroRule = 'floor'): number {
  if (Number.isNaN(d)) return -1;
  if (d === -Infinity) return zero === 'none' ? NO_GRADIENT_INDEX : 0;
  const span = range.max - range.min;
  const t = span > 0 ? (d - range.min) / span : 0.5;
  return Math.round(Math.min(1, Math.max(0, t)) * (LUT_SIZE - 1));
}

/** Writes the RGBA of LUT index `i` (-1 = non-finite marker, NO_GRADIENT_INDEX = grey) at byte offset `o`. */
export function writeRgba(out: Uint8ClampedArray, o: number, lut: Lut, i: number): void {
  if (i < 0) {
    const rgb = i === NO_GRADIENT_INDEX ? NO_GRADIENT_RGB : NON_FINITE_RGB;
    out[o] = rgb[0];
    out[o + 1] = rgb[1];
    out[o + 2] = rgb[2];
  } else {
    out[o] = lut[i * 3] ?? 0;
    out[o + 1] = lut[i * 3 + 1] ?? 0;
    out[o + 2] = lut[i * 3 + 2] ?? 0;
  }
  out[o + 3] = 255;
}

/** Converts a column of raw values to display values in place into `out` (reused between calls). */
export function displayColumn(raw: ArrayLike<number>, kind: ScaleKind, out: Float32Array): Float32Array {
  for (let i = 0; i < raw.length; i++) out[i] = toDisplay(raw[i] ?? NaN, kind);
  return out;
}
