/**
 * Many layers share one pixel row when the network is deeper than the plot is tall (and many steps one
 * column when the run is longer than the plot is wide). Cells are combined so the thing a student must
 * not miss survives: a non-finite layer wins over everything, then the
 * largest value ('max', for norms and fractions: one exploding or fully saturated layer stays visible)
 * or the value farthest from zero ('extreme', for log-ratios, where both directions matter).
 */
export type RowReduce = 'max' | 'extreme';

/** Layers [start, end) that land in pixel row `row` (0 = the input side) when `layers` fill `pixelRows`. */
export function rowLayers(row: number, layers: number, pixelRows: number): [number, number] {
  if (pixelRows >= layers) {
    const l = Math.min(layers - 1, Math.floor((row * layers) / pixelRows));
    return [l, l + 1];
  }
  return [Math.floor((row * layers) / pixelRows), Math.floor(((row + 1) * layers) / pixelRows)];
}

/** The pixel row (0 = the input side) holding layer `layer`. */
export function layerRow(layer: number, layers: number, pixelRows: number): number {
  if (pixelRows >= layers) return Math.ceil((layer * pixelRows) / layers);
  return Math.floor(((layer + 1) * pixelRows - 1) / layers);
}

/** Whether display value `a` wins over `b` where both share a pixel (non-finite first, then by `reduce`). */
export function better(a: number, b: number, reduce: RowReduce): boolean {
  if (Number.isNaN(b)) return false;
  if (Number.isNaN(a)) return true;
  return reduce === 'max' ? a > b : Math.abs(a) > Math.abs(b);
}

/** Index (within `values`) of the layer that wins pixel row `row`: the one whose colour is drawn. */
export function winningLayer(values: ArrayLike<number>, row: number, pixelRows: number, reduce: RowReduce = 'max'): number {
  const [start, end] = rowLayers(row, values.length, pixelRows);
  let best = start;
  for (let l = start + 1; l < end; l++) if (better(values[l] ?? NaN, values[best] ?? NaN, reduce)) best = l;
  return best;
}

/**
 * Combines per-layer display values (log10 or linear; index 0 = the input side) into `pixelRows`
 * values, one per pixel row. With fewer layers than rows, each row takes the layer under it.
 */
export function aggregateRows(
  values: ArrayLike<number>,
  pixelRows: number,
  reduce: RowReduce = 'max',
  out: Float32Array = new Float32Array(pixelRows),
): Float32Array {
  for (let r = 0; r < pixelRows; r++) out[r] = values[winningLayer(values, r, pixelRows, reduce)] ?? NaN;
  return out;
}
