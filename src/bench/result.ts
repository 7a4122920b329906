import type { AdapterSummary } from '../gpu/device.ts';

/** One benchmark row, as DESIGN.md's "Benchmark output" describes. Speed figures only when ok. */
export type BenchResult = BenchFigures & NoiseMark;

/**
 * Whether a result's figures can be taken as measured (noise.ts holds the rules). Set on every result that has
 * figures: `false`, or `true` with the reason; absent on a failed check.
 */
export type NoiseMark = { noisy?: false; noisyReason?: never } | { noisy: true; noisyReason: string };

export interface BenchFigures {
  name: string;
  shape: number[];
  ok: boolean;
  maxRelErr: number;
  ms?: number;
  msMin?: number;
  msMax?: number;
  gflops?: number;
  gbps?: number;
  /** Percentage of this adapter's measured peak (peak/fma for GFLOP/s, peak/copy for GB/s), when measured. */
  pctPeak?: number;
  /** Extra detail: the exact tiling, the timing source, why a check failed. */
  detail?: Record<string, unknown>;
}

export interface BenchReport {
  adapter: AdapterSummary;
  version: string;
  commit: string;
  date: string;
  results: BenchResult[];
}
