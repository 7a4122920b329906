// Pure data assembly for <gs-depth-chart>: StepRecords in, uPlot columns and words out.
import type { RowLabel } from '../../model/graph/row-names.ts';
import { LAYER_STATISTICS, STATISTIC_WORDS, isLayerStatistic, type LayerStatistic } from '../../stats/layer-statistics.ts';
import type { StepRecord } from '../../stats/record.ts';
import { formatValue, plotColumn, type Hidden } from '../uplot/columns.ts';

export type DepthStatistic = LayerStatistic;

export const STATISTIC_LABELS: Readonly<Record<DepthStatistic, string>> = Object.fromEntries(
  LAYER_STATISTICS.map((s) => [s, STATISTIC_WORDS[s].axis]),
) as Record<DepthStatistic, string>;

export const isDepthStatistic = isLayerStatistic;

/** Fractions live in [0, 1] and are often exactly 0, so they get a linear axis; the norms span decades. */
export function isLogStatistic(stat: DepthStatistic): boolean {
  return stat !== 'saturated' && stat !== 'dead';
}

/** Axis/legend name of per-layer index i, where index `depth` is the head. */
export function layerLabel(i: number, depth: number): string {
  return i === depth ? 'head' : String(i);
}

/**
 * x-axis ticks: multiples of uPlot's chosen increment below the head, then the head itself. A
 * multiple closer to the head than 0.6 increments is dropped so "head" never overprints it.
 */
export function layerSplits(depth: number, incr: number): number[] {
  const step = Math.max(1, Math.round(incr));
  const out: number[] = [];
  for (let v = 0; v < depth; v += step) out.push(v);
  while (out.length && depth - out[out.length - 1]! < 0.6 * step) out.pop();
  out.push(depth);
  return out;
}

/**
 * A second line for the newest record, drawn dotted over the measured one: the gradient after clipping, or what
 * mean-field theory predicts. `values` may return undefined (nothing to draw for this record).
 */
export interface ProfileOverlay {
  readonly label: string;
  values(r: StepRecord): readonly number[] | undefined;
}

/**
 * What the chart draws along x: the layers (depthAxis) or a recurrent net's time steps (timeAxis in time-data.ts).
 * Everything that differs between them; the series, scales and drawing are shared.
 */
export interface ProfileAxis {
  /** The values of a record along x (undefined: the record has none). */
  values(r: StepRecord): readonly number[] | undefined;
  log: boolean;
  /** The y axis's caption. */
  quantity: string;
  /** The x axis's caption. */
  xLabel: string;
  /** x tick positions up to `last`, about `incr` apart. */
  splits(last: number, incr: number): number[];
  /** The tick label and the read-out name of index i, where `last` is the last index. */
  tick(i: number, last: number): string;
  name(i: number, last: number): string;
  /** The warning under the chart about values not drawn, or null. */
  note(hidden: Hidden): string | null;
  /** The aria-label. */
  describe(s: DepthSeries): string;
  /** A dotted line over the newest one (the app's choice for this statistic), if any. */
  overlay?: ProfileOverlay | null;
}

/** One per-layer statistic against depth, the rows named by `rows` when there are as many (else numbered blocks). */
export function depthAxis(stat: DepthStatistic, rows: readonly RowLabel[] | null, overlay: ProfileOverlay | null = null): ProfileAxis {
  const log = isLogStatistic(stat);
  const row = (i: number, last: number) => (rows?.length === last + 1 ? rows[i] : undefined);
  return {
    values: (r) => r[stat],
    log,
    quantity: STATISTIC_LABELS[stat],
    xLabel: rows ? 'layer (input → head)' : 'block (input → head)',
    splits: (last, incr) => layerSplits(Math.round(last), incr),
    tick: (i, last) => row(i, last)?.short ?? layerLabel(i, last),
    name: (i, last) => row(i, last)?.long ?? (i === last ? 'head' : `block ${i}`),
    note: (hidden) => hiddenNote(hidden, log),
    describe: (s) => describeDepth(s, stat),
    overlay,
  };
}

