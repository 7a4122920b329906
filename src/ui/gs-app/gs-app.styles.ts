import { css } from 'lit';

export const appStyles = css`
  :host {
    display: block;
    min-height: 100vh;
    background: var(--gs-bg, #101418);
    color: var(--gs-text, #e8eaed);
    font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.6rem 1rem;
    padding: 0.6rem 1rem;
    border-bottom: 1px solid var(--gs-border-soft, #232a33);
  }
  h1 {
    font-size: 1.25rem;
    margin: 0;
    letter-spacing: 0.02em;
  }
  .status {
    padding: 0.1rem 0.6rem;
    border-radius: 999px;
    background: var(--gs-chip, #232a33);
    font-size: 13px;
    font-weight: 600;
  }
  .status[data-status='running'] { background: var(--gs-status-running, #1f5f3a); }
  .status[data-status='done'] { background: var(--gs-status-done, #2f4f8f); }
  .status[data-status='diverged'], .status[data-status='error'] { background: var(--gs-status-error, #7a2430); }
  .step { font-variant-numeric: tabular-nums; color: var(--gs-text-2, #c7ced8); }
  /* The settings sit below the views on a phone; play and pause stay at the top. */
  .header-play {
    display: none;
    font: inherit;
    padding: 0.2rem 0.8rem;
    border-radius: 6px;
    border: 1px solid var(--gs-accent, #2f6fdf);
    background: var(--gs-accent, #2f6fdf);
    color: var(--gs-on-accent, #fff);
    cursor: pointer;
  }
  .adapter { color: var(--gs-faint, #8a94a3); font-size: 12px; }
  .spacer { flex: 1; }
  .bench-link { color: var(--gs-link, #8ab4ff); font-size: 13px; }
  .exports button, .toolbar button, .present-toggle {
    font: inherit;
    font-size: 13px;
    padding: 0.25rem 0.6rem;
    border-radius: 6px;
    border: 1px solid var(--gs-border, #3a4350);
    background: var(--gs-button-bg, #1b2129);
    color: inherit;
    cursor: pointer;
  }
  .banner {
    margin: 0.6rem 1rem 0;
    padding: 0.5rem 0.8rem;
    border-radius: 6px;
    background: var(--gs-banner-bg, #3b2a12);
    border: 1px solid var(--gs-banner-border, #7a5a1f);
    display: flex;
    gap: 0.8rem;
    align-items: start;
  }
  .banner.error { background: var(--gs-banner-error-bg, #3a1a20); border-color: var(--gs-banner-error-border, #7a2430); }
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
    color: var(--gs-label, #aab3bf);
    margin: 0.25rem 0 0.5rem;
  }
  .panel { background: var(--gs-panel, #131920); border: 1px solid var(--gs-border-soft, #232a33); border-radius: 10px; padding: 0.75rem; min-width: 0; }
  .toolbar { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin-bottom: 0.5rem; }
  .statistic-help { flex-basis: 100%; font-size: 13px; color: var(--gs-label, #aab3bf); }
  .clip { margin: 0.4rem 0 0; font-size: 13px; color: var(--gs-label, #aab3bf); font-variant-numeric: tabular-nums; }
  .clip strong { color: var(--gs-highlight, #e8c07a); font-weight: 600; }
  gs-clip-chart { display: block; height: 220px; }
  .heat-note { margin: 0.2rem 0 0.5rem; padding: 0.4rem 0.6rem; border-left: 3px solid var(--gs-highlight, #e8c07a); background: color-mix(in srgb, var(--gs-highlight, #e8c07a) 10%, transparent); font-size: 14px; }
  .theory { margin: 0.4rem 0 0; font-size: 13px; color: var(--gs-label, #aab3bf); }
  .clip-tau { margin-left: 0.5rem; text-transform: none; letter-spacing: 0; font-weight: 400; }
  .clip-tau input { width: 6em; font: inherit; background: var(--gs-input-bg, #0f1318); color: inherit; border: 1px solid var(--gs-border, #3a4350); border-radius: 5px; }
  .phases { font-size: 12px; color: var(--gs-faint, #8a94a3); font-variant-numeric: tabular-nums; }
  .toolbar select { font: inherit; background: var(--gs-input-bg, #0f1318); color: inherit; border: 1px solid var(--gs-border, #3a4350); border-radius: 5px; }
  .maps { display: grid; gap: 0.75rem; grid-template-columns: 1fr; }
  /* Runs A and B side by side at a readable width; their ratio below, across both. */
  .maps.compare { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .maps.compare figure:nth-child(3) { grid-column: 1 / -1; }
  .maps.compare gs-heatmap { height: 280px; }
  .compare-what { margin: 0 0 0.5rem; color: var(--gs-highlight, #e8c07a); }
  .export-pair { display: inline-flex; gap: 0.25rem; align-items: center; font-size: 13px; color: var(--gs-text-2, #c7ced8); margin-left: 0.25rem; }
  .lesson-bar { background: var(--gs-panel, #131920); border: 1px solid var(--gs-accent-border, #2f3f5a); border-radius: 10px; padding: 0.6rem 0.9rem; }
  .lesson-bar .lesson-title { text-transform: none; letter-spacing: 0; font-size: 1.1rem; color: var(--gs-text, #e8eaed); margin: 0 0 0.25rem; }
  .look-for { margin: 0; color: var(--gs-look, #f5c451); }
  .present-toggle { border-color: var(--gs-accent, #2f6fdf); background: var(--gs-accent-bg, #16223a); }
  /*
   * Presenter view: for the back of a room at 1920×1080. The settings and the lessons list step aside;
   * the lesson and what to look for sit on top, the heatmap and the depth chart side by side below,
   * all in large type (body 20 px, axis labels 16 px).
   */
  :host([present]) { font-size: 20px; }
  :host([present]) aside { display: none; }
  :host([present]) .layout { grid-template-columns: 1fr; padding: 0.75rem 1.25rem; }
  :host([present]) main { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 0.9rem; }
  :host([present]) .lesson-bar, :host([present]) .findings { grid-column: 1 / -1; }
  :host([present]) .lesson-title { font-size: 30px; }
  :host([present]) .look-for { font-size: 22px; }
  :host([present]) h2 { font-size: 16px; }
  :host([present]) .depth-loss { grid-template-columns: 1fr; align-content: start; }
  :host([present]) gs-heatmap { height: 58vh; --gs-heatmap-font-size: 16px; }
  :host([present]) .maps.compare gs-heatmap { height: 27vh; }
  :host([present]) gs-depth-chart { height: 34vh; }
  :host([present]) gs-loss-chart { height: 22vh; }
  :host([present]) gs-depth-chart, :host([present]) gs-loss-chart { --gs-chart-font-size: 16px; }
  :host([present]) gs-diagnosis { font-size: 20px; }
  :host([present]) .toolbar, :host([present]) .statistic-help, :host([present]) .clip, :host([present]) .compare-what, :host([present]) .maps figcaption { font-size: 20px; }
  :host([present]) .phases, :host([present]) .adapter { display: none; }
  /* A recurrent net's views through time (a residual net's split) share the screen with its layers: both heatmaps and all three charts fit. */
  :host([present]) .maps-panel.row-views gs-heatmap { height: 27vh; }
  :host([present]) .maps-panel.row-views .maps.compare gs-heatmap { height: 13vh; }
  :host([present]) .time-head .statistic-help { display: none; }
  :host([present]) .depth-loss.row-views gs-depth-chart { height: 24vh; }
  :host([present]) .depth-loss.row-views gs-loss-chart { height: 18vh; }
  .maps figure { margin: 0; min-width: 0; }
  .maps figcaption { font-size: 13px; color: var(--gs-label, #aab3bf); margin-bottom: 0.25rem; }
  gs-heatmap { display: block; height: 340px; }
  /* Each layer's GPU time beside the heatmap, on the same rows. */
  .heat-with-time { display: grid; grid-template-columns: minmax(0, 1fr) 7.5rem; gap: 0.5rem; }
  gs-layer-time { height: 340px; }
  :host([present]) gs-layer-time { height: 58vh; --gs-heatmap-font-size: 16px; }
  :host([present]) .maps-panel.row-views gs-layer-time { height: 27vh; }
  /* The views through time (recurrent nets): under the layer maps, a little lower. */
  .time-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.25rem 1rem; margin: 1rem 0 0.5rem; }
  .time-head h2 { margin: 0; }
  /* Upper case would turn ∂h_t into ∂H_T. */
  .time-head .symbol { text-transform: none; }
  .time-head button { font: inherit; font-size: 13px; padding: 0.2rem 0.6rem; border-radius: 6px; border: 1px solid var(--gs-border, #3a4350); background: var(--gs-button-bg, #1b2129); color: inherit; cursor: pointer; }
  .maps.time gs-heatmap { height: 280px; }
  .time-layer { margin-left: 0.5rem; text-transform: none; letter-spacing: 0; font-weight: 400; }
  .time-layer select { font: inherit; background: var(--gs-input-bg, #0f1318); color: inherit; border: 1px solid var(--gs-border, #3a4350); border-radius: 5px; }
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
    .charts, .maps.compare, :host([present]) main { grid-template-columns: 1fr; }
    gs-heatmap { height: 260px; }
  }
`;
