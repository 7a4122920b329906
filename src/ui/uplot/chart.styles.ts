// Styles every chart shares: uPlot's own sheet (it builds its DOM inside our shadow roots) and the frame.
import { css, unsafeCSS } from 'lit';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';

/** uPlot's own stylesheet, adopted into each chart's shadow root (uPlot builds its DOM inside it). */
export const chartStyles = [
  unsafeCSS(uplotCss),
  css`
    :host {
      display: block;
      height: var(--gs-chart-height, 260px);
      min-width: 0;
      color: var(--gs-chart-text, #c9d1d9);
      font: 14px/1.35 system-ui, sans-serif;
    }
    /* The column lives inside, so a page that restyles the host's display keeps the layout. */
    .frame {
      display: flex;
      flex-direction: column;
      height: 100%;
      min-width: 0;
    }
    .head {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem 1rem;
      align-items: baseline;
      min-height: 1.35em;
    }
    .key {
      display: inline-flex;
      align-items: center;
      gap: 0.4rem;
      white-space: nowrap;
    }
    .swatch {
      display: inline-block;
      width: 1.4em;
      border-top: 3px solid currentColor;
    }
    .swatch.dashed {
      border-top-style: dashed;
    }
    .swatch.dotted {
      border-top-style: dotted;
    }
    .swatch.a {
      color: var(--gs-chart-a, #4fa3ff);
    }
    .swatch.b {
      color: var(--gs-chart-b, #ff9f43);
    }
    .swatch.acc {
      color: var(--gs-chart-acc, #6fd08c);
    }
    .swatch.ghost {
      opacity: 0.4;
    }
    .swatch.dot {
      width: 0.7em;
      height: 0.7em;
      border: none;
      border-radius: 50%;
      background: currentColor;
    }
    .swatch.ring {
      width: 0.7em;
      height: 0.7em;
      border: 2px solid currentColor;
      border-radius: 50%;
    }
    /* Over the plot's top-right corner, so hovering never reflows the chart. */
    .readout {
      position: absolute;
      top: 0;
      right: 0;
      max-width: 100%;
      padding: 0.1rem 0.5rem;
      border-radius: 4px;
      background: color-mix(in srgb, var(--gs-chart-bg, #101418) 85%, transparent);
      font-variant-numeric: tabular-nums;
      pointer-events: none;
    }
    .area {
      position: relative;
      flex: 1 1 auto;
      min-height: 80px;
    }
    /* Lit renders nothing inside .plot: it belongs to uPlot. */
    .plot {
      position: absolute;
      inset: 0;
      overflow: hidden;
    }
    .note {
      font-size: 13px;
      color: var(--gs-chart-warn, #ffb74d);
      margin: 0.15rem 0 0;
    }
    .empty {
      position: absolute;
      inset: 0;
      display: grid;
      place-items: center;
      opacity: 0.6;
      pointer-events: none;
    }
  `,
];
