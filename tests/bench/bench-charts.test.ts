import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../src/bench/result.ts';
import { barLabel, bars, chartHeight, metricOf, ROW_PX } from '../../src/ui/gs-bench/bench-charts.ts';

const r = (name: string, over: Partial<BenchResult> = {}): BenchResult => ({ name, shape: [512, 512, 512], ok: true, maxRelErr: 0, ms: 1, ...over }) as BenchResult;

const results: BenchResult[] = [
  r('peak/fma', { gflops: 8.5, shape: [65536, 512] }),
  r('peak/copy', { gbps: 1.4, shape: [16777216] }),
  r('matmul/vec4', { gflops: 4, gbps: 0.05, detail: { case: '512' } }),
  r('matmul/reg', { gflops: 2, gbps: 0.02, detail: { case: '512' }, noisy: true, noisyReason: 'x' }),
  r('activation/relu-forward', { gbps: 0.7, shape: [1048576] }),
  { name: 'matmul/tiled', shape: [4, 4, 4], ok: false, maxRelErr: 1 },
];

describe('the bench page charts', () => {
  it('put compute-bound results (they count flops) in GFLOP/s and the rest in GB/s, never both', () => {
    expect(results.map(metricOf)).toEqual(['gflops', 'gbps', 'gflops', 'gflops', 'gbps', null]);
    expect(bars(results, 'gflops')).toEqual([
      { label: 'peak/fma 65536×512', value: 8.5, kind: 'peak' },
      { label: 'matmul/vec4 512', value: 4, kind: 'plain' },
      { label: 'matmul/reg 512', value: 2, kind: 'noisy' },
    ]);
    expect(bars(results, 'gbps').map((b) => b.label)).toEqual(['peak/copy 16777216', 'activation/relu-forward 1048576']);
  });

  it('keep both ends of a long label', () => {
    const long = barLabel(r('batchnorm/forward+backward-workgroup', { detail: { case: 'a-very-long-case-label' } }));
    expect(long.length).toBeLessThanOrEqual(36);
    expect(long.startsWith('batchnorm/')).toBe(true);
    expect(long.endsWith('case-label')).toBe(true);
    expect(long).toContain('…');
  });

  it('grow a row per bar, so labels never share one', () => {
    expect(chartHeight(10) - chartHeight(9)).toBe(ROW_PX);
    expect(ROW_PX).toBeGreaterThanOrEqual(20);
  });
});

describe('a noisy peak', () => {
  it('is drawn as noisy: every percentage of it is in doubt', () => {
    expect(bars([r('peak/fma', { gflops: 8, noisy: true, noisyReason: 'x' })], 'gflops')[0]!.kind).toBe('noisy');
  });
});
