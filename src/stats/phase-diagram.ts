/**
 * The phase diagram of a sweep: runs → a grid of cells (x values × y values, the runs of a cell averaged), drawn as
 * a scene of rectangles, polylines and text that `sceneSvg` writes as SVG and the CLI rasterises to PNG, with the
 * mean-field theory's ξ_c and 6ξ_c (Schoenholz et al. 2017: a plain net trains to depth ≈ 6ξ_c) over it.
 * Pure: no DOM, no Node, so the page can draw the same thing.
 */
import { meanField } from './mean-field.ts';
import type { ActivationName } from '../model/config.ts';

export type AxisValue = number | string;
export type Rgb = readonly [number, number, number];

/** One run as the diagram sees it. `value` is null when the run has none (a diverged run's accuracy). */
export interface PhasePoint {
  x: AxisValue;
  y: AxisValue;
  value: number | null;
  diverged: boolean;
}

export interface PhaseCell {
  xi: number;
  yi: number;
  /** Mean over the cell's runs with a finite value; null when none has one. */
  value: number | null;
  runs: number;
  diverged: number;
}

export interface PhaseDiagram {
  x: { label: string; values: AxisValue[] };
  y: { label: string; values: AxisValue[] };
  value: string;
  /** Row by row from the smallest y: cells[yi · nx + xi]. */
  cells: PhaseCell[];
  /** What the colour scale spans: [0, 1] for an accuracy, else the cells' values. */
  range: [number, number];
}

/** Numbers ascending, then other values in the order they first appear. */
function axisValues(values: readonly AxisValue[]): AxisValue[] {
  const unique = [...new Set(values)];
  const nums = unique.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  return [...nums, ...unique.filter((v) => typeof v !== 'number')];
}

export function phaseDiagram(points: readonly PhasePoint[], labels: { x: string; y: string; value: string }): PhaseDiagram {
  const xs = axisValues(points.map((p) => p.x));
  const ys = axisValues(points.map((p) => p.y));
  const sums = Array.from({ length: xs.length * ys.length }, () => ({ sum: 0, n: 0, runs: 0, diverged: 0 }));
  for (const p of points) {
    const s = sums[ys.indexOf(p.y) * xs.length + xs.indexOf(p.x)]!;
    s.runs++;
    if (p.diverged) s.diverged++;
    if (p.value !== null && Number.isFinite(p.value)) {
      s.sum += p.value;
      s.n++;
    }
  }
  const cells = sums.map((s, i) => ({ xi: i % xs.length, yi: Math.floor(i / xs.length), value: s.n ? s.sum / s.n : null, runs: s.runs, diverged: s.diverged }));
  const finite = cells.flatMap((c) => (c.value === null ? [] : [c.value]));
  let range: [number, number] = finite.length ? [Math.min(...finite), Math.max(...finite)] : [0, 1];
  if (/accuracy$/i.test(labels.value)) range = [0, 1];
  return { x: { label: labels.x, values: xs }, y: { label: labels.y, values: ys }, value: labels.value, cells, range };
}

/**
 * Degree-6 polynomial fit of matplotlib's viridis (van der Walt & Smith), by Matt Zucker (shadertoy.com/view/WlfXRN,
 * CC0): per channel, c0 + t·(c1 + t·(c2 + …)), max error < 1/255. The page's heatmaps build their table from it too
 * (src/ui/colormaps.ts), so a phase diagram and a heatmap mean the same colours.
 */
