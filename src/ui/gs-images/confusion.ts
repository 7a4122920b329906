/**
 * The confusion matrix of a classifier over the test set (pure): counts of (true class, predicted class),
 * classes × classes, row-major, one row per true class.
 */

export function confusionCounts(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes: number): Uint32Array {
  if (labels.length !== predictions.length) {
    throw new RangeError(`confusionCounts: ${predictions.length} predictions for ${labels.length} labels`);
  }
  const counts = new Uint32Array(classes * classes);
  for (let i = 0; i < labels.length; i++) {
    const [t, p] = [labels[i]!, predictions[i]!];
    if (t >= classes || p >= classes) throw new RangeError(`confusionCounts: sample ${i} has class ${Math.max(t, p)}, past the ${classes} classes`);
    counts[t * classes + p]!++;
  }
  return counts;
}

/** Each row's total: the test samples of each true class. */
export function rowTotals(counts: Uint32Array, classes: number): Uint32Array {
  const totals = new Uint32Array(classes);
  counts.forEach((n, i) => (totals[Math.floor(i / classes)]! += n));
  return totals;
}

/** Each cell as a share of its row (how a true class's samples were predicted); 0 in a row without samples. */
export function rowShares(counts: Uint32Array, classes: number): Float64Array {
  const totals = rowTotals(counts, classes);
  return Float64Array.from(counts, (n, i) => n / (totals[Math.floor(i / classes)]! || 1));
}

/** The diagonal (right answers) and all samples. */
export function correctOf(counts: Uint32Array, classes: number): { correct: number; total: number } {
  let correct = 0;
  for (let c = 0; c < classes; c++) correct += counts[c * classes + c]!;
  return { correct, total: counts.reduce((a, b) => a + b, 0) };
}
