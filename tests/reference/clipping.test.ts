import { describe, expect, it } from 'vitest';
import { clipByNormScale, clipByValue, segmentedSumSquares } from '../../src/reference/index.ts';

describe('segmentedSumSquares', () => {
  it('sums squares within each segment, including empty ones', () => {
    const x = [1, 2, -3, 4, 5];
    const got = segmentedSumSquares(x, [
      { offset: 0, length: 2 },
      { offset: 2, length: 3 },
      { offset: 4, length: 0 },
      { offset: 1, length: 1 },
    ]);
    expect(Array.from(got)).toEqual([5, 50, 0, 4]);
  });

  it('rejects segments that run past the end', () => {
    expect(() => segmentedSumSquares([1, 2], [{ offset: 1, length: 2 }])).toThrow(/segments\[0\].*within x \(length 2\)/);
  });
});

describe('clipByNormScale', () => {
  it('returns the global norm and the scale max/total once total reaches max', () => {
    expect(clipByNormScale([3, 4], 1)).toEqual({ total: 5, scale: 0.2 });
    expect(clipByNormScale([3, 4], 5)).toEqual({ total: 5, scale: 1 });
    expect(clipByNormScale([3, 4], 10)).toEqual({ total: 5, scale: 1 });
    expect(clipByNormScale([0, 0], 1)).toEqual({ total: 0, scale: 1 });
  });

  it('rejects a non-positive max', () => {
    expect(() => clipByNormScale([1], 0)).toThrow(/positive finite/);
  });
});

describe('clipByValue', () => {
  it('clamps each element to [-max, max]', () => {
    expect(Array.from(clipByValue(new Float32Array([-3, -0.5, 0, 0.25, 9]), 1))).toEqual([-1, -0.5, 0, 0.25, 1]);
  });
});