export const VIRIDIS_POLY: readonly Rgb[] = [
  [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
  [0.1050930431085774, 1.404613529898575, 1.384590162594685],
  [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
  [-4.634230498983486, -5.799100973351585, -19.33244095627987],
  [6.228269936347081, 14.17993336680509, 56.69055260068105],
  [4.776384997670288, -13.74514537774601, -65.35303263337234],
  [-5.435455855934631, 4.645852612178535, 26.3124352495832],
];

/** Viridis at t in [0, 1], as bytes. */
export function viridis(t: number): Rgb {
  const u = Math.min(1, Math.max(0, t));
  const channel = (c: 0 | 1 | 2): number => Math.round(255 * Math.min(1, Math.max(0, VIRIDIS_POLY.reduceRight((v, k) => v * u + k[c], 0))));
  return [channel(0), channel(1), channel(2)];
}

export function cellColor(value: number, [lo, hi]: [number, number]): Rgb {
  return viridis(hi > lo ? (value - lo) / (hi - lo) : 0.5);
}

/** A diverged run with no value: grey, hatched (a cell some of whose runs diverged is hatched over its colour). */
export const DIVERGED_RGB: Rgb = [150, 150, 150];
/** A cell with runs but no value, and no divergence (a regression run's accuracy). */
export const NO_VALUE_RGB: Rgb = [232, 232, 232];
const INK: Rgb = [40, 40, 40];
const FAINT: Rgb = [200, 200, 200];
const WHITE: Rgb = [255, 255, 255];

/** Drawing primitives, in pixels from the top left; text `y` is the baseline. */
export type Shape =
  | { kind: 'rect'; x: number; y: number; w: number; h: number; fill: Rgb | null; stroke?: Rgb; hatch?: boolean; cls?: string; title?: string }
  | { kind: 'line'; points: [number, number][]; stroke: Rgb; width: number; dash?: number; halo?: boolean; cls?: string }
  | { kind: 'text'; x: number; y: number; text: string; anchor: 'start' | 'middle' | 'end' };

export interface Scene {
  width: number;
  height: number;
  shapes: Shape[];
}

/** A theory curve in data coordinates (x = σ_w², y = depth). */
export interface TheoryCurve {
  name: 'xi-c' | 'trainable-depth';
  label: string;
  points: [number, number][];
}

/**
 * ξ_c(σ_w²) and 6ξ_c(σ_w²) for a plain MLP of this activation and σ_b², sampled across [lo, hi]. 121 samples: a smooth
 * curve at the plot's size, and the chaotic side of tanh costs ~25 ms a sample (mean-field.ts bisects c* by quadrature).
 */
export function meanFieldCurves(p: { activation: ActivationName; sigmaB2: number }, [lo, hi]: [number, number], samples = 121): TheoryCurve[] {
  const xs = Array.from({ length: samples }, (_, i) => lo + ((hi - lo) * i) / (samples - 1)).filter((s) => s > 0);
  const at = xs.map((sigmaW2) => ({ sigmaW2, ...meanField({ activation: p.activation, sigmaW2, sigmaB2: p.sigmaB2 }) }));
  return [
    { name: 'xi-c', label: 'ξc', points: at.map((m) => [m.sigmaW2, m.xiC]) },
    { name: 'trainable-depth', label: '6ξc', points: at.map((m) => [m.sigmaW2, m.trainableDepth]) },
  ];
}

/** Format a tick: at most 4 significant digits, no trailing zeros. */
export function formatTick(v: AxisValue): string {
  return typeof v === 'number' ? String(Number(v.toPrecision(4))) : v;
}

/** Pixel ↔ value along a numeric axis: linear between cell centres, extended by the end cells' spacing. */
function axisMap(values: readonly AxisValue[], start: number, step: number): ((v: number) => number) | null {
  if (!values.every((v) => typeof v === 'number')) return null;
  const vs = values as number[];
  const centre = (i: number): number => start + (i + 0.5) * step;
  if (vs.length === 1) return (v) => (v === vs[0] ? centre(0) : NaN);
  return (v) => {
    // The segment between centres i − 1 and i that holds v (the first or last one beyond the ends).
    let i = vs.findIndex((u, k) => k > 0 && v <= u);
    if (i < 0) i = vs.length - 1;
    const a = vs[i - 1]!;
    const b = vs[i]!;
    return centre(i - 1) + ((v - a) / (b - a)) * step;
  };
}

/** The x data range the plot spans, edge to edge (for sampling a curve across it). */
export function xDataRange(d: PhaseDiagram): [number, number] | null {
  const vs = d.x.values;
  if (!vs.every((v) => typeof v === 'number') || vs.length < 2) return null;
  const n = vs as number[];
  return [n[0]! - (n[1]! - n[0]!) / 2, n.at(-1)! + (n.at(-1)! - n.at(-2)!) / 2];
}

/** The part t ∈ [t0, t1] of the segment from y0 to y1 that lies in top ≤ y ≤ bottom (Liang–Barsky in y alone), or null. */
function clipSpan(y0: number, y1: number, top: number, bottom: number): [number, number] | null {
  const dy = y1 - y0;
  if (dy === 0) return y0 >= top && y0 <= bottom ? [0, 1] : null;
  const [ta, tb] = [(top - y0) / dy, (bottom - y0) / dy];
  const t0 = Math.max(0, Math.min(ta, tb));
  const t1 = Math.min(1, Math.max(ta, tb));
  return t0 <= t1 ? [t0, t1] : null;
}

/** Split a polyline where it is not finite and cut it at the plot's top and bottom (ξ_c diverges at the critical line). */
export function clipPolyline(points: readonly [number, number][], top: number, bottom: number): [number, number][][] {
  const pieces: [number, number][][] = [];
  let piece: [number, number][] = [];
  const flush = (): void => {
    if (piece.length > 1) pieces.push(piece);
    piece = [];
  };
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1]!;
    const [x1, y1] = points[i]!;
    const span = [x0, y0, x1, y1].every(Number.isFinite) ? clipSpan(y0, y1, top, bottom) : null;
    if (!span) {
      flush();
      continue;
    }
    const at = (t: number): [number, number] => [x0 + t * (x1 - x0), y0 + t * (y1 - y0)];
    // A segment that enters the plot mid-way starts a new piece; one that leaves it ends its piece.
    if (span[0] > 0 || piece.length === 0) {
      flush();
      piece.push(at(span[0]));
    }
    piece.push(at(span[1]));
    if (span[1] < 1) flush();
  }
  flush();
  return pieces;
}

