// The "residual split across depth" chart's axis: ‖B‖/‖S‖ of every residual block (StepRecord.residualSkipNorm,
// residualBranchNorm) against the block, first block at the left. Pure.
import type { RowLabel } from '../../model/graph/row-names.ts';
import type { StepRecord } from '../../stats/record.ts';
import { RESIDUAL_QUANTITY, residualRatios } from '../gs-heatmap/residual-rows.ts';
import { formatValue, type Hidden } from '../uplot/columns.ts';
import type { DepthSeries, ProfileAxis } from './depth-data.ts';
import { timeSplits } from './time-data.ts';

/** The note under the chart about blocks not drawn. */
export function residualNote(hidden: Hidden): string | null {
  const blocks = (k: number) => `${k} block${k === 1 ? '' : 's'}`;
  const parts: string[] = [];
  if (hidden.nonFinite) parts.push(`${blocks(hidden.nonFinite)} non-finite (NaN/Inf, or no gradient through the skip): shown as gaps`);
  if (hidden.nonPositive) parts.push(`${blocks(hidden.nonPositive)} with no gradient through the branch: below the log scale`);
  return parts.length ? parts.join('; ') : null;
}

/**
 * ‖B‖/‖S‖ by residual block on a log axis: above 1 the branch hands the block's input more gradient than the skip,
 * below 1 the skip carries most of it. `blocks` names the blocks (residualLabels) when there are as many.
 */
export function residualAxis(blocks: readonly RowLabel[] | null): ProfileAxis {
  const label = (i: number, last: number) => (blocks?.length === last + 1 ? blocks[i] : undefined);
  return {
    values: (r: StepRecord) => {
      const v = residualRatios(r);
      return v ? Array.from(v) : undefined;
    },
    log: true,
    quantity: RESIDUAL_QUANTITY,
    xLabel: 'residual block (input → head)',
    splits: (last, incr) => timeSplits(Math.round(last), incr),
    tick: (i, last) => label(i, last)?.short ?? String(i),
    name: (i, last) => label(i, last)?.long ?? `residual block ${i}`,
    note: residualNote,
    describe: (s) => describeResidual(s),
  };
}

function describeResidual(s: DepthSeries): string {
  const name = `${RESIDUAL_QUANTITY} by residual block`;
  if (s.latestStep === null) return `${name}: no steps yet`;
  const ends = (v: readonly number[]) => `first block ${formatValue(v[0])}, last block ${formatValue(v[s.depth])}`;
  let text = `${name} at step ${s.latestStep}: ${ends(s.raw.latest)}`;
  if (s.bStep !== null) text += `; run B at step ${s.bStep}: ${ends(s.raw.b)}`;
  const note = residualNote(s.hidden);
  return note ? `${text}. ${note}.` : `${text}.`;
}
