import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/model/config.ts';
import { makeDataset } from '../../src/train/data/dataset.ts';
import { floatDataset } from '../../src/train/data/index.ts';
import { PredictProgram } from '../../src/train/predict.ts';
import { trainSplitEval } from '../../src/train/train-eval.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { testContext } from '../helpers/gpu.ts';

describe('the training-split evaluation (summary trainLoss, trainAccuracy)', () => {
  it('scores the first n training samples as the test evaluation scores the test set: eval mode, in order, wrapping the last chunk', async () => {
    const ctx = await testContext();
    const config = resolveConfig({ data: { name: 'gaussians', samples: 205 }, model: { depth: 3, width: 8, norm: 'batch' }, train: { batchSize: 16 } });
    const data = floatDataset(await makeDataset(config.data, config.seed));
    const t = await Trainer.create(ctx, config, data);
    await t.run(5, () => {});
    // 37 samples in chunks of 16: the third chunk wraps around to the first samples.
    const r = (await (await trainSplitEval(t.net, undefined, 37)).run())!;
    expect(r.samples).toBe(37);
    const logits = await (await PredictProgram.build(t.net, data.train.x.subarray(0, 37 * data.inputDim))).run();
    const predicted = Array.from({ length: 37 }, (_, i) => {
      const row = Array.from(logits.subarray(i * data.outputDim, (i + 1) * data.outputDim));
      return row.indexOf(Math.max(...row));
    });
    expect(Array.from(r.predictions!)).toEqual(predicted);
    expect(new Set(predicted).size, 'classes predicted').toBeGreaterThan(1);
    expect(r.accuracy).toBe(predicted.filter((p, i) => p === data.train.y[i]).length / 37);
    // Cross-entropy of the same logits, in float64: the loss kernel's per-row values, averaged.
    const ce = predicted.reduce((sum, _, i) => {
      const row = Array.from(logits.subarray(i * data.outputDim, (i + 1) * data.outputDim));
      const m = Math.max(...row);
      return sum + m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[data.train.y[i]!]!;
    }, 0) / 37;
    expect(r.loss).toBeCloseTo(ce, 4);
    // More than the split asks for is the whole split.
    expect((await (await trainSplitEval(t.net, undefined, 10_000)).run())!.samples).toBe(data.train.n);
    t.destroy();
  });
});
