// A log axis drawn as a linear axis over log10(value). uPlot's own log scale (distr: 3) loops forever
// building splits below ~1e-16 (its decimal tables stop there), and vanishing gradients reach 1e-40,
// so the charts hand uPlot exponents and label them here. Pure: tested in Node.

/** The narrowest range shown, in decades; wide enough that some 1…9 × 10^k tick always falls inside. */
const MIN_SPAN = 0.35;

/** y range over exponents: the data's, padded 4%, at least MIN_SPAN; [-1, 1] (0.1 to 10) with no data. */
export function logRange(min: number | null | undefined, max: number | null | undefined): [number, number] {
  if (min == null || max == null || !Number.isFinite(min) || !Number.isFinite(max)) return [-1, 1];
  let lo = Math.min(min, max);
  let hi = Math.max(min, max);
  if (hi - lo < MIN_SPAN) {
    const mid = (lo + hi) / 2;
    lo = mid - MIN_SPAN / 2;
    hi = mid + MIN_SPAN / 2;
  }
  const pad = 0.04 * (hi - lo);
  return [lo - pad, hi + pad];
}

const MANTISSAS = [[1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 5], [1, 3]];
const DECADE_STEPS = [1, 2, 3, 5, 10, 20, 25, 50, 100];

function mantissaTicks(lo: number, hi: number, mantissas: number[]): number[] {
  const out: number[] = [];
  for (let k = Math.floor(lo); k <= Math.ceil(hi); k++) {
    for (const m of mantissas) {
      const e = k + Math.log10(m);
      if (e >= lo - 1e-9 && e <= hi + 1e-9) out.push(e);
    }
  }
  return out;
}

/**
 * Tick positions (exponents) between lo and hi: the densest of 1-1.2-1.5-2-2.5-3…9, 1…9, 1-2-5,
 * 1-3 per decade, then every 1, 2, 3, 5, 10… decades, that keeps to maxTicks.
 */
export function logTicks(lo: number, hi: number, maxTicks: number): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  const limit = Math.max(2, Math.floor(maxTicks));
  for (const m of MANTISSAS) {
    const ticks = mantissaTicks(lo, hi, m);
    if (ticks.length <= limit) return ticks;
  }
  for (const step of DECADE_STEPS) {
    const ticks: number[] = [];
    for (let k = Math.ceil(lo / step) * step; k <= hi + 1e-9; k += step) ticks.push(k);
    if (ticks.length <= limit) return ticks;
  }
  const step = Math.ceil((hi - lo) / limit);
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step) * step; k <= hi; k += step) ticks.push(k);
  return ticks;
}

/** Back from an exponent to the value it stands for. */
export function fromExponent(e: number): number {
  const r = Math.round(e);
  // 10 ** -7 is exact enough; 10 ** -6.9999999 would print 1e-7 anyway, but whole decades stay exact.
  return Math.abs(e - r) < 1e-9 ? 10 ** r : 10 ** e;
}
