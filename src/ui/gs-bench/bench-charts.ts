// The bench page's two bar charts: what goes in each, and the uPlot options that draw them as horizontal bars.
import uPlot from 'uplot';
import type { BenchResult } from '../../bench/result.ts';
import { axisValues, themedAxis, type ChartTheme } from '../uplot/theme.ts';
import type { ChartSpec } from '../uplot/uplot-chart.ts';

/**
 * A benchmarker compares a kernel with its rivals and with the ceiling of what bounds it: compute-bound work
 * (matmuls, whole steps) in GFLOP/s beside peak/fma, memory-bound work (elementwise kernels, norms, the
 * optimizer) in GB/s beside peak/copy. Two quantities, so two charts, each on its own axis.
 */
export type Metric = 'gflops' | 'gbps';

export const METRICS: Record<Metric, { unit: string; title: string }> = {
  gflops: { unit: 'GFLOP/s', title: 'Compute-bound: GFLOP/s (peak/fma is the ceiling)' },
  gbps: { unit: 'GB/s', title: 'Memory-bound: GB/s (peak/copy is the ceiling)' },
};

export interface Bar {
  label: string;
  value: number;
  /** Noisy results (a noisy peak too) in the warning colour; peaks as the ceiling they are. */
  kind: 'peak' | 'noisy' | 'plain';
}

/** The chart a result belongs in: GFLOP/s when it counts flops, else GB/s; none without figures. */
export function metricOf(r: BenchResult): Metric | null {
  if (!r.ok) return null;
  if (r.gflops !== undefined) return 'gflops';
  return r.gbps !== undefined ? 'gbps' : null;
}

const MAX_LABEL = 36;

/** `matmul/vec4 512`, `layernorm/forward-rows 512×1024`; long ones lose their middle, never their ends. */
export function barLabel(r: BenchResult): string {
  const which = String(r.detail?.case ?? '') || r.shape.join('×');
  const s = `${r.name} ${which}`.trim();
  if (s.length <= MAX_LABEL) return s;
  const half = (MAX_LABEL - 1) >> 1;
  return `${s.slice(0, half)}…${s.slice(s.length - (MAX_LABEL - 1 - half))}`;
}

export function bars(results: readonly BenchResult[], metric: Metric): Bar[] {
  return results
    .filter((r) => metricOf(r) === metric)
    .map((r) => ({ label: barLabel(r), value: r[metric]!, kind: r.noisy ? 'noisy' : r.name.startsWith('peak/') ? 'peak' : 'plain' }));
}

/** Pixels per bar: a line of axis text and some air, so labels never touch. */
export const ROW_PX = 26;

/** The chart's height for `n` bars: one row each plus the value axis. */
export function chartHeight(n: number, fontSize = 14): number {
  return n * ROW_PX + Math.ceil(fontSize * 3.2) + 16;
}

/**
 * Horizontal bars: results down the left (the x scale turned vertical, first result on top), values along the
 * bottom from zero. A tick per bar, and each bar's label on it.
 */
export function barChartSpec(metric: Metric, rows: () => Bar[]): ChartSpec {
  return {
    options: (t: ChartTheme) => {
      const n = rows().length;
      const colour = (b: Bar): string => (b.kind === 'peak' ? t.acc : b.kind === 'noisy' ? t.b : t.a);
      return {
        scales: {
          x: { time: false, ori: 1, dir: -1, range: [-0.5, Math.max(n, 1) - 0.5] },
          y: { ori: 0, dir: 1, range: (_u, _min, max) => [0, Math.max(max, 1e-9) * 1.08] },
        },
        axes: [
          themedAxis(t, { side: 3, splits: () => rows().map((_, i) => i), values: (_u, splits) => splits.map((i) => rows()[i]?.label ?? ''), grid: { show: false } }),
          themedAxis(t, { side: 2, label: METRICS[metric].unit, values: axisValues }),
        ],
        series: [
          {},
          {
            label: METRICS[metric].unit,
            width: 0,
            fill: t.a,
            points: { show: false },
            paths: uPlot.paths.bars!({ size: [0.7, 22], disp: { fill: { unit: 3, values: () => rows().map(colour) } } }),
          },
        ],
        legend: { show: false },
        cursor: { show: false },
      };
    },
    data: () => {
      const r = rows();
      return [r.map((_, i) => i), r.map((b) => b.value)];
    },
  };
}
