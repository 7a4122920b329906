import { NOISE_ADVICE } from './noise.ts';
import type { BenchResult } from './result.ts';

/** Left-aligned in n columns, and never running into the next cell: a longer value keeps one space after it. */
const pad = (s: string, n: number): string => (s.length < n ? s.padEnd(n) : `${s} `);
const num = (x: number | undefined, digits: number): string => (x === undefined ? '' : x.toFixed(digits));

/** Milliseconds with the precision a timing has: 0.07, 14.4, 5866. */
export function formatMs(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** The fastest and slowest sample, `13.9–15.2` (empty without a timing). */
export function spreadText(r: BenchResult): string {
  return r.msMin === undefined || r.msMax === undefined ? '' : `${formatMs(r.msMin)}–${formatMs(r.msMax)}`;
}

/** How many samples the median rests on; `3/5` when the plan asked for more than were taken. */
export function samplesText(r: BenchResult): string {
  const [got, planned] = [r.detail?.samples, r.detail?.samplesPlanned];
  if (typeof got !== 'number') return '';
  return typeof planned === 'number' && got < planned ? `${got}/${planned}` : String(got);
}

/** The check column: a failed check shows its error instead of speeds. */
export function checkText(r: BenchResult): string {
  const skipped = r.detail?.skipped;
  if (skipped) return `skipped: ${String(skipped)}`;
  return r.ok ? `ok ${r.maxRelErr.toExponential(1)}` : `WRONG (max rel err ${r.maxRelErr.toExponential(2)})`;
}

const COLUMNS: [string, number, 'left' | 'right'][] = [
  ['name', 38, 'left'],
  ['case', 16, 'left'],
  ['shape', 18, 'left'],
  ['ms', 8, 'right'],
  ['min–max', 15, 'right'],
  ['n', 6, 'right'],
  ['GFLOP/s', 10, 'right'],
  ['GB/s', 9, 'right'],
  ['% peak', 8, 'right'],
];

function cells(values: string[]): string {
  return values.map((v, i) => {
    const [, width, align] = COLUMNS[i]!;
    return align === 'left' ? pad(v, width) : v.padStart(width);
  }).join('');
}

export function tableHeader(): string {
  return `${cells(COLUMNS.map(([h]) => h))}  check`;
}

/**
 * After a whole step's check: what one step records (its dispatches, the host's encode time) and how many times
 * faster it ran than jax-js on each device (jax-peer.ts): `411 dispatches · encode 8.89 ms · 3.72× jax-js WebGPU`.
 */
export function stepText(r: BenchResult): string {
  const d = r.detail ?? {};
  const parts: string[] = [];
  if (typeof d.dispatchesPerStep === 'number') parts.push(`${d.dispatchesPerStep} dispatches`);
  if (typeof d.encodeMs === 'number') parts.push(`encode ${formatMs(d.encodeMs)} ms`);
  if (typeof d.vsJaxWebgpu === 'number') parts.push(`${d.vsJaxWebgpu.toFixed(2)}× jax-js WebGPU`);
  if (typeof d.vsJaxWasm === 'number') parts.push(`${d.vsJaxWasm.toFixed(2)}× jax-js Wasm`);
  return parts.join(' · ');
}

/** One aligned terminal row: median ms, the fastest and slowest sample, their count; a noisy result says why. */
export function tableRow(r: BenchResult): string {
  const row = cells([r.name, String(r.detail?.case ?? ''), r.shape.join('×'), formatMs(r.ms), spreadText(r), samplesText(r), num(r.gflops, 2), num(r.gbps, 2), num(r.pctPeak, 0)]);
  const step = r.ok ? stepText(r) : '';
  return `${row}  ${checkText(r)}${step ? `  ${step}` : ''}${r.noisy ? `  NOISY: ${r.noisyReason}` : ''}`;
}

/** After the table: how many results are noisy and what to do about it; nothing when none is. */
export function noiseFooter(results: readonly BenchResult[]): string[] {
  const noisy = results.filter((r) => r.noisy);
  if (!noisy.length) return [];
  return [`${noisy.length} of ${results.length} results are marked NOISY. ${NOISE_ADVICE}`];
}
