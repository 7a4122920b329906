import { fg256, RESET, visibleLength } from './ansi.ts';

export interface StripOptions {
  color: boolean;
  /** Terminal columns; 80 when not given. */
  width?: number;
  /** The labels at the two ends (input and head unless told: a strip through time says which steps). */
  ends?: readonly [string, string];
}

/**
 * Viridis (dark purple → yellow) in the xterm 256-colour cube. Its brightness rises steadily, so
 * "smaller gradient" reads as "darker" on any terminal and for colour-blind readers.
 */
export const VIRIDIS_256 = [53, 54, 60, 30, 36, 72, 77, 148, 220] as const;
/** The plain version draws a sparkline: taller block, larger gradient. */
export const PLAIN_RAMP = '▁▂▃▄▅▆▇█';
export const NON_FINITE_MARK = '×';
export const ZERO_MARK = '·';
const RED = 196;
const GREY = 240;

/** A cell: the mean log10 of its layers' values, or a mark for NaN/±Inf or an all-zero group. */
type Cell = { kind: 'value'; log: number } | { kind: 'non-finite' } | { kind: 'zero' };

/**
 * A strip of log10(gradNorm) per layer from the input (left) to the head (right), then a legend
 * line with the log10 range. Nets longer than the width are drawn with several layers per cell.
 */
export function gradientStrip(values: readonly number[], opts: StripOptions): string[] {
  const width = Math.max(1, Math.floor(opts.width ?? 80));
  if (values.length === 0) return ['(no layers to show)'.slice(0, width)];
  const [first, last] = opts.ends ?? ['input', 'head'];
  const labels = first.length + last.length + 2;
  // The end labels go only where at least 20 cells (or every value) still fit beside them.
  const labelled = width - labels >= Math.min(values.length, 20);
  const cells = aggregate(values, Math.min(values.length, labelled ? width - labels : width));
  const logs = cells.flatMap((c) => (c.kind === 'value' ? [c.log] : []));
  const lo = logs.length > 0 ? Math.min(...logs) : 0;
  const hi = logs.length > 0 ? Math.max(...logs) : 0;
  const drawn = joinRuns(cells.map((c) => drawCell(c, lo, hi, opts.color))) + (opts.color ? RESET : '');
  const strip = labelled ? `${first} ${drawn} ${last}` : drawn;
  return [strip, legend(cells, values.length, lo, hi, opts.color, width)];
}

/** Split n values into `count` contiguous groups as even as integer bounds allow. */
export function aggregate(values: readonly number[], count: number): Cell[] {
  const n = values.length;
  return Array.from({ length: count }, (_, i) => cellOf(values.slice(Math.floor((i * n) / count), Math.floor(((i + 1) * n) / count))));
}

function cellOf(group: readonly number[]): Cell {
  if (group.some((v) => !Number.isFinite(v))) return { kind: 'non-finite' };
  const logs = group.filter((v) => v > 0).map(Math.log10);
  if (logs.length === 0) return { kind: 'zero' };
  return { kind: 'value', log: logs.reduce((a, b) => a + b, 0) / logs.length };
}

function level(log: number, lo: number, hi: number, levels: number): number {
  const t = hi > lo ? (log - lo) / (hi - lo) : 0.5;
  return Math.round(t * (levels - 1));
}

/** A cell as [colour escape, character]; the escape is empty without colour. */
function drawCell(c: Cell, lo: number, hi: number, color: boolean): [string, string] {
  if (c.kind === 'non-finite') return [color ? fg256(RED, true) : '', NON_FINITE_MARK];
  if (c.kind === 'zero') return [color ? fg256(GREY) : '', ZERO_MARK];
  if (!color) return ['', PLAIN_RAMP[level(c.log, lo, hi, PLAIN_RAMP.length)]!];
  return [fg256(VIRIDIS_256[level(c.log, lo, hi, VIRIDIS_256.length)]!), '█'];
}

/** Repeat an escape only when the colour changes: a 300-layer strip stays a short write. */
function joinRuns(cells: readonly [string, string][]): string {
  let out = '';
  let current = '';
  for (const [escape, char] of cells) {
    out += (escape === current ? '' : escape) + char;
    current = escape;
  }
  return out;
}

/** One decimal, without the "-0.0" that rounding a small negative number gives. */
function tick(x: number): string {
  const s = x.toFixed(1);
  return s === '-0.0' ? '0.0' : s;
}

/** `log10 grad norm -6.2 ▁▂▃▄▅▆▇█ -0.3  × non-finite  · zero  (300 layers in 69 cells)`, cut to fit. */
function legend(cells: readonly Cell[], layers: number, lo: number, hi: number, color: boolean, width: number): string {
  const scale = color ? VIRIDIS_256.map((c) => fg256(c) + '█').join('') + RESET : PLAIN_RAMP;
  const parts = [`log10 grad norm ${tick(lo)} ${scale} ${tick(hi)}`];
  if (cells.some((c) => c.kind === 'non-finite')) parts.push(color ? `${fg256(RED, true)}${NON_FINITE_MARK}${RESET} non-finite` : `${NON_FINITE_MARK} non-finite`);
  if (cells.some((c) => c.kind === 'zero')) parts.push(`${ZERO_MARK} zero`);
  if (cells.length < layers) parts.push(`(${layers} layers in ${cells.length} cells)`);
  if (cells.every((c) => c.kind !== 'value')) parts[0] = 'log10 grad norm: no finite values';
  let line = parts.join('  ');
  while (parts.length > 1 && visibleLength(line) > width) {
    parts.pop();
    line = parts.join('  ');
  }
  return visibleLength(line) > width ? `${tick(lo)} … ${tick(hi)}`.slice(0, width) : line;
}
