import { LUT_SIZE, NON_FINITE_RGB, lutRgb, type Lut } from '../colormaps.ts';
import { lutFor } from './color-scale.ts';
import { legendTicks, legendTitle, type LegendProps, type Tick } from './legend.ts';

interface PngLegend {
  lut: Lut;
  ticks: Tick[];
  title: string;
  /** Lines under the bar: the range mode and the zero note. */
  notes: string[];
  /** e.g. "steps 1–240". */
  steps: string;
}

function pngLegend(p: LegendProps, steps: [number, number] | null): PngLegend {
  return {
    lut: lutFor(p.mode),
    ticks: legendTicks(p.range, p.kind, p.mode),
    title: legendTitle(p.stat, p.kind, p.mode),
    notes: [`range: ${p.rangeMode}`, ...(p.kind === 'log' ? ['0 → floor colour'] : [])],
    steps: steps ? `steps ${steps[0]}–${steps[1]}` : 'no steps',
  };
}

const BG = '#101418';
const FG = '#e8eaed';

/** The plot with its axis labels and colour bar on one canvas, as a PNG. */
export function composePng(plot: HTMLCanvasElement, props: LegendProps, steps: [number, number] | null, dpr: number): Promise<Blob> {
  const legend = pngLegend(props, steps);
  const pad = Math.round(8 * dpr);
  const axisW = Math.round(44 * dpr);
  const legendW = Math.round(150 * dpr);
  const footH = Math.round(24 * dpr);
  const out = document.createElement('canvas');
  out.width = axisW + plot.width + pad + legendW;
  out.height = Math.max(plot.height + footH, Math.round(180 * dpr)) + 2 * pad;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = BG;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(plot, axisW, pad);
  ctx.fillStyle = FG;
  ctx.font = `${Math.round(11 * dpr)}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  ctx.fillText('head', pad, pad);
  ctx.textBaseline = 'bottom';
  ctx.fillText('input', pad, pad + plot.height);
  ctx.textBaseline = 'top';
  ctx.fillText(`${legend.steps} →`, axisW, pad + plot.height + pad / 2);
  drawBar(ctx, legend, axisW + plot.width + pad, pad, dpr);
  return new Promise((resolve, reject) =>
    out.toBlob((b) => (b ? resolve(b) : reject(new Error('gs-heatmap: canvas.toBlob returned null (canvas too large?)'))), 'image/png'),
  );
}

function drawBar(ctx: CanvasRenderingContext2D, legend: PngLegend, x: number, y: number, dpr: number): void {
  const line = Math.round(14 * dpr);
  const barW = Math.round(14 * dpr);
  const barH = Math.round(120 * dpr);
  ctx.fillText(legend.title, x, y);
  const top = y + line + 4 * dpr;
  for (let i = 0; i < barH; i++) {
    const [r, g, b] = lutRgb(legend.lut, ((barH - 1 - i) / (barH - 1)) * (LUT_SIZE - 1));
    ctx.fillStyle = `rgb(${r} ${g} ${b})`;
    ctx.fillRect(x, top + i, barW, 1);
  }
  ctx.fillStyle = FG;
  ctx.textBaseline = 'middle';
  for (const t of legend.ticks) ctx.fillText(t.label, x + barW + 4 * dpr, top + (1 - t.pos) * barH);
  ctx.textBaseline = 'top';
  let ny = top + barH + 6 * dpr;
  ctx.fillStyle = `rgb(${NON_FINITE_RGB.join(' ')})`;
  ctx.fillRect(x, ny, barW, line - 4 * dpr);
  ctx.fillStyle = FG;
  ctx.fillText('NaN / ∞', x + barW + 4 * dpr, ny);
  for (const note of legend.notes) ctx.fillText(note, x, (ny += line));
}