const CHAR_W = 7; // a generous width per character for the margins, at the SVG's 11 px and the PNG's 8 px font

/** The plot area in pixels and the size of one cell. */
interface Frame {
  x: number;
  y: number;
  w: number;
  h: number;
  cw: number;
  ch: number;
  bottom: number;
}

/** Label every k-th value along an axis: the smallest k whose labels fit `room` px, `size` px each. */
function tickStride(n: number, room: number, size: number): number {
  return Math.max(1, Math.ceil(n / Math.max(1, Math.floor(room / size))));
}

function cellShape(d: PhaseDiagram, c: PhaseCell, f: Frame): Shape {
  const what = c.runs === 0 ? 'missing' : c.value === null ? (c.diverged ? 'diverged' : 'empty') : c.diverged ? 'value diverged' : 'value';
  const fill = c.value !== null ? cellColor(c.value, d.range) : c.runs === 0 ? null : c.diverged ? DIVERGED_RGB : NO_VALUE_RGB;
  const runs = `${c.runs} run${c.runs === 1 ? '' : 's'}${c.diverged ? `, ${c.diverged} diverged` : ''}`;
  const title = `${d.x.label}=${formatTick(d.x.values[c.xi]!)} ${d.y.label}=${formatTick(d.y.values[c.yi]!)}: ${c.value === null ? 'no value' : formatTick(c.value)} (${runs})`;
  const box = { x: f.x + c.xi * f.cw, y: f.bottom - (c.yi + 1) * f.ch, w: f.cw, h: f.ch };
  return { kind: 'rect', ...box, fill, hatch: c.diverged > 0, cls: `cell ${what}`, title, ...(c.runs === 0 ? { stroke: FAINT } : {}) };
}

