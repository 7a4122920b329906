import { css } from 'lit';

export const benchStyles = css`
  :host { display: block; height: auto; font: 15px/1.45 system-ui, sans-serif; color: var(--gs-text, #e8eaed); }
  .bar { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: center; margin-bottom: 0.8rem; }
  input { font: inherit; background: var(--gs-input-bg, #0f1318); color: inherit; border: 1px solid var(--gs-border, #3a4350); border-radius: 5px; padding: 0.25rem 0.4rem; min-width: 18rem; }
  button { font: inherit; padding: 0.35rem 0.8rem; border-radius: 6px; border: 1px solid var(--gs-accent, #2f6fdf); background: var(--gs-accent, #2f6fdf); color: var(--gs-on-accent, #fff); cursor: pointer; }
  button.secondary { background: var(--gs-button-bg, #1b2129); border-color: var(--gs-border, #3a4350); color: var(--gs-text, #fff); }
  .progress { display: flex; gap: 0.6rem; align-items: center; margin: 0.2rem 0 0.8rem; font-variant-numeric: tabular-nums; color: var(--gs-text-2, #c7ced8); }
  .progress progress { flex: 0 0 16rem; height: 0.7rem; accent-color: var(--gs-chart-a, #4fa3ff); }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(28rem, 1fr)); gap: 0.8rem 1.5rem; margin: 0.5rem 0 1rem; }
  .chart h3 { font-size: 0.95rem; font-weight: 600; margin: 0 0 0.2rem; }
  .chart .area { position: relative; min-height: 80px; }
  .keys { display: flex; gap: 1rem; font-size: 13px; color: var(--gs-label, #aab3bf); margin-bottom: 0.2rem; }
  .swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px; margin-right: 0.3em; vertical-align: -0.05em; }
  .swatch.peak { background: var(--gs-chart-acc, #6fd08c); }
  .swatch.plain { background: var(--gs-chart-a, #4fa3ff); }
  .swatch.noisy { background: var(--gs-chart-b, #ff9f43); }
  .empty-state { border: 1px dashed var(--gs-border, #3a4350); border-radius: 8px; padding: 1.4rem; text-align: center; color: var(--gs-label, #aab3bf); margin: 0.5rem 0 1rem; }
  details { margin-bottom: 0.6rem; }
  summary { cursor: pointer; color: var(--gs-text-2, #c7ced8); }
  textarea { width: 100%; box-sizing: border-box; font: 13px/1.4 ui-monospace, monospace; background: var(--gs-input-bg, #0f1318); color: inherit; border: 1px solid var(--gs-border, #3a4350); border-radius: 6px; padding: 0.5rem; }
  .table-wrap { overflow-x: auto; }
  th, td:first-child, td.check, td.case, td.spread { white-space: nowrap; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 14px; }
  th, td { text-align: right; padding: 0.2rem 0.6rem; border-bottom: 1px solid var(--gs-border-soft, #232a33); }
  th:first-child, td:first-child, th:nth-child(2), td:nth-child(2), td.note, th.note { text-align: left; }
  td.spread { color: var(--gs-label, #aab3bf); white-space: nowrap; }
  td.wrong { color: var(--gs-error-text, #ff8a80); font-weight: 600; }
  tr.noisy td { color: var(--gs-chart-b, #ff9f43); }
  td.note { font-size: 13px; min-width: 16rem; }
  .advice { color: var(--gs-chart-b, #ff9f43); margin: 0.6rem 0; }
  .adapter { color: var(--gs-faint, #8a94a3); }
`;