export interface DepthSeries {
  /** Per-layer index 0..depth (depth = the head; through time, index 0..T−1). */
  x: number[];
  /** The newest record's values as drawn (log10 on a log axis), null where they cannot be drawn. */
  latest: (number | null)[];
  /** The first record after a clear, drawn dim for comparison. */
  ghost: (number | null)[];
  /** Compare mode: run B's newest record as drawn (all null without one). */
  b: (number | null)[];
  /** The axis's overlay for the newest record as drawn (all null without one). */
  overlay: (number | null)[];
  /** The records' own values, for read-outs and labels. */
  raw: { latest: readonly number[]; ghost: readonly number[]; b: readonly number[]; overlay: readonly number[] };
  latestStep: number | null;
  ghostStep: number | null;
  bStep: number | null;
  /** Index of the head (= model depth; through time T − 1); -1 when there is no record. */
  depth: number;
  log: boolean;
  /** What the newest line could not draw. */
  hidden: Hidden;
}

function padded(column: (number | null)[], n: number): (number | null)[] {
  while (column.length < n) column.push(null);
  return column;
}

/**
 * Columns for the chart: x = layer, the newest record's line, the ghost (first) record's line and, in
 * compare mode, run B's newest record.
 */
export function depthSeries(first: StepRecord | null, latest: StepRecord | null, stat: DepthStatistic, latestB: StepRecord | null = null): DepthSeries {
  return profileSeries(depthAxis(stat, null), first, latest, latestB);
}

/** The chart's columns along any axis: the newest record's values, the first record's (the ghost) and run B's. */
export function profileSeries(axis: Pick<ProfileAxis, 'values' | 'log' | 'overlay'>, first: StepRecord | null, latest: StepRecord | null, latestB: StepRecord | null = null): DepthSeries {
  const log = axis.log;
  const read = (r: StepRecord | null) => (r ? axis.values(r) : undefined) ?? [];
  const [a, g, b] = [read(latest), read(first), read(latestB)];
  const o = (latest && axis.overlay?.values(latest)) ?? [];
  const n = Math.max(a.length, g.length, b.length);
  const now = plotColumn(a, log);
  return {
    x: Array.from({ length: n }, (_, i) => i),
    latest: padded(now.column, n),
    ghost: padded(plotColumn(g, log).column, n),
    b: padded(plotColumn(b, log).column, n),
    overlay: padded(plotColumn(o.slice(0, n), log).column, n),
    raw: { latest: a, ghost: g, b, overlay: o },
    latestStep: latest?.step ?? null,
    ghostStep: first?.step ?? null,
    bStep: latestB?.step ?? null,
    depth: n - 1,
    log,
    hidden: now.hidden,
  };
}

/** The small warning under the chart, or null when every layer was drawn. */
export function hiddenNote(hidden: Hidden, log: boolean): string | null {
  const parts: string[] = [];
  const layers = (k: number) => `${k} layer${k === 1 ? '' : 's'}`;
  if (hidden.nonFinite) parts.push(`${layers(hidden.nonFinite)} non-finite (NaN/Inf): shown as gaps`);
  if (log && hidden.nonPositive) parts.push(`${layers(hidden.nonPositive)} at 0: below the log scale`);
  return parts.length ? parts.join('; ') : null;
}

function ends(values: readonly number[], depth: number): string {
  return `block 0 ${formatValue(values[0])}, head ${formatValue(values[depth])}`;
}

/** The aria-label: what a screen reader should hear about the newest values. */
export function describeDepth(s: DepthSeries, stat: DepthStatistic): string {
  const name = STATISTIC_LABELS[stat];
  if (s.latestStep === null) return `${name} by block: no steps yet`;
  let text = `${name} by block at step ${s.latestStep}: ${ends(s.raw.latest, s.depth)}`;
  const drawn = s.raw.latest.filter((v, i) => s.latest[i] !== null);
  if (drawn.length) {
    const lo = drawn.reduce((m, v) => Math.min(m, v));
    const hi = drawn.reduce((m, v) => Math.max(m, v));
    text += ` (range ${formatValue(lo)} to ${formatValue(hi)})`;
  }
  if (s.ghostStep !== null && s.ghostStep !== s.latestStep) text += `; at step ${s.ghostStep}: ${ends(s.raw.ghost, s.depth)}`;
  if (s.bStep !== null) text += `; run B at step ${s.bStep}: ${ends(s.raw.b, s.depth)}`;
  const note = hiddenNote(s.hidden, s.log);
  return note ? `${text}. ${note}.` : `${text}.`;
}
