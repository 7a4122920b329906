export interface Segment {
  offset: number;
  length: number;
}

/** Σx² over each segment of x (e.g. one segment per parameter tensor in a flat buffer). */
export function segmentedSumSquares(x: ArrayLike<number>, segments: readonly Segment[]): Float64Array {
  return Float64Array.from(segments, ({ offset, length }, s) => {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > x.length) {
      throw new RangeError(
        `segmentedSumSquares segments[${s}] = {offset: ${offset}, length: ${length}} must lie within x (length ${x.length})`,
      );
    }
    let sum = 0;
    for (let i = offset; i < offset + length; i++) sum += x[i]! * x[i]!;
    return sum;
  });
}
