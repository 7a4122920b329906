import { html, nothing, type TemplateResult } from 'lit';
import { BLUE_RED, NO_GRADIENT_RGB, VIRIDIS, lutGradient } from '../colormaps.ts';
import type { HeatmapMode } from './color-scale.ts';
import { NO_GRADIENT_NOTE, legendTicks, legendTitle, type LegendProps } from './legend.ts';

const GRADIENTS: Record<HeatmapMode, string> = { value: lutGradient(VIRIDIS), ratio: lutGradient(BLUE_RED) };

/** The colour bar with decade ticks, the statistic, the NaN / zero notes and the range mode. */
export function legendTemplate(p: LegendProps): TemplateResult {
  const ticks = legendTicks(p.range, p.kind, p.mode);
  return html`<div class="legend">
    <div>${legendTitle(p.stat, p.kind, p.mode, p.quantity)}</div>
    <div class="bar-wrap">
      <div class="bar" style=${`background:${GRADIENTS[p.mode]}`}></div>
      <div class="ticks">${ticks.map((k) => html`<span style=${`bottom:${(k.pos * 100).toFixed(1)}%`}>${k.label}</span>`)}</div>
    </div>
    <div class="swatch" style="--swatch: rgb(255 0 255)">NaN / ∞</div>
    ${p.zero === 'none'
      ? html`<div class="swatch" data-no-gradient style=${`--swatch: rgb(${NO_GRADIENT_RGB.join(' ')})`}>${NO_GRADIENT_NOTE}</div>`
      : p.kind === 'log' ? html`<div class="muted">0 → floor colour</div>` : nothing}
    <div class="muted">range: ${p.rangeMode}</div>
  </div>`;
}
