import { css } from 'lit';

/** What only the loss chart needs on top of the shared chart frame. */
export const lossChartStyles = css`
  /* Test-loss markers are hollow: the swatch matches them. */
  .swatch.ring {
    background: var(--gs-chart-bg, #101418);
  }
`;
