import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { PRESETS } from '../../model/presets.ts';

/**
 * The presets as one-click lessons: title, explanation, and what to look for.
 *
 * @fires gs-lesson - the preset's name
 */
@customElement('gs-lessons')
export class GsLessons extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.45 system-ui, sans-serif; color: var(--gs-text, #e8eaed); }
    ol { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.4rem; }
    button {
      all: unset; box-sizing: border-box; width: 100%; cursor: pointer; padding: 0.45rem 0.6rem;
      border-radius: 6px; border: 1px solid var(--gs-border-muted, #2a313b); background: var(--gs-card, #151a20);
    }
    button:hover, button:focus-visible { border-color: var(--gs-accent, #2f6fdf); }
    button[aria-current='true'] { border-color: var(--gs-accent, #2f6fdf); background: var(--gs-accent-bg, #16223a); }
    .title { font-weight: 600; }
    .detail { color: var(--gs-text-2, #c7ced8); margin-top: 0.3rem; }
    .look { color: var(--gs-look, #f5c451); margin-top: 0.3rem; }
  `;

  /** The preset in use, shown expanded. */
  @property() active: string | null = null;

  override render() {
    return html`<ol>
      ${PRESETS.map(
        (p) => html`<li>
          <button aria-current=${String(p.name === this.active)} data-lesson=${p.name}
            @click=${() => this.dispatchEvent(new CustomEvent('gs-lesson', { detail: p.name, bubbles: true, composed: true }))}>
            <div class="title">${p.title}</div>
            ${p.name === this.active
              ? html`<div class="detail">${p.explanation}</div><div class="look">Look for: ${p.lookFor}</div>`
              : null}
          </button>
        </li>`,
      )}
    </ol>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gs-lessons': GsLessons;
  }
}
