/**
 * Bands of rows that belong together, for the separators over the heatmap: a ResNet's stages, read from
 * the rows' read-out names (`stage 2 · block 0 · conv1`, see src/model/graph/row-names.ts). Pure.
 */
export interface RowGroup {
  /** `stage 2` */
  readonly name: string;
  /** The group's first row (input side first) and one past its last. */
  readonly start: number;
  readonly end: number;
}

const STAGE = /^stage (\d+) ·/;

/** Contiguous runs of rows in one stage; none unless the rows span two stages or more. */
export function rowGroups(labels: readonly string[] | null): RowGroup[] {
  if (!labels) return [];
  const groups: RowGroup[] = [];
  labels.forEach((label, row) => {
    const stage = STAGE.exec(label)?.[1];
    if (stage === undefined) return;
    const name = `stage ${stage}`;
    const last = groups.at(-1);
    if (last && last.name === name && last.end === row) groups[groups.length - 1] = { ...last, end: row + 1 };
    else groups.push({ name, start: row, end: row + 1 });
  });
  return groups.length >= 2 ? groups : [];
}
