import { describe, expect, it } from 'vitest';
import { NOISE_LIMITS, noiseReasons, withNoise } from '../../src/bench/noise.ts';
import type { BenchResult } from '../../src/bench/result.ts';

/** A clean, timed result: every rule passes. */
const base = (over: Partial<BenchResult> = {}, detail: Record<string, unknown> = {}): BenchResult =>
  ({ name: 'matmul/vec4', shape: [512, 512, 512], ok: true, maxRelErr: 1e-7, ms: 10, msMin: 9.5, msMax: 11, gflops: 3, pctPeak: 40, detail: { samples: 5, samplesPlanned: 5, ...detail }, ...over }) as BenchResult;

describe('the noise rules', () => {
  it('pass a clean result, and withNoise says so without touching any other field', () => {
    const r = base();
    expect(noiseReasons(r)).toEqual([]);
    const marked = withNoise(r);
    expect(marked).toEqual({ ...r, noisy: false });
    expect(marked).not.toHaveProperty('noisyReason');
  });

  it('flag a result above 100% of the measured peak', () => {
    expect(noiseReasons(base({ pctPeak: NOISE_LIMITS.maxPctPeak }))).toEqual([]);
    expect(noiseReasons(base({ pctPeak: 131.6 }))).toEqual(['132% of the measured peak']);
    // Just above 100 keeps a decimal, so the reason never reads "100%".
    expect(noiseReasons(base({ pctPeak: 100.3 }))).toEqual(['100.3% of the measured peak']);
  });

  it('flag a negative statistics cost, not a positive or zero one', () => {
    expect(noiseReasons(base({}, { statsCostPct: 0 }))).toEqual([]);
    expect(noiseReasons(base({}, { statsCostPct: 2.7 }))).toEqual([]);
    expect(noiseReasons(base({}, { statsCostPct: -0.7 }))).toEqual(['a negative statistics cost (-0.7%)']);
  });

  it('flag samples that disagree by more than the limit (slowest over fastest)', () => {
    expect(noiseReasons(base({ msMin: 10, msMax: 10 * NOISE_LIMITS.maxSpread }))).toEqual([]);
    expect(noiseReasons(base({ msMin: 10, msMax: 24 }))).toEqual(['slowest sample 2.4× the fastest']);
  });

  it('flag fewer samples than planned', () => {
    expect(noiseReasons(base({}, { samples: 1, samplesPlanned: 1 }))).toEqual([]);
    expect(noiseReasons(base({}, { samples: 3, samplesPlanned: 5 }))).toEqual(['3 of 5 planned samples (the time budget ran out)']);
  });

  it('join every reason that applies into noisyReason', () => {
    const r = withNoise(base({ pctPeak: 150, msMin: 1, msMax: 5 }, { statsCostPct: -3, samples: 2, samplesPlanned: 16 }));
    expect(r.noisy).toBe(true);
    expect(r.noisyReason?.split('; ')).toHaveLength(4);
    expect(r).toMatchObject({ ms: 10, gflops: 3, pctPeak: 150, detail: { statsCostPct: -3 } });
  });

  it('leave a failed check alone: it has no figures to doubt', () => {
    const wrong: BenchResult = { name: 'matmul/vec4', shape: [4, 4, 4], ok: false, maxRelErr: 0.5, detail: { tolerance: 1e-4 } };
    expect(noiseReasons(wrong)).toEqual([]);
    expect(withNoise(wrong)).toBe(wrong);
  });

  it('re-marking replaces an old mark instead of keeping a stale reason', () => {
    const once = withNoise(base({ pctPeak: 150 }));
    expect(once.noisy).toBe(true);
    const again = withNoise({ ...once, pctPeak: 50 } as BenchResult);
    expect(again.noisy).toBe(false);
    expect(again).not.toHaveProperty('noisyReason');
  });
});
