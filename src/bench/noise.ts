import type { BenchResult } from './result.ts';

/**
 * When a measurement cannot be taken as a fact. A benchmark shares the machine with everything else that runs
 * on it, and a busy machine does not make a result wrong, only unreliable: these rules catch the signs of it
 * that a result carries itself, so it is reported as noisy instead of printed as a fact.
 */
export const NOISE_LIMITS = {
  /** A kernel cannot beat the ceiling measured on the same adapter: above it, the peak or the result was disturbed. */
  maxPctPeak: 100,
  /**
   * Slowest over fastest sample. The median of five shrugs off one slow sample, so a spread alone is no cause for
   * doubt; but when the slowest took more than twice the fastest, the machine's other work was as big as the
   * kernel's. (On the reference machine at load 2–5, 43 of 163 results passed 2×; at load 10–20, most did.)
   */
  maxSpread: 2,
} as const;

/** For a reader who sees the mark: what it means and what to do (the CLI and the page both print it). */
export const NOISE_ADVICE =
  'Something else was using the machine while they ran, so read their figures as rough, not as facts: ' +
  'rerun on an idle machine (a filter that matches only them reruns just those).';

/** Every rule the result breaks, as short phrases (empty: it can be taken as measured). Pure. */
export function noiseReasons(r: BenchResult): string[] {
  if (!r.ok || r.ms === undefined) return [];
  const out: string[] = [];
  if (r.pctPeak !== undefined && r.pctPeak > NOISE_LIMITS.maxPctPeak) out.push(`${r.pctPeak.toFixed(r.pctPeak < 101 ? 1 : 0)}% of the measured peak`);
  const cost = r.detail?.statsCostPct;
  if (typeof cost === 'number' && cost < 0) out.push(`a negative statistics cost (${cost.toFixed(1)}%)`);
  if (r.msMin !== undefined && r.msMax !== undefined && r.msMin > 0 && r.msMax / r.msMin > NOISE_LIMITS.maxSpread) {
    out.push(`slowest sample ${(r.msMax / r.msMin).toFixed(1)}× the fastest`);
  }
  const [got, planned] = [r.detail?.samples, r.detail?.samplesPlanned];
  if (typeof got === 'number' && typeof planned === 'number' && got < planned) out.push(`${got} of ${planned} planned samples (the time budget ran out)`);
  return out;
}

/** The result with `noisy` set (true with `noisyReason`, or false) when it carries figures; failed ones unchanged. */
export function withNoise(r: BenchResult): BenchResult {
  if (!r.ok || r.ms === undefined) return r;
  const reasons = noiseReasons(r);
  const { noisy: _n, noisyReason: _r, ...rest } = r;
  return reasons.length ? { ...rest, noisy: true, noisyReason: reasons.join('; ') } : { ...rest, noisy: false };
}
