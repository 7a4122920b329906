// Chart theme from CSS custom properties, and the axes every chart shares.
import type uPlot from 'uplot';
import { formatValue } from './columns.ts';
import { fromExponent, logRange, logTicks } from './log-axis.ts';

/**
 * Canvas strokes cannot read CSS variables, so the chart resolves them once when it creates its
 * uPlot instance (and again on rebuild: UPlotController rebuilds when COLOR_SCHEME_QUERY changes,
 * since the page palette in src/ui/theme.css switches with it).
 */
export interface ChartTheme {
  a: string;
  b: string;
  acc: string;
  grid: string;
  text: string;
  /** page background, for hollow markers */
  bg: string;
  /** px; never below 13 so the axes read from the back of a room */
  fontSize: number;
  /** px; never below 2 */
  lineWidth: number;
  font: string;
}

/** The media query the page palette (src/ui/theme.css) switches on. */
export const COLOR_SCHEME_QUERY = '(prefers-color-scheme: light)';

/** Dark values, used when the page sets no palette (a chart used on its own). */
const DEFAULTS = {
  '--gs-chart-a': '#4fa3ff',
  '--gs-chart-b': '#ff9f43',
  '--gs-chart-acc': '#6fd08c',
  '--gs-chart-grid': 'rgba(255, 255, 255, 0.10)',
  '--gs-chart-text': '#c9d1d9',
  '--gs-chart-bg': '#101418',
  '--gs-chart-font-size': '14',
  '--gs-chart-line-width': '2.5',
} as const;

export function readTheme(el: HTMLElement): ChartTheme {
  const style = getComputedStyle(el);
  const get = (name: keyof typeof DEFAULTS): string => style.getPropertyValue(name).trim() || DEFAULTS[name];
  const num = (name: keyof typeof DEFAULTS, min: number): number => {
    const v = parseFloat(get(name));
    return Number.isFinite(v) ? Math.max(min, v) : parseFloat(DEFAULTS[name]);
  };
  const fontSize = num('--gs-chart-font-size', 13);
  return {
    a: get('--gs-chart-a'),
    b: get('--gs-chart-b'),
    acc: get('--gs-chart-acc'),
    grid: get('--gs-chart-grid'),
    text: get('--gs-chart-text'),
    bg: get('--gs-chart-bg'),
    fontSize,
    lineWidth: num('--gs-chart-line-width', 2),
    font: `${fontSize}px system-ui, sans-serif`,
  };
}

let measurer: CanvasRenderingContext2D | null = null;

function textWidth(text: string, font: string): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  if (!measurer) return text.length * 8;
  measurer.font = font;
  return measurer.measureText(text).width;
}

/** Axis styled from the theme; y axes size themselves to their longest tick label. */
export function themedAxis(t: ChartTheme, axis: uPlot.Axis): uPlot.Axis {
  const vertical = axis.side === 1 || axis.side === 3;
  const ticks = 6;
  const gap = 6;
  const size: uPlot.Axis.Size = vertical
    ? (_u, values) => Math.ceil(ticks + gap + 4 + Math.max(20, ...(values ?? []).map((v) => textWidth(v, t.font))))
    : Math.ceil(t.fontSize * 1.4 + ticks + gap);
  return {
    stroke: t.text,
    font: t.font,
    labelFont: `600 ${t.font}`,
    labelSize: Math.ceil(t.fontSize * 1.5),
    labelGap: 2,
    gap,
    size,
    grid: { stroke: t.grid, width: 1 },
    ticks: { stroke: t.grid, width: 1, size: ticks },
    ...axis,
  };
}

/** Tick spacings for axes of whole numbers (steps, layers): 1, 2, 5, 10, 20, 50, … 5e9. */
export const WHOLE_INCRS: number[] = Array.from({ length: 30 }, (_, i) => [1, 2, 5][i % 3]! * 10 ** Math.floor(i / 3));

/** Tick labels; uPlot passes null for any split an axis filter hides. */
export const axisValues: uPlot.Axis.DynamicValues = (_u, splits) => splits.map((v) => (v == null ? '' : formatValue(v)));

/** The y scale of a log axis: uPlot sees log10 values (see log-axis.ts), ranged here. */
export const logScale: uPlot.Scale = { range: (_u, min, max) => logRange(min, max) };

/** A log y axis over log10 values: ticks at 1…9 / 1-2-5 / decades as space allows, labelled as values. */
export function logAxis(t: ChartTheme, axis: uPlot.Axis): uPlot.Axis {
  // ~2.2 lines of text per tick keeps labels apart; bbox is in canvas pixels.
  const maxTicks = (u: uPlot) => u.bbox.height / (window.devicePixelRatio || 1) / (t.fontSize * 2.2);
  return themedAxis(t, {
    splits: (u, _i, min, max) => logTicks(min, max, maxTicks(u)),
    values: (_u, splits) => splits.map((v) => (v == null ? '' : formatValue(fromExponent(v)))),
    ...axis,
  });
}
