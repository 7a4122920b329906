import { css } from 'lit';

export const appStyles = css`
  :host {
    display: block;
    min-height: 100vh;
    background: #101418;
    color: #e8eaed;
    font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.6rem 1rem;
    padding: 0.6rem 1rem;
    border-bottom: 1px solid #232a33;
  }
  h1 {
    font-size: 1.25rem;
    margin: 0;
    letter-spacing: 0.02em;
  }
  .status {
    padding: 0.1rem 0.6rem;
    border-radius: 999px;
    background: #232a33;
    font-size: 13px;
    font-weight: 600;
  }
  .status[data-status='running'] { background: #1f5f3a; }
  .status[data-status='done'] { background: #2f4f8f; }
  .status[data-status='diverged'], .status[data-status='error'] { background: #7a2430; }
  .step { font-variant-numeric: tabular-nums; color: #c7ced8; }
  /* The settings sit below the views on a phone; play and pause stay at the top. */
  .header-play {
    display: none;
    font: inherit;
    padding: 0.2rem 0.8rem;
    border-radius: 6px;
    border: 1px solid #2f6fdf;
    background: #2f6fdf;
    color: #fff;
    cursor: pointer;
  }
  .adapter { color: #8a94a3; font-size: 12px; }
  .spacer { flex: 1; }
  .bench-link { color: #8ab4ff; font-size: 13px; }
  .exports button, .toolbar button {
    font: inherit;
    font-size: 13px;
    padding: 0.25rem 0.6rem;
    border-radius: 6px;
    border: 1px solid #3a4350;
    background: #1b2129;
    color: inherit;
    cursor: pointer;
  }
  .banner {
    margin: 0.6rem 1rem 0;
    padding: 0.5rem 0.8rem;
    border-radius: 6px;
    background: #3b2a12;
    border: 1px solid #7a5a1f;
    display: flex;
    gap: 0.8rem;
    align-items: start;
  }
  .banner.error { background: #3a1a20; border-color: #7a2430; }
  .banner p { margin: 0; flex: 1; }
  .banner.more { background: transparent; }
  .layout {
    display: grid;
    grid-template-columns: minmax(260px, 320px) 1fr;
    gap: 1rem;
    padding: 1rem;
  }
  aside { min-width: 0; }
  main { min-width: 0; display: grid; gap: 1rem; align-content: start; }
  h2 {
    font-size: 13px;
    text-transform: uppercase;
    letter-spacing: 0.06em;
    color: #aab3bf;
    margin: 0.25rem 0 0.5rem;
  }
  .panel { background: #131920; border: 1px solid #232a33; border-radius: 10px; padding: 0.75rem; min-width: 0; }
  .toolbar { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin-bottom: 0.5rem; }
  .phases { font-size: 12px; color: #8a94a3; font-variant-numeric: tabular-nums; }
  .toolbar select { font: inherit; background: #0f1318; color: inherit; border: 1px solid #3a4350; border-radius: 5px; }
  .maps { display: grid; gap: 0.75rem; grid-template-columns: 1fr; }
  .maps.compare { grid-template-columns: repeat(3, minmax(0, 1fr)); }
  .maps figure { margin: 0; min-width: 0; }
  .maps figcaption { font-size: 13px; color: #aab3bf; margin-bottom: 0.25rem; }
  gs-heatmap { display: block; height: 340px; }
  .charts { display: grid; gap: 1rem; grid-template-columns: repeat(2, minmax(0, 1fr)); }
  gs-depth-chart, gs-loss-chart { display: block; height: 260px; }
  .fatal { max-width: 40rem; margin: 4rem auto; padding: 0 1rem; }
  .fatal h1 { font-size: 1.6rem; margin-bottom: 1rem; }
  @media (max-width: 900px) {
    .layout { grid-template-columns: 1fr; padding: 0.6rem; }
    /* On a phone the views come first; the settings follow. */
    main { order: 1; }
    aside { order: 2; }
    .header-play { display: inline-block; }
    .charts, .maps.compare { grid-template-columns: 1fr; }
    gs-heatmap { height: 260px; }
  }
`;
