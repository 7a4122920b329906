// What the heatmap shows when a colour cannot say it: most rows exactly 0 (all one colour) or not finite. Pure.
import { STATISTIC_WORDS, type LayerStatistic } from '../../stats/layer-statistics.ts';
import type { Diagnosis, StepRecord } from '../../stats/record.ts';

/** Rows over this share zero or non-finite make the note. */
const MOST = 0.5;

/**
 * One sentence for the newest record's statistic when most rows are exactly 0 or not finite, naming where that
 * starts and the diagnosis that explains it (shown in full further down the page), or null when the colours speak.
 */
export function heatmapNote(r: StepRecord, stat: LayerStatistic, diagnosis: readonly Diagnosis[]): string | null {
  const values = r[stat];
  const rows = values.length;
  if (!rows) return null;
  let zero = 0;
  let bad = 0;
  let [first, last] = [-1, -1];
  for (let i = 0; i < rows; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) bad++;
    else if (v === 0) {
      zero++;
      if (first < 0) first = i;
      last = i;
    }
  }
  const name = STATISTIC_WORDS[stat].name.toLowerCase();
  const share = (k: number) => `${Math.round((100 * k) / rows)}% of the ${rows.toLocaleString('en')} layers`;
  const found = diagnosis.find((d) => d.kind !== 'healthy');
  const why = found ? ` The diagnosis below: ${found.finding}` : '';
  if (bad / rows > MOST) return `At step ${r.step}, ${share(bad)} have a ${name} that is not a number (NaN or ±∞): the run has diverged.${why}`;
  if (zero / rows > MOST) {
    const n = (i: number) => (i === rows - 1 ? 'the head' : `block ${i.toLocaleString('en')}`);
    const where = last - first + 1 === zero ? `, every one from ${n(first)} to ${n(last)}` : `, the first at ${n(first)}`;
    return `At step ${r.step}, ${share(zero)} have a ${name} of exactly 0${where}: one flat colour here means no gradient at all, not a small one.${why}`;
  }
  return null;
}
