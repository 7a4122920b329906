import { LUT_SIZE, NON_FINITE_RGB, NO_GRADIENT_RGB, lutRgb } from '../colormaps.ts';
import { lutFor } from './color-scale.ts';
import { NO_GRADIENT_NOTE, legendTicks, legendTitle, type LegendProps } from './legend.ts';

/** One heatmap in an exported figure: its pixels, its legend and the steps it covers. */
export interface PngPanel {
  /** The plot canvas, at `dpr` device pixels per CSS pixel. */
  plot: HTMLCanvasElement;
  dpr: number;
  props: LegendProps;
  steps: [number, number] | null;
  /** Above the panel, e.g. "Run B"; null for a figure of one. */
  caption: string | null;
  /** The y axis's top and bottom words: head and input unless told (the time view: the last and first step). */
  ends?: readonly [string, string];
}

/** The figure's title and the lines under it (the run's settings), wrapped to the figure's width. */
export interface PngHeader {
  title: string;
  lines: readonly string[];
}

const BG = '#101418';
const FG = '#e8eaed';
const MUTED = '#aab3bf';
const FONT = 'system-ui, -apple-system, "Segoe UI", sans-serif';

/** Figure sizes in CSS pixels; the canvas is `scale` times larger. */
const PAD = 12;
const AXIS_W = 48;
const BAR_W = 14;
const BAR_H = 140;
const TEXT = 12;
const TITLE = 16;
const LINE = 17;

/**
 * Heatmap panels side by side under a title and the run's settings, each with its axis labels and
 * colour bar (sized to its text, so nothing is clipped), drawn at `scale`× for slides and papers. The
 * plots are enlarged without smoothing: a cell stays a crisp block of one colour.
 */
export function composePng(panels: readonly PngPanel[], header: PngHeader, scale = 2): Promise<Blob> {
  const measure = document.createElement('canvas').getContext('2d')!;
  const widths = panels.map((p) => {
    measure.font = `${TEXT}px ${FONT}`;
    const legend = legendLines(p);
    const textW = Math.max(...legend.map((l) => measure.measureText(l).width));
    return { plot: p.plot.width / p.dpr, height: p.plot.height / p.dpr, legend: Math.ceil(Math.max(textW, BAR_W + 4 + maxTick(measure, p))) };
  });
  const panelW = widths.map((w) => AXIS_W + w.plot + PAD + w.legend);
  const width = PAD + panelW.reduce((a, w) => a + w + PAD, 0);
  measure.font = `${TEXT}px ${FONT}`;
  const lines = header.lines.flatMap((l) => wrapText(measure, l, width - 2 * PAD));
  const captioned = panels.some((p) => p.caption);
  const headH = LINE + 6 + lines.length * LINE + PAD;
  const legendH = (p: PngPanel) => BAR_H + (p.props.zero === 'none' ? 5 : 4) * LINE + 12;
  const bodyH = Math.max(...widths.map((w, i) => Math.max(w.height + LINE + 6, legendH(panels[i]!)))) + (captioned ? LINE : 0);
  const height = PAD + headH + bodyH + PAD;

  const out = document.createElement('canvas');
  out.width = Math.ceil(width * scale);
  out.height = Math.ceil(height * scale);
  const ctx = out.getContext('2d')!;
  ctx.scale(scale, scale);
  ctx.fillStyle = BG;
  ctx.fillRect(0, 0, width, height);
  ctx.textBaseline = 'top';
  ctx.fillStyle = FG;
  ctx.font = `600 ${TITLE}px ${FONT}`;
  ctx.fillText(header.title, PAD, PAD);
  ctx.font = `${TEXT}px ${FONT}`;
  ctx.fillStyle = MUTED;
  lines.forEach((l, i) => ctx.fillText(l, PAD, PAD + LINE + 6 + i * LINE));

  let x = PAD;
  panels.forEach((p, i) => {
    let y = PAD + headH;
    if (p.caption) {
      ctx.fillStyle = FG;
      ctx.font = `600 ${TEXT}px ${FONT}`;
      ctx.fillText(p.caption, x + AXIS_W, y);
      y += LINE;
    }
    drawPanel(ctx, p, x, y, widths[i]!.plot, widths[i]!.height);
    x += panelW[i]! + PAD;
  });
  return new Promise((resolve, reject) =>
    out.toBlob((b) => (b ? resolve(b) : reject(new Error('gs-heatmap: canvas.toBlob returned null (canvas too large?)'))), 'image/png'),
  );
}