/** The frame, ticks at cell centres with their values, and the axis titles (y's above the plot, unrotated). */
function axisShapes(d: PhaseDiagram, f: Frame): Shape[] {
  const s: Shape[] = [{ kind: 'rect', x: f.x, y: f.y, w: f.w, h: f.h, fill: null, stroke: INK }];
  const xStride = tickStride(d.x.values.length, f.w, Math.max(...d.x.values.map((v) => formatTick(v).length)) * CHAR_W + 8);
  d.x.values.forEach((v, i) => {
    if (i % xStride) return;
    const x = f.x + (i + 0.5) * f.cw;
    s.push({ kind: 'line', points: [[x, f.bottom], [x, f.bottom + 4]], stroke: INK, width: 1 }, { kind: 'text', x, y: f.bottom + 17, text: formatTick(v), anchor: 'middle' });
  });
  const yStride = tickStride(d.y.values.length, f.h, 14);
  d.y.values.forEach((v, i) => {
    if (i % yStride) return;
    const y = f.bottom - (i + 0.5) * f.ch;
    s.push({ kind: 'line', points: [[f.x - 4, y], [f.x, y]], stroke: INK, width: 1 }, { kind: 'text', x: f.x - 7, y: y + 4, text: formatTick(v), anchor: 'end' });
  });
  s.push({ kind: 'text', x: f.x + f.w / 2, y: f.bottom + 40, text: d.x.label, anchor: 'middle' }, { kind: 'text', x: 8, y: f.y - 14, text: `↑ ${d.y.label}`, anchor: 'start' });
  return s;
}

/** The curves in pixels, cut to the plot (numeric axes only: a curve has no place between categories). */
function curveShapes(d: PhaseDiagram, curves: readonly TheoryCurve[], f: Frame): Shape[] {
  const toX = axisMap(d.x.values, f.x, f.cw);
  const toY = axisMap(d.y.values, f.bottom, -f.ch);
  if (!toX || !toY) return [];
  return curves.flatMap((c) => clipPolyline(c.points.map(([x, y]): [number, number] => [toX(x), toY(y)]), f.y, f.bottom).map((piece) => curveLine(c, piece)));
}

/** The whole picture: cells, axes with ticks and titles, the legend, and the theory curves clipped to the plot. */
export function phaseScene(d: PhaseDiagram, curves: readonly TheoryCurve[] = []): Scene {
  const nx = d.x.values.length;
  const ny = d.y.values.length;
  const cw = Math.max(6, Math.min(48, Math.floor(480 / nx)));
  const ch = Math.max(6, Math.min(40, Math.floor(360 / ny)));
  const left = 24 + Math.max(...d.y.values.map((v) => formatTick(v).length)) * CHAR_W;
  const f: Frame = { x: left, y: 36, w: cw * nx, h: ch * ny, cw, ch, bottom: 36 + ch * ny };
  const legendX = f.x + f.w + 24;
  const legendH = Math.min(f.h, 200);
  const width = legendX + Math.max(19 + 8 * CHAR_W, d.value.length * CHAR_W) + 16;
  // Below the colour bar: the diverged and no-run swatches, then one line per curve, 16 px each.
  const height = Math.max(f.bottom + 52, f.y + legendH + 16 * (3 + curves.length));
  const shapes: Shape[] = [
    { kind: 'rect', x: 0, y: 0, w: width, h: height, fill: WHITE },
    ...d.cells.map((c) => cellShape(d, c, f)),
    ...axisShapes(d, f),
    ...legend(d, legendX, f.y, legendH, curves),
    ...curveShapes(d, curves, f),
  ];
  return { width, height, shapes };
}

function curveLine(c: TheoryCurve, points: [number, number][]): Extract<Shape, { kind: 'line' }> {
  return { kind: 'line', points, stroke: WHITE, width: 2, halo: true, cls: `theory ${c.name}`, ...(c.name === 'trainable-depth' ? { dash: 6 } : {}) };
}

