/**
 * Workgroup counts for n independent items in groups of `wg`, folding into y past the per-dimension
 * limit. Shaders recover the flat index as x + y · (num_workgroups.x · wg) and bound-check it.
 */
export function dispatch1d(n: number, wg: number, max = 65535): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / wg));
  return groups <= max ? [groups, 1, 1] : [max, Math.ceil(groups / max), 1];
}

/** Workgroup counts covering a rows × cols grid with tiles of tileRows × tileCols. */
export function dispatch2d(rows: number, cols: number, tileRows: number, tileCols: number): [number, number, number] {
  return [Math.max(1, Math.ceil(cols / tileCols)), Math.max(1, Math.ceil(rows / tileRows)), 1];
}
