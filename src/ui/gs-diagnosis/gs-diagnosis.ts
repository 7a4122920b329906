import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Diagnosis } from '../../stats/record.ts';

/**
 * The diagnosis in plain words, each with its fix; the button runs the fix as run B beside the current run.
 *
 * @fires gs-apply-fix - the Diagnosis whose patch to apply as run B
 */
@customElement('gs-diagnosis')
export class GsDiagnosis extends LitElement {
  static override styles = css`
    :host { display: block; font: 15px/1.45 system-ui, sans-serif; color: var(--gs-text, #e8eaed); }
    .item { padding: 0.5rem 0.7rem; border-left: 4px solid var(--gs-border, #3a4350); background: var(--gs-card, #151a20); border-radius: 4px; margin-bottom: 0.5rem; }
    .item[data-kind='vanishing'], .item[data-kind='saturation'], .item[data-kind='dead-units'] { border-color: var(--gs-info, #5b8def); }
    .item[data-kind='exploding'] { border-color: var(--gs-danger, #ef5b5b); }
    .item[data-kind='stalled'] { border-color: var(--gs-look, #f5c451); }
    .item[data-kind='healthy'] { border-color: var(--gs-ok, #5bd17f); }
    .kind { font-weight: 700; text-transform: capitalize; }
    .fix { color: var(--gs-text-2, #c7ced8); margin-top: 0.25rem; }
    button { font: inherit; margin-top: 0.4rem; padding: 0.3rem 0.7rem; border-radius: 6px; border: 1px solid var(--gs-accent, #2f6fdf); background: var(--gs-accent-bg, #16223a); color: inherit; cursor: pointer; }
    .empty { color: var(--gs-faint, #8a94a3); }
  `;

  @property({ attribute: false }) items: Diagnosis[] = [];
  /** Whether each fix gets a button to run it as run B (off for run B's own diagnosis). */
  @property({ type: Boolean }) fixable = true;

  override render() {
    if (!this.items.length) return html`<p class="empty">Train a few steps to see what the gradients say.</p>`;
    return this.items.map(
      (d) => html`<div class="item" data-kind=${d.kind}>
        <div><span class="kind">${d.kind.replace('-', ' ')}.</span> ${d.finding}</div>
        ${d.kind === 'healthy' ? nothing : html`<div class="fix">Try: ${d.fix}</div>`}
        ${this.fixable && Object.keys(d.patch).length
          ? html`<button @click=${() => this.dispatchEvent(new CustomEvent('gs-apply-fix', { detail: d, bubbles: true, composed: true }))}>
              Compare with the fix</button>`
          : nothing}
      </div>`,
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gs-diagnosis': GsDiagnosis;
  }
}
