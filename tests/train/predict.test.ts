import { describe, expect, it } from 'vitest';
import { netForward } from '../../src/reference/index.ts';
import { gridPoints, PredictProgram } from '../../src/train/predict.ts';
import { testContext } from '../helpers/gpu.ts';
import { buildTestNet, normRelError } from '../helpers/net.ts';

describe('predictions on arbitrary points (the decision boundary)', () => {
  it('match the float64 forward pass in eval mode, for a point count that is not a multiple of the batch', async () => {
    const ctx = await testContext();
    const t = { inputDim: 2, outputDim: 3, width: 12, depth: 6, batch: 16, activation: 'tanh', norm: 'batch', residual: 'identity', task: 'classification' } as const;
    const { net, program, refParams, spec } = await buildTestNet(ctx, t, 5);
    const points = gridPoints(7, -1.5, 1.5); // 49 points: three full chunks and one partial
    const predict = await PredictProgram.build(net, points);
    const got = await predict.run();
    // Fresh running statistics (mean 0, var 1), as the reference assumes when none are given.
    const want = netForward(spec, refParams, points, 49, { train: false }).logits;
    expect(got).toHaveLength(49 * 3);
    expect(normRelError(got, want)).toBeLessThan(1e-5);
    program.destroy();
    net.destroy();
  });

  it('lays the grid out row by row from the top left', () => {
    const g = gridPoints(2, -1, 1);
    expect(Array.from(g)).toEqual([-0.5, 0.5, 0.5, 0.5, -0.5, -0.5, 0.5, -0.5]);
  });
});
