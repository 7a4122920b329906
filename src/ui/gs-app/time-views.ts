import { html, nothing, type TemplateResult } from 'lit';
import type { RunConfig } from '../../model/config.ts';
import '../gs-depth-chart/gs-depth-chart.ts';
import '../gs-heatmap/gs-heatmap.ts';
import { TIME_QUANTITY } from '../gs-heatmap/time-rows.ts';
import type { PageState } from '../state/url-state.ts';

/** Whether the page shows the views through time: run A or run B is a recurrent net. */
export function isRecurrent(page: PageState | null): boolean {
  return page?.config.model.arch === 'rnn' || page?.compare?.model.arch === 'rnn';
}

/** The stacked recurrent layers the picker offers: the most of runs A and B. */
export function recurrentLayers(page: PageState): number {
  const layers = (c: RunConfig | null | undefined) => (c?.model.arch === 'rnn' ? c.model.depth : 0);
  return Math.max(1, layers(page.config), layers(page.compare));
}

/**
 * The time steps × training steps heatmaps of ‖∂L/∂h_t‖ (runs A, B and B / A when comparing), under the layer
 * maps: the same element with `rows="time"`, so the colour range, links, read-out and PNG work as there.
 */
export function timeMaps(p: { compare: boolean; fixedRange: boolean; onPng: () => void }): TemplateResult {
  const map = (run: string, caption: string) =>
    html`<figure><figcaption>${caption}</figcaption><gs-heatmap rows="time" data-time=${run} mode=${run === 'ratio' ? 'ratio' : 'value'} ?fixed-range=${p.fixedRange}></gs-heatmap></figure>`;
  return html`<div class="time-head">
      <h2>Through time: <span class="symbol">${TIME_QUANTITY}</span></h2>
      <button data-export="time-png" @click=${p.onPng} title="The time heatmap${p.compare ? 's' : ''} at 2× with legend and settings">Time PNG</button>
      <span class="statistic-help">Each row is a time step of the input sequence (t = 0, the first input, at the bottom): the size
        of the gradient reaching the hidden state h_t, stacked layers in bands. Fading toward t = 0 is the gradient vanishing
        back through time; grey steps are past train.bptt and get none.</span>
    </div>
    <div class="maps time ${p.compare ? 'compare' : ''}">
      ${map('A', p.compare ? 'Run A' : 'Time steps × training steps')}
      ${p.compare ? [map('B', 'Run B'), map('ratio', 'log₁₀ B / A')] : nothing}
    </div>`;
}

/** The "across time" chart: the newest step's ‖∂L/∂h_t‖ against t, one stacked layer at a time. */
export function timeChartPanel(p: { compare: boolean; layers: number; layer: number; onLayer: (layer: number) => void }): TemplateResult {
  const picker =
    p.layers > 1
      ? html`<label class="time-layer">Layer <select data-time-layer @change=${(e: Event) => p.onLayer(Number((e.target as HTMLSelectElement).value))}>
          ${Array.from({ length: p.layers }, (_, k) => html`<option value=${k} ?selected=${k === p.layer}>${k}${k === p.layers - 1 ? ' (top)' : k === 0 ? ' (input)' : ''}</option>`)}
        </select></label>`
      : nothing;
  return html`<div class="panel"><h2>Across time, newest step${p.compare ? ' (A solid, B dashed)' : ''} ${picker}</h2>
    <gs-depth-chart axis="time" .layer=${p.layer} .layers=${p.layers}></gs-depth-chart></div>`;
}
