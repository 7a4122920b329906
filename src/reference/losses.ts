import { checkLength, checkSize } from './checks.ts';

function checkLossShapes(name: string, pred: ArrayLike<number>, B: number, C: number): void {
  checkSize(B, `${name} B`);
  checkSize(C, `${name} C`);
  checkLength(pred, B * C, `${name} input (${B}×${C})`);
}

function labelAt(labels: ArrayLike<number>, r: number, C: number): number {
  const label = labels[r]!;
  if (!Number.isInteger(label) || label < 0 || label >= C) {
    throw new RangeError(`softmaxCrossEntropy labels[${r}] must be a class id from 0 to ${C - 1} (got ${label})`);
  }
  return label;
}

/**
 * Mean softmax cross-entropy over B rows of C logits, stabilized by subtracting each row's max.
 * dlogits = (softmax - onehot)/B. predicted holds each row's first argmax; correct counts rows where it is the label.
 */
export function softmaxCrossEntropy(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  B: number,
  C: number,
): { loss: number; dlogits: Float64Array; correct: number; predicted: Uint32Array } {
  checkLossShapes('softmaxCrossEntropy', logits, B, C);
  checkLength(labels, B, 'softmaxCrossEntropy labels');
  const dlogits = new Float64Array(B * C);
  const predicted = new Uint32Array(B);
  let total = 0;
  let correct = 0;
  for (let r = 0; r < B; r++) {
    const label = labelAt(labels, r, C);
    const row = Float64Array.from({ length: C }, (_, c) => logits[r * C + c]!);
    let argmax = 0;
    for (let c = 1; c < C; c++) if (row[c]! > row[argmax]!) argmax = c;
    const max = row[argmax]!;
    let sumExp = 0;
    for (const z of row) sumExp += Math.exp(z - max);
    total += Math.log(sumExp) + max - row[label]!;
    predicted[r] = argmax;
    if (argmax === label) correct++;
    for (let c = 0; c < C; c++) {
      const p = Math.exp(row[c]! - max) / sumExp;
      dlogits[r * C + c] = (p - (c === label ? 1 : 0)) / B;
    }
  }
  return { loss: total / B, dlogits, correct, predicted };
}

/** Mean over all B·C elements of (pred - target)²; dpred = 2(pred - target)/(B·C). */
export function meanSquaredError(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  B: number,
  C: number,
): { loss: number; dpred: Float64Array } {
  checkLossShapes('meanSquaredError', pred, B, C);
  checkLength(target, B * C, `meanSquaredError target (${B}×${C})`);
  const n = B * C;
  let total = 0;
  const dpred = Float64Array.from(pred, (p, i) => {
    const diff = p - target[i]!;
    total += diff * diff;
    return (2 * diff) / n;
  });
  return { loss: total / n, dpred };
}
