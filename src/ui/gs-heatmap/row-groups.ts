/**
 * Bands of rows that belong together, for the separators over the heatmap: a ResNet's stages or a stacked
 * recurrent net's layers, read from the rows' read-out names (`stage 2 · block 0 · conv1`, `layer 1 · recurrent
 * weights`, see src/model/graph/row-names.ts; `layer 1 · t = 5` in the time view). Pure.
 */
export interface RowGroup {
  /** `stage 2`, `layer 1` */
  readonly name: string;
  /** The group's first row (input side first) and one past its last. */
  readonly start: number;
  readonly end: number;
}

const GROUP = /^((?:stage|layer) \d+) ·/;

/** Contiguous runs of rows in one stage (layer); none unless the rows span two or more. */
export function rowGroups(labels: readonly string[] | null): RowGroup[] {
  if (!labels) return [];
  const groups: RowGroup[] = [];
  labels.forEach((label, row) => {
    const name = GROUP.exec(label)?.[1];
    if (name === undefined) return;
    const last = groups.at(-1);
    if (last && last.name === name && last.end === row) groups[groups.length - 1] = { ...last, end: row + 1 };
    else groups.push({ name, start: row, end: row + 1 });
  });
  return groups.length >= 2 ? groups : [];
}
