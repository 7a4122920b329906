/**
 * The residual split (StepRecord.residualSkipNorm, residualBranchNorm) as heatmap rows: one row per residual block,
 * the first block at the bottom, coloured by ‖B‖/‖S‖, how much of the gradient reaching the block's input came
 * through its branch for each unit through its skip. Pure.
 */
import type { StepRecord } from '../../stats/record.ts';
import type { Statistic } from './color-scale.ts';

/** The column the residual view keeps its values in: a ratio of gradient norms, on deltaNorm's log scale. */
export const RESIDUAL_STAT: Statistic = 'deltaNorm';

/** What the residual view's legend, axis and read-out call its values. */
export const RESIDUAL_QUANTITY = 'branch ÷ skip ‖B‖/‖S‖';

type Split = Pick<StepRecord, 'residualSkipNorm' | 'residualBranchNorm'>;

/** ‖B‖/‖S‖ per block, first block first; null without residual blocks. NaN where the skip carries nothing. */
export function residualRatios(r: Split): Float32Array | null {
  const [s, b] = [r.residualSkipNorm, r.residualBranchNorm];
  if (!s?.length || !b) return null;
  return Float32Array.from(s, (skip, k) => (skip > 0 ? b[k]! / skip : NaN));
}

/** Run B against run A: (‖B‖/‖S‖ of B) / (of A), over the blocks both have, from the first. */
export function residualRatioColumn(a: Split, b: Split): Float32Array | null {
  const [x, y] = [residualRatios(a), residualRatios(b)];
  if (!x || !y) return null;
  const n = Math.min(x.length, y.length);
  return Float32Array.from({ length: n }, (_, k) => y[k]! / x[k]!);
}

/** Per block, the two norms and their ratio, as the read-out and the chart's words say them. */
export function splitWords(skip: number, branch: number): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toPrecision(3) : String(v));
  return `skip ${f(skip)} · branch ${f(branch)}`;
}
