import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/model/config.ts';
import { makeDataset } from '../../src/train/data/dataset.ts';
import { floatDataset } from '../../src/train/data/index.ts';
import { PredictProgram } from '../../src/train/predict.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { testContext } from '../helpers/gpu.ts';

/** Each row's first argmax. */
function argmaxRows(logits: Float32Array, classes: number): number[] {
  return Array.from({ length: logits.length / classes }, (_, r) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[r * classes + c]! > logits[r * classes + best]!) best = c;
    return best;
  });
}

describe('the test-set evaluation', () => {
  it('predicts each test sample, in test-set order, as the argmax of the same net on the test inputs', async () => {
    const ctx = await testContext();
    // 41 test samples in chunks of 16: the last chunk wraps around to the first samples.
    const config = resolveConfig({ data: { name: 'gaussians', samples: 205 }, model: { depth: 3, width: 8, norm: 'batch' }, train: { batchSize: 16 } });
    const data = floatDataset(await makeDataset(config.data, config.seed));
    const t = await Trainer.create(ctx, config, data);
    await t.run(5, () => {});
    const r = (await t.evaluate())!;
    expect(data.test.n).toBe(41);
    const logits = await (await PredictProgram.build(t.net, data.test.x)).run();
    expect(Array.from(r.predictions!)).toEqual(argmaxRows(logits, data.outputDim));
    expect(new Set(r.predictions).size, 'classes predicted (one would not test the order)').toBeGreaterThan(1);
    const labels = data.test.y;
    expect(r.accuracy).toBe(r.predictions!.filter((p, i) => p === labels[i]).length / 41);
    t.destroy();
  });

  it('has no predictions for regression', async () => {
    const ctx = await testContext();
    const config = resolveConfig({ data: { name: 'teacher', samples: 64 }, model: { depth: 2, width: 8 }, train: { batchSize: 16 } });
    const t = await Trainer.create(ctx, config, await makeDataset(config.data, config.seed));
    const r = (await t.evaluate())!;
    expect([r.samples, r.predictions]).toEqual([13, null]);
    t.destroy();
  });
});
