import type { HeatmapMode, Range, ScaleKind, Statistic, ZeroRule } from './color-scale.ts';
import { STATISTIC_WORDS } from '../../stats/layer-statistics.ts';
import { FOLLOW_COLUMNS } from './follow-range.ts';

/** Everything the legend (on the page or in the PNG) shows. */
export interface LegendProps {
  stat: Statistic;
  kind: ScaleKind;
  mode: HeatmapMode;
  range: Range;
  /** From rangeModeLabel. */
  rangeMode: string;
  /** What the rows measure when it is not the statistic's own caption (the time view's ‖∂L/∂h_t‖). */
  quantity?: string;
  /** What an exact 0 is drawn as (the floor colour unless told). */
  zero?: ZeroRule;
}

export interface Tick {
  /** 0 = bottom of the colour bar, 1 = top. */
  pos: number;
  label: string;
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹',
};

/** 10^k as people write it: 1, 10, 0.1, then 10², 10⁻² and beyond. */
export function powerLabel(k: number): string {
  if (k === 0) return '1';
  if (k === 1) return '10';
  if (k === -1) return '0.1';
  return `10${[...String(k)].map((c) => SUPERSCRIPT[c] ?? c).join('')}`;
}

/** A value for the read-out: 4 significant digits, exponent form outside [0.001, 10⁴). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e4 ? v.toPrecision(4) : v.toExponential(3);
}

/** Tick marks for the colour bar: decades under log, round steps under linear. */
export function legendTicks(range: Range, kind: ScaleKind, mode: HeatmapMode, maxTicks = 6): Tick[] {
  const span = range.max - range.min;
  if (!(span > 0)) return [];
  const pos = (v: number): number => (v - range.min) / span;
  const prefix = mode === 'ratio' ? '×' : '';
  if (kind === 'log') {
    const lo = Math.ceil(range.min - 1e-9);
    const hi = Math.floor(range.max + 1e-9);
    if (hi - lo < 1) return narrowLogTicks(range, lo, hi, prefix);
    const step = Math.max(1, Math.ceil((hi - lo + 1) / maxTicks));
    const out: Tick[] = [];
    for (let k = lo; k <= hi; k += step) out.push({ pos: pos(k), label: prefix + powerLabel(k) });
    return out;
  }
  const step = niceStep(span / (maxTicks - 1));
  const out: Tick[] = [];
  for (let v = Math.ceil(range.min / step - 1e-9) * step; v <= range.max + 1e-9; v += step) {
    const r = Number(v.toFixed(6));
    out.push({ pos: pos(r), label: (mode === 'ratio' && r > 0 ? '+' : '') + String(r) });
  }
  return out;
}

/** Under two decades in view: label both ends, and the one decade inside if it is not crowded by them. */
function narrowLogTicks(range: Range, lo: number, hi: number, prefix: string): Tick[] {
  const span = range.max - range.min;
  const end = (d: number): Tick => ({ pos: (d - range.min) / span, label: prefix + shortValue(10 ** d) });
  const mid = (lo - range.min) / span;
  const inner = hi === lo && mid > 0.15 && mid < 0.85 ? [{ pos: mid, label: prefix + powerLabel(lo) }] : [];
  return [end(range.min), ...inner, end(range.max)];
}

/** Two significant digits for tick labels: 0.21, 4.9, 3.2e-7. */
export function shortValue(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(1);
  return String(Number(v.toPrecision(2)));
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/** The legend's words for the grey of a view where 0 means no gradient (time steps truncated BPTT leaves out). */
export const NO_GRADIENT_NOTE = 'no gradient (past train.bptt)';

/** Blocks 0..D-1 are numbered from the input side; the last entry is the head. */
export function layerLabel(layer: number, layers: number): string {
  return layer === layers - 1 ? 'head' : `block ${layer}`;
}

/** The colour bar's caption: what is shown (`quantity`, else the statistic's caption) and how it is scaled. */
export function legendTitle(stat: Statistic, kind: ScaleKind, mode: HeatmapMode, quantity?: string): string {
  const name = quantity ?? STATISTIC_WORDS[stat].axis;
  if (mode === 'ratio') return kind === 'log' ? `${name}: B / A (log scale)` : `${name}: B − A (linear)`;
  return kind === 'log' ? `${name} (log scale)` : `${name} (linear)`;
}

/**
 * What a screen reader hears, e.g. "gradNorm heatmap, 101 layers, steps 1–240"; for the time view (`quantity`
 * given) the rows are time steps.
 */
export function ariaSummary(stat: Statistic, mode: HeatmapMode, layers: number, steps: [number, number] | null, quantity?: string): string {
  const name = quantity ?? STATISTIC_WORDS[stat].axis;
  const what = mode === 'ratio' ? `${name} B/A heatmap` : `${name} heatmap`;
  if (!steps || layers === 0) return `${what}, no data yet`;
  const rows = quantity ? `${layers} time steps (the first input at the bottom)` : `${layers} layers (input at the bottom, head at the top)`;
  return `${what}, ${rows}, steps ${steps[0]}–${steps[1]}`;
}

export type RangeSource = 'set' | 'fixed' | 'follow';

/** The legend's line on where the colour range comes from. */
export function rangeModeLabel(source: RangeSource, kind: ScaleKind, mode: HeatmapMode, linked: boolean): string {
  if (source !== 'follow') return source;
  if (mode === 'value' && kind === 'linear') return '0 – 1';
  return `${linked ? 'shared, ' : ''}follows last ${FOLLOW_COLUMNS} steps`;
}

/**
 * The tooltip line, e.g. "block 12 · step 240 · 3.142e-5", "head · step 9 · B/A = 1.250", or for a column
 * that covers several steps "block 3 · steps 33–64 · max 0.5000" (the value the column shows); where a 0 means
 * no gradient, "t = 2 · step 40 · no gradient".
 */
export function hoverText(label: string, steps: number | readonly [number, number], value: number, kind: ScaleKind, mode: HeatmapMode, zero: ZeroRule = 'floor'): string {
  const [first, last] = typeof steps === 'number' ? [steps, steps] : steps;
  if (zero === 'none' && value === 0) return `${label} · ${first === last ? `step ${last}` : `steps ${first}–${last}`} · no gradient${mode === 'ratio' ? ' in A or B' : ''}`;
  const prefix = mode === 'value' ? '' : kind === 'log' ? 'B/A = ' : 'B − A = ';
  if (first === last) return `${label} · step ${last} · ${prefix}${formatValue(value)}`;
  return `${label} · steps ${first}–${last} · ${mode === 'value' ? 'max ' : 'most unequal '}${prefix}${formatValue(value)}`;
}
