/**
 * A recurrent net's ‖∂L/∂h_t‖ (StepRecord.timeDeltaNorm) as heatmap rows: the rows are time steps instead of
 * layers, recurrent layer 0 first and, within a layer, t = 0 (the first input) first, so time 0 sits at the
 * bottom as the input side does in the depth view. Pure.
 */
import type { StepRecord } from '../../stats/record.ts';
import type { Statistic } from './color-scale.ts';

/**
 * The column the time view keeps its values in. ‖∂L/∂h_t‖ is the backward signal at one time step, as
 * deltaNorm is at one layer, so it shares that statistic's log scale and colour rules.
 */
export const TIME_STAT: Statistic = 'deltaNorm';

/** What the time view's legend, axis and read-out call its values. */
export const TIME_QUANTITY = 'backward signal ‖∂L/∂h_t‖';

/** One heatmap column of the time view: `layers` × `steps` rows, layer by layer, t = 0 first. */
export interface TimeColumn {
  rows: Float32Array;
  layers: number;
  steps: number;
}

/** Recurrent layers × time steps of a record, or null when it has no values through time (not a recurrent net). */
export function timeShape(r: Pick<StepRecord, 'timeDeltaNorm'>): { layers: number; steps: number } | null {
  const t = r.timeDeltaNorm;
  const steps = t?.[0]?.length ?? 0;
  return t && steps > 0 ? { layers: t.length, steps } : null;
}

/**
 * The record's ‖∂L/∂h_t‖ as one heatmap column, layer by layer, t = 0 first. A 0 stays 0: it is a step that
 * truncated BPTT does not reach, which the painter draws as "no gradient" rather than as log 0.
 */
export function timeColumn(r: Pick<StepRecord, 'timeDeltaNorm'>): TimeColumn | null {
  const shape = timeShape(r);
  if (!shape) return null;
  const rows = new Float32Array(shape.layers * shape.steps).fill(NaN);
  r.timeDeltaNorm!.forEach((series, k) => {
    for (let t = 0; t < shape.steps; t++) rows[k * shape.steps + t] = series[t] ?? NaN;
  });
  return { rows, ...shape };
}

/**
 * Run B against run A through time: B/A where both have a gradient, 0 ("no gradient") where either has none (a
 * truncated step has nothing to compare). Runs of different shapes compare over the layers and time steps they
 * share, counted from the input side and from the last step (where the loss enters).
 */
export function timeRatioColumn(a: Pick<StepRecord, 'timeDeltaNorm'>, b: Pick<StepRecord, 'timeDeltaNorm'>): TimeColumn | null {
  const [sa, sb] = [timeShape(a), timeShape(b)];
  if (!sa || !sb) return null;
  const layers = Math.min(sa.layers, sb.layers);
  const steps = Math.min(sa.steps, sb.steps);
  const rows = new Float32Array(layers * steps);
  for (let k = 0; k < layers; k++) {
    for (let t = 0; t < steps; t++) {
      const x = a.timeDeltaNorm![k]![sa.steps - steps + t]!;
      const y = b.timeDeltaNorm![k]![sb.steps - steps + t]!;
      rows[k * steps + t] = x === 0 || y === 0 ? 0 : y / x;
    }
  }
  return { rows, layers, steps };
}

/** The time view's row names and y-axis ends, following the shape of the newest column. */
export class TimeRowNames {
  private shape = '';
  labels: readonly string[] = [];
  ends: readonly [string, string] = ['last', 't = 0'];

  /** Takes the column's shape; true when it changed (the axis must be drawn again). */
  follow(c: Pick<TimeColumn, 'layers' | 'steps'>): boolean {
    const shape = `${c.layers}×${c.steps}`;
    if (shape === this.shape) return false;
    this.shape = shape;
    this.labels = timeRowLabels(c.layers, c.steps);
    this.ends = [`t = ${c.steps - 1}`, 't = 0'];
    return true;
  }
}

/** Read-out names of the rows: `t = 5`, or with stacked layers `layer 1 · t = 5` (which bands the plot by layer). */
export function timeRowLabels(layers: number, steps: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < layers; k++) for (let t = 0; t < steps; t++) out.push(layers > 1 ? `layer ${k} · t = ${t}` : `t = ${t}`);
  return out;
}
