import { css } from 'lit';

export const controlsStyles = css`
  :host {
    display: block;
    font: 14px/1.4 system-ui, sans-serif;
    color: var(--gs-text, #e8eaed);
  }
  .run {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    margin-bottom: 0.75rem;
  }
  button {
    font: inherit;
    padding: 0.4rem 0.9rem;
    border-radius: 6px;
    border: 1px solid var(--gs-border, #3a4350);
    background: var(--gs-button-bg, #1b2129);
    color: inherit;
    cursor: pointer;
  }
  button.primary {
    background: var(--gs-accent, #2f6fdf);
    border-color: var(--gs-accent, #2f6fdf);
    color: var(--gs-on-accent, #e8eaed);
    font-weight: 600;
    min-width: 5.5rem;
  }
  button:disabled {
    opacity: 0.45;
    cursor: default;
  }
  .speed {
    display: flex;
    gap: 0.4rem;
    align-items: center;
    font-size: 13px;
    color: var(--gs-label, #aab3bf);
  }
  .stride {
    flex-basis: 100%;
    margin: 0;
    font-size: 12px;
    color: var(--gs-faint, #8a94a3);
  }
  fieldset {
    border: 1px solid var(--gs-border-muted, #2a313b);
    border-radius: 8px;
    margin: 0 0 0.75rem;
    padding: 0.5rem 0.75rem 0.75rem;
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 0.35rem 0.75rem;
    align-items: center;
  }
  legend {
    padding: 0 0.3rem;
    color: var(--gs-label, #aab3bf);
    font-size: 12px;
    text-transform: uppercase;
    letter-spacing: 0.06em;
  }
  label {
    color: var(--gs-text-2, #c7ced8);
  }
  select,
  input[type='number'] {
    font: inherit;
    background: var(--gs-input-bg, #0f1318);
    color: inherit;
    border: 1px solid var(--gs-border, #3a4350);
    border-radius: 5px;
    padding: 0.2rem 0.35rem;
    min-width: 0;
  }
  .pair {
    display: grid;
    grid-template-columns: 1fr 5.5rem;
    gap: 0.4rem;
    align-items: center;
  }
  input[type='range'] {
    width: 100%;
    accent-color: var(--gs-accent, #2f6fdf);
  }
  input[type='file'] {
    font-size: 12px;
    min-width: 0;
  }
  .hint {
    grid-column: 1 / -1;
    margin: 0;
    font-size: 12px;
    color: var(--gs-faint, #8a94a3);
    overflow-wrap: anywhere;
  }
`;
