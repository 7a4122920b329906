import { describe, expect, it } from 'vitest';
import { formatMs, noiseFooter, samplesText, spreadText, tableHeader, tableRow } from '../../src/bench/format.ts';
import type { BenchResult } from '../../src/bench/result.ts';

const timed: BenchResult = {
  name: 'matmul/vec4', shape: [512, 512, 512], ok: true, maxRelErr: 4.1e-7, ms: 104.92, msMin: 98.1, msMax: 131.4, gflops: 2.56, gbps: 0.03, pctPeak: 37,
  detail: { case: '512', samples: 5, samplesPlanned: 5 }, noisy: false,
};

describe('the CLI table', () => {
  it('shows the median with the fastest and slowest sample and how many there were', () => {
    expect(spreadText(timed)).toBe('98.1–131');
    expect(samplesText(timed)).toBe('5');
    const row = tableRow(timed);
    expect(row).toMatch(/^matmul\/vec4\s+512\s+512×512×512\s+105\s+98\.1–131\s+5\s+2\.56/);
    expect(row).not.toMatch(/NOISY/);
    // Columns line up with the header: the spread sits under min–max.
    expect(row.indexOf('98.1–131') + '98.1–131'.length).toBe(tableHeader().indexOf('min–max') + 'min–max'.length);
  });

  it('keeps a space after a value longer than its column', () => {
    const long: BenchResult = { ...timed, name: 'conv/tiled-weights', shape: [128, 32, 32, 16, 32, 2], detail: { case: 'b128-32x32x16-s2', samples: 5 } };
    expect(tableRow(long)).toMatch(/^conv\/tiled-weights\s+b128-32x32x16-s2 128×32×32×16×32×2 /);
  });

  it('prints ms with the precision a timing has', () => {
    expect([0.0655, 7.34, 14.35, 5866.39].map(formatMs)).toEqual(['0.07', '7.34', '14.3', '5866']);
    expect(formatMs(undefined)).toBe('');
  });

  it('marks a noisy result with its reason, and says fewer samples than planned as 3/5', () => {
    const noisy: BenchResult = { ...timed, noisy: true, noisyReason: '132% of the measured peak', detail: { samples: 3, samplesPlanned: 5 } };
    expect(samplesText(noisy)).toBe('3/5');
    expect(tableRow(noisy)).toMatch(/ok 4\.1e-7 {2}NOISY: 132% of the measured peak$/);
  });

  it('ends with one line of advice only when a result is noisy', () => {
    expect(noiseFooter([timed])).toEqual([]);
    const [line, ...more] = noiseFooter([timed, { ...timed, noisy: true, noisyReason: 'x' }]);
    expect(more).toEqual([]);
    expect(line).toMatch(/^1 of 2 results are marked NOISY\. .*rerun on an idle machine/);
  });

  it('shows a failed check instead of speeds', () => {
    const wrong: BenchResult = { name: 'matmul/tiled', shape: [4, 4, 4], ok: false, maxRelErr: 0.25 };
    expect(tableRow(wrong)).toMatch(/WRONG \(max rel err 2\.50e-1\)$/);
    expect(spreadText(wrong)).toBe('');
  });
});
