import { css } from 'lit';

/** What only the depth chart needs on top of the shared chart frame. */
export const depthChartStyles = css`
  .head .key:first-child {
    font-weight: 600;
  }
`;
