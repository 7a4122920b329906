import type { StepRecord } from '../../stats/record.ts';
import { STATISTICS, scaleKind, type Statistic } from './color-scale.ts';

/**
 * B against A for one statistic and layer: B/A for norms (shown as log10(B/A), so 0 = equal,
 * +1 = B ten times larger), B − A for fractions (bounded, and a ratio of two zero fractions says
 * nothing). 0/0 counts as equal (1); x/0 is +∞ and draws as non-finite.
 */
export function compareValue(stat: Statistic, a: number, b: number): number {
  if (scaleKind(stat) === 'linear') return b - a;
  if (a === 0 && b === 0) return 1;
  return b / a;
}

/**
 * A pseudo-record whose per-layer heatmap fields hold compareValue(A, B); the scalar fields are B's.
 * Feed it to a heatmap in mode 'ratio' (pushRatio does exactly this). Runs of different depth
 * compare over the layers they share, counted from the input side, with the head last.
 */
export function ratioRecord(a: StepRecord, b: StepRecord): StepRecord {
  const out: StepRecord = { ...b };
  for (const s of STATISTICS) out[s] = compareArrays(s, a[s], b[s]);
  return out;
}

function compareArrays(stat: Statistic, a: readonly number[], b: readonly number[]): number[] {
  if (a.length === 0 || b.length === 0) return [];
  if (a.length === b.length) return a.map((x, i) => compareValue(stat, x, b[i]!));
  const blocks = Math.min(a.length, b.length) - 1;
  const out: number[] = [];
  for (let l = 0; l < blocks; l++) out.push(compareValue(stat, a[l]!, b[l]!));
  out.push(compareValue(stat, a[a.length - 1]!, b[b.length - 1]!));
  return out;
}
