// Pure data for <gs-layer-time>: a layer-timed step's per-row GPU time as bars, rows folded onto pixel rows.
import type { StepRecord } from '../../stats/record.ts';

export type LayerMs = NonNullable<StepRecord['layerMs']>;

/** One drawn bar: the rows it stands for (first..last, input side first) and their summed forward and backward ms. */
export interface TimeBar {
  first: number;
  last: number;
  forward: number;
  backward: number;
}

/**
 * `height` bars at most, bottom (input side) first: rows that share a bar add their times, so the column's total
 * stays the step's total whatever the depth.
 */
export function timeBars(ms: LayerMs, height: number): TimeBar[] {
  const rows = ms.forward.length;
  const n = Math.max(1, Math.min(rows, Math.floor(height)));
  const bars: TimeBar[] = [];
  for (let b = 0; b < n; b++) {
    const first = Math.floor((b * rows) / n);
    const last = Math.floor(((b + 1) * rows) / n) - 1;
    let forward = 0;
    let backward = 0;
    for (let r = first; r <= last; r++) {
      forward += ms.forward[r]!;
      backward += ms.backward[r]!;
    }
    bars.push({ first, last, forward, backward });
  }
  return bars;
}

/**
 * Per row, the median of several timed steps' times (forward and backward apart): one pass's timing on a busy
 * machine can be far off, and the median of a few steps is what the row costs. Steps of another depth are skipped.
 */
export function medianTimes(steps: readonly LayerMs[]): LayerMs | null {
  const newest = steps.at(-1);
  if (!newest) return null;
  const same = steps.filter((s) => s.forward.length === newest.forward.length);
  const median = (pick: (s: LayerMs) => readonly number[]) =>
    newest.forward.map((_, r) => {
      const v = same.map((s) => pick(s)[r]!).sort((a, b) => a - b);
      const m = v.length >> 1;
      return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
    });
  return { forward: median((s) => s.forward), backward: median((s) => s.backward) };
}

/** The longest bar's total, the scale's end (never 0). */
export function barScale(bars: readonly TimeBar[]): number {
  return Math.max(1e-9, ...bars.map((b) => b.forward + b.backward));
}

const ms = (v: number) => (v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v >= 0.01 ? v.toFixed(2) : v.toExponential(1));

/** The read-out of one bar: its rows by name, and their times. */
export function barWords(bar: TimeBar, labels: readonly string[] | null, rows: number): string {
  const name = (r: number) => labels?.[r] ?? (r === rows - 1 ? 'head' : `block ${r}`);
  const which = bar.first === bar.last ? name(bar.first) : `${name(bar.first)} – ${name(bar.last)}`;
  return `${which}: forward ${ms(bar.forward)} ms · backward ${ms(bar.backward)} ms`;
}

/** The caption: the step and its walks' total GPU time. */
export function timeCaption(step: number, t: LayerMs): string {
  const sum = (v: readonly number[]) => v.reduce((a, b) => a + b, 0);
  return `step ${step}: forward ${ms(sum(t.forward))} ms, backward ${ms(sum(t.backward))} ms`;
}
