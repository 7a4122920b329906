import { css } from 'lit';

export const heatmapStyles = css`
  :host {
    display: block;
    height: var(--gs-heatmap-height, 260px);
    font: var(--gs-heatmap-font-size, 12px)/1.3 system-ui, sans-serif;
    color: var(--gs-text, #e8eaed);
    contain: content;
  }
  .wrap {
    display: grid;
    grid-template-columns: auto minmax(0, 1fr) auto;
    grid-template-rows: minmax(0, 1fr) auto;
    gap: 4px 6px;
    height: 100%;
  }
  .axis-y {
    display: flex;
    flex-direction: column;
    justify-content: space-between;
    align-items: flex-end;
    color: var(--gs-muted, #9aa4b1);
  }
  .axis-y .mid {
    writing-mode: vertical-rl;
    transform: rotate(180deg);
  }
  .plot {
    position: relative;
    min-height: 0;
    background: var(--gs-heatmap-background, #0b0e11);
    border: 1px solid var(--gs-border, #3a4350);
  }
  canvas {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    image-rendering: pixelated;
    cursor: crosshair;
  }
  .band {
    position: absolute;
    left: 0;
    right: 0;
    pointer-events: none;
    border-top: 1px dashed var(--gs-heatmap-band, rgb(255 255 255 / 0.55));
  }
  .band span {
    position: absolute;
    top: 1px;
    left: 3px;
    padding: 0 3px;
    border-radius: 3px;
    font-size: 0.85em;
    background: var(--gs-tip-bg, rgb(16 20 24 / 0.7));
    color: var(--gs-muted, #9aa4b1);
  }
  .tip {
    position: absolute;
    pointer-events: none;
    white-space: nowrap;
    padding: 3px 6px;
    border-radius: 4px;
    background: var(--gs-tip-bg, rgb(16 20 24 / 0.92));
    border: 1px solid var(--gs-border, #3a4350);
    font-variant-numeric: tabular-nums;
    z-index: 1;
  }
  .axis-x {
    grid-column: 2;
    display: flex;
    justify-content: space-between;
    color: var(--gs-muted, #9aa4b1);
  }
  .legend {
    grid-row: 1 / span 2;
    grid-column: 3;
    display: flex;
    flex-direction: column;
    gap: 4px;
    width: 8.5rem;
    overflow-wrap: anywhere;
  }
  .bar-wrap {
    position: relative;
    flex: 1;
    min-height: 60px;
    display: flex;
    gap: 4px;
  }
  .bar {
    width: 12px;
    border: 1px solid var(--gs-border, #3a4350);
  }
  .ticks {
    position: relative;
    flex: 1;
  }
  .ticks span {
    position: absolute;
    left: 0;
    transform: translateY(50%);
    white-space: nowrap;
  }
  .swatch::before {
    content: '';
    display: inline-block;
    width: 10px;
    height: 10px;
    margin-right: 4px;
    vertical-align: -1px;
    background: var(--swatch);
  }
  .muted {
    color: var(--gs-muted, #9aa4b1);
  }
`;
