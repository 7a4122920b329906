import { html, nothing, type TemplateResult } from 'lit';
import type { RowLabel } from '../../model/graph/row-names.ts';
import type { RunConfig } from '../../model/config.ts';
import '../gs-depth-chart/gs-depth-chart.ts';
import '../gs-heatmap/gs-heatmap.ts';
import { RESIDUAL_QUANTITY } from '../gs-heatmap/residual-rows.ts';
import type { PageState } from '../state/url-state.ts';

/** Whether run A or run B has residual blocks (an MLP or ResNet with model.residual identity or rezero). */
export function hasResidualBlocks(page: PageState | null): boolean {
  const residual = (c: RunConfig | null | undefined) => !!c && c.model.arch !== 'rnn' && c.model.residual !== 'none' && (c.model.arch === 'resnet' || c.model.depth > 1);
  return residual(page?.config) || residual(page?.compare);
}

/**
 * The residual blocks × steps heatmaps of ‖B‖/‖S‖ (runs A, B and B / A when comparing): how the gradient that
 * reaches each block's input divides between its branch and its skip, the same element with `rows="residual"`.
 */
export function residualMaps(p: { compare: boolean; fixedRange: boolean; blocks: readonly RowLabel[]; onPng: () => void }): TemplateResult {
  const labels = p.blocks.map((b) => b.long);
  const map = (run: string, caption: string) =>
    html`<figure><figcaption>${caption}</figcaption><gs-heatmap rows="residual" data-residual=${run} mode=${run === 'ratio' ? 'ratio' : 'value'} .labels=${labels} ?fixed-range=${p.fixedRange}></gs-heatmap></figure>`;
  return html`<div class="time-head">
      <h2>Residual split: <span class="symbol">${RESIDUAL_QUANTITY}</span></h2>
      <button data-export="residual-png" @click=${p.onPng} title="The residual-split heatmap${p.compare ? 's' : ''} at 2× with legend and settings">Split PNG</button>
      <span class="statistic-help">The gradient reaching a residual block's input is the sum of what its skip hands down (S, the
        gradient of the block's output passed straight through) and what its branch hands down (B, through the block's weights).
        Each row is a block, the first at the bottom: below 1 the skip carries most of the gradient, so even a block deep in the
        net gets the head's signal nearly unchanged; above 1 the branch dominates.</span>
    </div>
    <div class="maps time ${p.compare ? 'compare' : ''}">
      ${map('A', p.compare ? 'Run A' : 'Residual blocks × steps')}
      ${p.compare ? [map('B', 'Run B'), map('ratio', 'log₁₀ B / A')] : nothing}
    </div>`;
}

/** The newest step's ‖B‖/‖S‖ against the residual block. */
export function residualChartPanel(p: { compare: boolean; blocks: readonly RowLabel[] }): TemplateResult {
  return html`<div class="panel"><h2>Residual split across depth, newest step${p.compare ? ' (A solid, B dashed)' : ''}</h2>
    <gs-depth-chart axis="residual" .rows=${p.blocks}></gs-depth-chart></div>`;
}
