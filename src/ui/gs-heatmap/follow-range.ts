import type { HeatmapMode, Range, ScaleKind } from './color-scale.ts';

/** Columns the follow range looks back over. */
export const FOLLOW_COLUMNS = 200;
/** Values sampled at most per update, so following stays ~1 ms at 1,000 layers × 200 steps. */
export const FOLLOW_SAMPLES = 16384;
/** Fraction of the way to the new target the range moves per update: smooth, yet settles in ~10 frames. */
export const FOLLOW_ALPHA = 0.25;
/** The drawn image is repainted when the range has drifted by this fraction of its span. */
export const REDRAW_DRIFT = 0.05;

/** The [lo, hi] quantiles of the finite entries of `values` (linear interpolation), or null if none. */
export function percentileRange(values: ArrayLike<number>, lo = 0.02, hi = 0.98): Range | null {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) finite.push(v);
  }
  if (finite.length === 0) return null;
  const sorted = Float64Array.from(finite).sort();
  return { min: quantile(sorted, lo), max: quantile(sorted, hi) };
}

function quantile(sorted: Float64Array, q: number): number {
  const x = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const k = Math.floor(x);
  const a = sorted[k]!;
  const b = sorted[Math.min(sorted.length - 1, k + 1)]!;
  return a + (b - a) * (x - k);
}

/** The smallest span a range may have: a flat log image still shows half a decade around its value. */
function minSpan(kind: ScaleKind): number {
  return kind === 'log' ? 0.5 : 0.05;
}

/**
 * Where the colour range should head, from display values of the recent window:
 * - value mode, log: the 2nd–98th percentile, widened to at least half a decade;
 * - value mode, linear (fractions): always [0, 1], so 0.3 saturated means the same colour everywhere;
 * - ratio mode: symmetric about 0 (ratio 1 / difference 0) so white always means "A = B".
 */
export function followTarget(samples: ArrayLike<number>, kind: ScaleKind, mode: HeatmapMode): Range | null {
  if (mode === 'value' && kind === 'linear') return { min: 0, max: 1 };
  const p = percentileRange(samples);
  if (!p) return null;
  if (mode === 'ratio') {
    const m = Math.max(Math.abs(p.min), Math.abs(p.max), minSpan(kind) / 2);
    return { min: -m, max: m };
  }
  return widen(p, minSpan(kind));
}

export function widen(r: Range, span: number): Range {
  if (r.max - r.min >= span) return r;
  const mid = (r.min + r.max) / 2;
  return { min: mid - span / 2, max: mid + span / 2 };
}

/** Moves `prev` a fraction `alpha` of the way to `target` (jumps there when there is no previous range). */
export function smoothRange(prev: Range | null, target: Range, alpha = FOLLOW_ALPHA): Range {
  if (!prev) return { ...target };
  return { min: prev.min + (target.min - prev.min) * alpha, max: prev.max + (target.max - prev.max) * alpha };
}

/** True when `next` differs from the drawn range by more than `frac` of the drawn span at either end. */
export function driftedBeyond(drawn: Range | null, next: Range, frac = REDRAW_DRIFT): boolean {
  if (!drawn) return true;
  const tol = frac * Math.max(1e-9, drawn.max - drawn.min);
  return Math.abs(next.min - drawn.min) > tol || Math.abs(next.max - drawn.max) > tol;
}

/** The union of ranges: the scale two linked heatmaps share. */
export function unionRange(ranges: Iterable<Range | null>): Range | null {
  let out: Range | null = null;
  for (const r of ranges) {
    if (!r) continue;
    out = out ? { min: Math.min(out.min, r.min), max: Math.max(out.max, r.max) } : { ...r };
  }
  return out;
}

/**
 * Collects up to `limit` display values from the newest columns with an even stride, so the sample's
 * cost does not grow with depth. `columnAt(i)` gives the i-th newest column (i = 0 is the newest).
 */
export function sampleColumns(columnAt: (i: number) => ArrayLike<number>, columns: number, layers: number, limit = FOLLOW_SAMPLES): Float32Array {
  const total = columns * layers;
  const stride = Math.max(1, Math.ceil(total / limit));
  const out = new Float32Array(Math.ceil(total / stride));
  let n = 0;
  for (let k = 0; k < total; k += stride) {
    const col = columnAt(Math.floor(k / layers));
    out[n++] = col[k % layers] ?? NaN;
  }
  return out.subarray(0, n);
}
