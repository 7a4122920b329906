import { css } from 'lit';

export const imagesStyles = css`
  :host { display: block; font: 13px/1.35 system-ui, sans-serif; color: var(--gs-text, #e8eaed); }
  .empty { color: var(--gs-faint, #8a94a3); margin: 0; }
  .grid {
    list-style: none;
    margin: 0 0 0.75rem;
    padding: 0;
    display: grid;
    gap: 6px;
    grid-template-columns: repeat(auto-fill, minmax(68px, 1fr));
  }
  .grid li { min-width: 0; display: grid; gap: 1px; font-size: 11px; }
  .grid canvas {
    width: 100%;
    aspect-ratio: 1;
    image-rendering: pixelated;
    border-radius: 4px;
    border: 2px solid var(--gs-border, #3a4350);
    box-sizing: border-box;
  }
  .grid .right canvas { border-color: var(--gs-ok, #5bd17f); }
  .grid .wrong canvas { border-color: var(--gs-danger, #ef5b5b); border-style: dashed; }
  .grid span { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .grid .true { color: var(--gs-text-2, #c7ced8); }
  .grid .right .predicted { color: var(--gs-ok, #5bd17f); }
  .grid .wrong .predicted { color: var(--gs-danger, #ef5b5b); font-weight: 600; }
  .confusion { border-collapse: collapse; font-size: 11px; }
  .confusion caption { caption-side: bottom; text-align: left; padding-top: 0.4rem; color: var(--gs-label, #aab3bf); font-size: 12px; }
  .confusion th { font-weight: normal; color: var(--gs-muted, #9aa4b1); padding: 1px 4px; }
  .confusion tbody th { text-align: right; white-space: nowrap; }
  .confusion thead th { vertical-align: bottom; }
  .confusion .predicted-class span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
  .confusion .corner { text-align: right; color: var(--gs-faint, #8a94a3); white-space: nowrap; }
  .confusion td {
    width: 1.6em;
    height: 1.6em;
    padding: 0;
    border: 1px solid var(--gs-panel, #131920);
    background: color-mix(in srgb, var(--gs-chart-a, #4fa3ff) calc(var(--share, 0) * 100%), var(--gs-card, #151a20));
  }
  .confusion td.diagonal { outline: 1px solid var(--gs-border, #3a4350); outline-offset: -2px; }
`;