function legend(d: PhaseDiagram, x: number, top: number, h: number, curves: readonly TheoryCurve[]): Shape[] {
  const s: Shape[] = [{ kind: 'text', x, y: top - 14, text: d.value, anchor: 'start' }];
  const steps = 64;
  for (let i = 0; i < steps; i++) {
    const y0 = top + Math.round((i * h) / steps);
    const y1 = top + Math.round(((i + 1) * h) / steps);
    s.push({ kind: 'rect', x, y: y0, w: 14, h: y1 - y0, fill: viridis(1 - (i + 0.5) / steps), cls: 'legend-step' });
  }
  s.push({ kind: 'rect', x, y: top, w: 14, h, fill: null, stroke: INK });
  const [lo, hi] = d.range;
  for (const f of [0, 0.5, 1]) s.push({ kind: 'text', x: x + 19, y: top + h - f * h + 4, text: formatTick(lo + f * (hi - lo)), anchor: 'start' });
  let y = top + h + 16;
  s.push({ kind: 'rect', x, y, w: 14, h: 10, fill: DIVERGED_RGB, hatch: true, cls: 'legend-diverged' }, { kind: 'text', x: x + 19, y: y + 9, text: 'diverged', anchor: 'start' });
  y += 16;
  s.push({ kind: 'rect', x, y, w: 14, h: 10, fill: null, stroke: FAINT, cls: 'legend-missing' }, { kind: 'text', x: x + 19, y: y + 9, text: 'no run', anchor: 'start' });
  for (const c of curves) {
    y += 16;
    s.push({ ...curveLine(c, [[x, y + 5], [x + 14, y + 5]]), cls: `legend-${c.name}` }, { kind: 'text', x: x + 19, y: y + 9, text: c.label, anchor: 'start' });
  }
  return s;
}

const escape = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const rgb = (c: Rgb): string => `rgb(${c[0]},${c[1]},${c[2]})`;
const px = (v: number): string => String(Math.round(v * 10) / 10);

function svgShape(sh: Shape): string {
  const cls = 'cls' in sh && sh.cls ? ` class="${sh.cls}"` : '';
  if (sh.kind === 'text') return `<text x="${px(sh.x)}" y="${px(sh.y)}" text-anchor="${sh.anchor}">${escape(sh.text)}</text>`;
  if (sh.kind === 'line') {
    const d = sh.points.map(([x, y], i) => `${i ? 'L' : 'M'}${px(x)} ${px(y)}`).join('');
    const dash = sh.dash ? ` stroke-dasharray="${sh.dash} ${sh.dash * 0.6}"` : '';
    const halo = sh.halo ? `<path d="${d}" fill="none" stroke="rgb(20,20,20)" stroke-width="${sh.width + 2}"${dash}/>` : '';
    return `${halo}<path${cls} d="${d}" fill="none" stroke="${rgb(sh.stroke)}" stroke-width="${sh.width}"${dash}/>`;
  }
  const box = `x="${px(sh.x)}" y="${px(sh.y)}" width="${px(sh.w)}" height="${px(sh.h)}"`;
  const stroke = sh.stroke ? ` stroke="${rgb(sh.stroke)}"` : '';
  const title = sh.title ? `<title>${escape(sh.title)}</title>` : '';
  const rect = `<rect${cls} ${box} fill="${sh.fill ? rgb(sh.fill) : 'none'}"${stroke}>${title}</rect>`;
  return sh.hatch ? `${rect}<rect ${box} fill="url(#hatch)" pointer-events="none"/>` : rect;
}

/** The scene as a standalone SVG document. */
export function sceneSvg(scene: Scene): string {
  const hatch = '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="rgb(70,70,70)" stroke-width="1.5"/></pattern>';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${scene.width}" height="${scene.height}" viewBox="0 0 ${scene.width} ${scene.height}" font-family="sans-serif" font-size="11" fill="rgb(40,40,40)">`,
    `<defs>${hatch}</defs>`,
    ...scene.shapes.map(svgShape),
    '</svg>',
    '',
  ].join('\n');
}
