import { describe, expect, it } from 'vitest';
import { meanSquaredError, softmaxCrossEntropy } from '../../src/reference/index.ts';
import { expectClose, expectGradient } from './fd.ts';
import { seeded, normal } from './rng.ts';

describe('softmax cross-entropy', () => {
  it('equals log(C) for zero logits, with dlogits = (1/C - onehot)/B', () => {
    const [B, C] = [2, 5];
    const { loss, dlogits, correct } = softmaxCrossEntropy(new Float64Array(B * C), [3, 0], B, C);
    expect(loss).toBeCloseTo(Math.log(C), 15);
    const want = Float64Array.from({ length: B * C }, (_, i) => (0.2 - (i === 3 || i === 5 ? 1 : 0)) / B);
    expectClose('dlogits', dlogits, want, 1e-15);
    // All-equal rows: the first max (class 0) wins, so only the row labelled 0 counts as correct.
    expect(correct).toBe(1);
  });

  it('matches a hand case and is stable for huge logits', () => {
    // Row [0, ln 3]: softmax [1/4, 3/4]; label 1 → loss -ln(3/4).
    const small = softmaxCrossEntropy([0, Math.log(3)], [1], 1, 2);
    expect(small.loss).toBeCloseTo(-Math.log(0.75), 15);
    expectClose('dlogits', small.dlogits, [0.25, -0.25], 1e-15);
    const big = softmaxCrossEntropy([1000, 1000 + Math.log(3)], [1], 1, 2);
    expect(big.loss).toBeCloseTo(-Math.log(0.75), 12);
    expect(softmaxCrossEntropy([1000, -1000], [1], 1, 2).loss).toBe(2000);
  });

  it('counts rows whose argmax (the first, on ties) equals the label', () => {
    const logits = [0.1, 0.9, 0, /**/ 2, 1, 0, /**/ 0, 0, 3, /**/ -1, -2, -0.5, /**/ 1, 1, 0];
    // hit, hit, miss, hit, miss (the tie goes to class 0, not the label 1)
    expect(softmaxCrossEntropy(logits, [1, 0, 0, 2, 1], 5, 3).correct).toBe(3);
  });

  it('dlogits matches finite differences of the mean loss', () => {
    const rng = seeded(29);
    const [B, C] = [5, 4];
    const logits = normal(rng, B * C, 2);
    const labels = Array.from({ length: B }, () => Math.floor(rng() * C));
    const { dlogits } = softmaxCrossEntropy(logits, labels, B, C);
    expectGradient('dlogits', (z) => softmaxCrossEntropy(z, labels, B, C).loss, logits, dlogits);
  });

  it('rejects labels that are not class ids', () => {
    expect(() => softmaxCrossEntropy([0, 0], [2], 1, 2)).toThrow(/labels\[0\] must be a class id from 0 to 1 \(got 2\)/);
    expect(() => softmaxCrossEntropy([0, 0], [0.5], 1, 2)).toThrow(/class id/);
  });
});

describe('mean squared error', () => {
  it('averages over all B·C elements (hand case)', () => {
    // diffs [1, -2, 0, 3] → loss (1 + 4 + 0 + 9)/4, dpred = 2·diff/4.
    const { loss, dpred } = meanSquaredError([2, 0, 5, 4], [1, 2, 5, 1], 2, 2);
    expect(loss).toBe(3.5);
    expect(Array.from(dpred)).toEqual([0.5, -1, 0, 1.5]);
  });

  it('dpred matches finite differences of the mean loss', () => {
    const rng = seeded(31);
    const [B, C] = [3, 4];
    const pred = normal(rng, B * C);
    const target = normal(rng, B * C);
    const { dpred } = meanSquaredError(pred, target, B, C);
    expectGradient('dpred', (p) => meanSquaredError(p, target, B, C).loss, pred, dpred);
  });
});
