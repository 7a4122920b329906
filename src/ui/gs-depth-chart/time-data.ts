// The "gradient across time" chart's axis: a recurrent layer's ‖∂L/∂h_t‖ against t (StepRecord.timeDeltaNorm). Pure.
import type { StepRecord } from '../../stats/record.ts';
import { TIME_QUANTITY } from '../gs-heatmap/time-rows.ts';
import { formatValue, type Hidden } from '../uplot/columns.ts';
import type { DepthSeries, ProfileAxis } from './depth-data.ts';

/** Recurrent layer `layer`'s values (the top one when the record has fewer layers), t = 0 first. */
export function timeValues(r: Pick<StepRecord, 'timeDeltaNorm'>, layer: number): readonly number[] | undefined {
  const t = r.timeDeltaNorm;
  return t?.length ? t[Math.max(0, Math.min(layer, t.length - 1))] : undefined;
}

/** Ticks at whole multiples of the increment from t = 0. */
export function timeSplits(last: number, incr: number): number[] {
  const step = Math.max(1, Math.round(incr));
  const out: number[] = [];
  for (let t = 0; t <= last; t += step) out.push(t);
  return out;
}

/**
 * The note under the chart: steps with no gradient are not a failure but truncated BPTT (or an exactly zero
 * gradient), so they are named apart from non-finite ones.
 */
export function timeNote(hidden: Hidden): string | null {
  const steps = (k: number) => `${k} time step${k === 1 ? '' : 's'}`;
  const parts: string[] = [];
  if (hidden.nonFinite) parts.push(`${steps(hidden.nonFinite)} non-finite (NaN/Inf): shown as gaps`);
  if (hidden.nonPositive) parts.push(`${steps(hidden.nonPositive)} with no gradient (past train.bptt): not drawn`);
  return parts.length ? parts.join('; ') : null;
}

/** The aria-label: the first and last time step of the newest record, and of the ghost and run B. */
export function describeTime(s: DepthSeries, layer: number | null): string {
  const name = `${TIME_QUANTITY}${layer === null ? '' : ` of layer ${layer}`} by time step`;
  if (s.latestStep === null) return `${name}: no steps yet`;
  const ends = (v: readonly number[]) => `t = 0 ${formatValue(v[0])}, t = ${s.depth} ${formatValue(v[s.depth])}`;
  let text = `${name} at step ${s.latestStep}: ${ends(s.raw.latest)}`;
  if (s.ghostStep !== null && s.ghostStep !== s.latestStep) text += `; at step ${s.ghostStep}: ${ends(s.raw.ghost)}`;
  if (s.bStep !== null) text += `; run B at step ${s.bStep}: ${ends(s.raw.b)}`;
  const note = timeNote(s.hidden);
  return note ? `${text}. ${note}.` : `${text}.`;
}

/**
 * ‖∂L/∂h_t‖ of recurrent layer `layer` against t (t = 0, the first input, at the left), on a log axis. `layers`
 * (the net's stacked layers) only changes the words: a single layer is not named.
 */
export function timeAxis(layer: number, layers = 1): ProfileAxis {
  const named = layers > 1 ? layer : null;
  return {
    values: (r) => timeValues(r, layer),
    log: true,
    quantity: TIME_QUANTITY,
    xLabel: 'time step t (first input → last)',
    splits: (last, incr) => timeSplits(Math.round(last), incr),
    tick: (i) => String(i),
    name: (i) => (named === null ? `t = ${i}` : `layer ${named} · t = ${i}`),
    note: timeNote,
    describe: (s) => describeTime(s, named),
  };
}