function drawPanel(ctx: CanvasRenderingContext2D, p: PngPanel, x: number, y: number, plotW: number, plotH: number): void {
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(p.plot, x + AXIS_W, y, plotW, plotH);
  ctx.font = `${TEXT}px ${FONT}`;
  ctx.fillStyle = MUTED;
  ctx.textBaseline = 'top';
  const [top, bottom] = p.ends ?? ['head', 'input'];
  ctx.fillText(top, x, y);
  ctx.textBaseline = 'bottom';
  ctx.fillText(bottom, x, y + plotH);
  ctx.textBaseline = 'top';
  ctx.fillText(`${p.steps ? `steps ${p.steps[0]}–${p.steps[1]}` : 'no steps'} →`, x + AXIS_W, y + plotH + 4);
  drawBar(ctx, p, x + AXIS_W + plotW + PAD, y);
}

/** The legend's text lines (for sizing): title and the notes. */
function legendLines(p: PngPanel): string[] {
  return [legendTitle(p.props.stat, p.props.kind, p.props.mode, p.props.quantity), ...notes(p.props)];
}

function notes(p: LegendProps): string[] {
  return [`range: ${p.rangeMode}`, ...(p.kind === 'log' && p.zero !== 'none' ? ['0 → floor colour'] : [])];
}

function maxTick(ctx: CanvasRenderingContext2D, p: PngPanel): number {
  const swatches = ['NaN / ∞', ...(p.props.zero === 'none' ? [NO_GRADIENT_NOTE] : [])];
  const labels = [...legendTicks(p.props.range, p.props.kind, p.props.mode).map((t) => t.label), ...swatches];
  return Math.max(...labels.map((l) => ctx.measureText(l).width));
}

function drawBar(ctx: CanvasRenderingContext2D, p: PngPanel, x: number, y: number): void {
  const lut = lutFor(p.props.mode);
  ctx.fillStyle = FG;
  ctx.fillText(legendTitle(p.props.stat, p.props.kind, p.props.mode, p.props.quantity), x, y);
  const top = y + LINE + 4;
  for (let i = 0; i < BAR_H; i++) {
    const [r, g, b] = lutRgb(lut, ((BAR_H - 1 - i) / (BAR_H - 1)) * (LUT_SIZE - 1));
    ctx.fillStyle = `rgb(${r} ${g} ${b})`;
    ctx.fillRect(x, top + i, BAR_W, 1);
  }
  ctx.fillStyle = FG;
  ctx.textBaseline = 'middle';
  for (const t of legendTicks(p.props.range, p.props.kind, p.props.mode)) ctx.fillText(t.label, x + BAR_W + 4, top + (1 - t.pos) * BAR_H);
  ctx.textBaseline = 'top';
  let ny = top + BAR_H + 8;
  ctx.fillStyle = `rgb(${NON_FINITE_RGB.join(' ')})`;
  ctx.fillRect(x, ny + 2, BAR_W, TEXT);
  ctx.fillStyle = FG;
  ctx.fillText('NaN / ∞', x + BAR_W + 4, ny);
  if (p.props.zero === 'none') {
    ny += LINE;
    ctx.fillStyle = `rgb(${NO_GRADIENT_RGB.join(' ')})`;
    ctx.fillRect(x, ny + 2, BAR_W, TEXT);
    ctx.fillStyle = FG;
    ctx.fillText(NO_GRADIENT_NOTE, x + BAR_W + 4, ny);
  }
  ctx.fillStyle = MUTED;
  for (const note of notes(p.props)) ctx.fillText(note, x, (ny += LINE));
}

/** Greedy word wrap by measured width; a word longer than the line stands alone. */
function wrapText(ctx: CanvasRenderingContext2D, text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > width) {
      out.push(line);
      line = word;
    } else line = next;
  }
  if (line) out.push(line);
  return out;
}
