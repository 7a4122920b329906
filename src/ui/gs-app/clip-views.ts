import { html, type TemplateResult } from 'lit';
import type { RunConfig } from '../../model/config.ts';
import type { StepRecord } from '../../stats/record.ts';
import '../gs-clip-chart/gs-clip-chart.ts';
import type { ProfileOverlay } from '../gs-depth-chart/depth-data.ts';
import { clipLine } from './app-chrome.ts';

/** The per-layer gradient after clipping, drawn dotted over the gradient norms of the depth chart. */
export const AFTER_CLIPPING: ProfileOverlay = { label: 'after clipping', values: (r) => r.clippedGradNorm };

/**
 * Run A's clipping over steps (‖g‖ before and after, τ, the clip scale), with τ editable in place: the threshold
 * is an optimizer hyperparameter, so a new one applies from the next step without rebuilding the network.
 */
export function clipPanel(p: { config: RunConfig; latest: StepRecord | null; compare: boolean; onTau: (value: string) => void }): TemplateResult {
  const { mode, max } = p.config.train.clip;
  const m = mode === 'value' ? 'value' : 'norm';
  const help =
    m === 'norm'
      ? 'Norm clipping rescales the whole gradient whenever its norm passes τ, so the update never moves farther than the learning rate times τ.'
      : 'Value clipping clamps every gradient entry to ±τ; the scale shown is the norm after over the norm before.';
  return html`<div class="panel clip-panel"><h2>Gradient clipping${p.compare ? ' of run A' : ''}
      <label class="clip-tau" title="The clip threshold train.clip.max: changes from the next step, without a rebuild">τ
        <input type="number" data-clip-tau min="0" step="any" .value=${String(max)} @change=${(e: Event) => p.onTau((e.target as HTMLInputElement).value)} /></label></h2>
    <gs-clip-chart mode=${m}></gs-clip-chart>
    <p class="statistic-help">${help} The depth chart draws each layer's gradient after clipping dotted over its norm.</p>
    ${p.latest && m === 'norm' ? clipLine(p.latest, max) : ''}</div>`;
}
