// Pure helpers between our numbers and uPlot's columns; no DOM, so the tests import them in Node.

/**
 * A y column as uPlot reads it. uPlot draws a gap at `null` and silently skips `undefined`; a NaN or
 * ±Infinity would poison its auto-ranging (min/max comparisons against NaN never succeed), so every
 * value must pass through {@link plotValue} first.
 */
export type PlotColumn = (number | null | undefined)[];

/**
 * The value uPlot should see: null (a visible gap) when it is non-finite, or not positive on a log
 * axis (log 0 is −∞); otherwise the number, or on a log axis its log10 (see log-axis.ts for why the
 * charts take logs themselves).
 */
export function plotValue(v: number, log: boolean): number | null {
  if (!Number.isFinite(v)) return null;
  if (!log) return v;
  return v > 0 ? Math.log10(v) : null;
}

/** What mapping a column hid: non-finite entries, and zero/negative entries on a log scale. */
export interface Hidden {
  nonFinite: number;
  nonPositive: number;
}

/** Maps a column for uPlot, counting what could not be drawn. */
export function plotColumn(values: ArrayLike<number>, log: boolean): { column: (number | null)[]; hidden: Hidden } {
  const column: (number | null)[] = new Array<number | null>(values.length);
  const hidden: Hidden = { nonFinite: 0, nonPositive: 0 };
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) hidden.nonFinite++;
    else if (log && v <= 0) hidden.nonPositive++;
    column[i] = plotValue(v, log);
  }
  return { column, hidden };
}

/**
 * Numbers for axes, legends and aria labels: plain decimals for everyday magnitudes, `3e-12` style
 * outside them (uPlot's default locale formatting prints 1e-12 as "0").
 */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '−Inf';
  if (v === 0) return '0';
  // Steps and layer counts print whole.
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  const exp = Math.floor(Math.log10(Math.abs(v)));
  if (exp >= -3 && exp <= 4) return String(Number(v.toPrecision(3)));
  const mant = Number((v / 10 ** exp).toPrecision(2));
  // Rounding can carry the mantissa to 10 (9.96e-7 → 10e-7).
  if (Math.abs(mant) >= 10) return `${mant / 10}e${exp + 1}`;
  return `${mant}e${exp}`;
}
