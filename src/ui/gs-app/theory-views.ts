import { html, type TemplateResult } from 'lit';
import type { RunConfig } from '../../model/config.ts';
import { predictedDeltaNorm, runTheory, theoryCurves, theoryWords, inputMeanSquare, type RunTheory, type TheoryCurves } from '../../stats/theory.ts';
import type { Dataset } from '../../train/data/types.ts';
import type { ProfileOverlay } from '../gs-depth-chart/depth-data.ts';

/**
 * Mean-field theory beside run A (src/stats/theory.ts), worked out once per network and data set: the numbers shown
 * with the run, and the depth chart's dotted prediction for ‖∂L/∂z‖ (scaled to the newest record's last block) and
 * for the activations' spread.
 */
export class TheoryView {
  private key = '';
  private data: Dataset | null = null;
  theory: RunTheory | null = null;
  private curves: TheoryCurves | null = null;
  private readonly delta: ProfileOverlay = { label: 'mean-field theory', values: (r) => (this.curves ? predictedDeltaNorm(this.curves, r) : undefined) };
  private readonly spread: ProfileOverlay = { label: 'mean-field theory', values: () => this.curves?.actStd };

  /** Follows run A's config and data; cheap when neither changed. */
  update(config: RunConfig | undefined, data: Dataset | null | undefined): void {
    const m = config?.model;
    const key = m ? `${m.arch}|${m.depth}|${m.width}|${m.activation}|${m.norm}|${m.residual}|${JSON.stringify(m.init)}` : '';
    if (key === this.key && data === this.data) return;
    [this.key, this.data] = [key, data ?? null];
    const x = data && 'x' in data.train ? data.train.x : null;
    this.theory = m && x ? runTheory(m, inputMeanSquare(x, data!.inputDim)) : null;
    this.curves = this.theory && m ? theoryCurves(this.theory, m.depth) : null;
  }

  /** The dotted line for a statistic the theory predicts, or null. */
  overlay(statistic: string): ProfileOverlay | null {
    if (!this.curves) return null;
    return statistic === 'deltaNorm' ? this.delta : statistic === 'actStd' ? this.spread : null;
  }

  /** One line under the depth chart: the theory's numbers for this net. */
  line(depth: number): TemplateResult | string {
    const t = this.theory;
    if (!t) return '';
    return html`<p class="theory" data-theory data-chi1=${t.chi1} title="Mean-field theory (Poole et al. 2016, Schoenholz et al. 2017) for a plain net with σ_w² = ${t.sigmaW2}, σ_b² = ${t.sigmaB2} and ${t.activation}; the depth chart draws its prediction dotted for the backward signal and the activations' spread">
      Mean-field theory, ${theoryWords(t, depth)}.</p>`;
  }
}
