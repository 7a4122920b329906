import type { Divergence, StepRecord } from './record.ts';

/** The per-layer statistics that can carry a NaN or an infinity, in the order they are named. */
const WATCHED = ['gradNorm', 'deltaNorm', 'weightNorm', 'actMean', 'actStd'] as const;

/** "block 12", or "the head" for the last entry of the per-layer arrays. */
export function layerName(layer: number, layers: number): string {
  return layer === layers - 1 ? 'the head' : `block ${layer}`;
}

/**
 * Where a record first shows a NaN or an infinity: the first layer from the input side with a
 * non-finite statistic, or layer null when only the global figures (loss, total gradient norm, the
 * nonFinite flag) went bad. Null when the record is finite throughout.
 */
export function findDivergence(record: StepRecord): Divergence | null {
  const layers = record.gradNorm.length;
  for (let l = 0; l < layers; l++) {
    for (const key of WATCHED) {
      const v = record[key][l];
      if (v !== undefined && !Number.isFinite(v)) {
        return { step: record.step, layer: l, what: `${key} of ${layerName(l, layers)} is ${v}` };
      }
    }
  }
  if (!Number.isFinite(record.loss)) return { step: record.step, layer: null, what: `loss is ${record.loss}` };
  if (!Number.isFinite(record.gradNormTotal)) {
    return { step: record.step, layer: null, what: `the total gradient norm is ${record.gradNormTotal}` };
  }
  if (record.nonFinite) return { step: record.step, layer: null, what: 'the step was flagged non-finite, though every logged statistic is finite' };
  return null;
}

/** The first divergence in a run, or null if every record is finite. */
export function firstDivergence(records: readonly StepRecord[]): Divergence | null {
  for (const r of records) {
    const d = findDivergence(r);
    if (d !== null) return d;
  }
  return null;
}
