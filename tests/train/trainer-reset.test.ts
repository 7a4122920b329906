import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/model/config.ts';
import { makeDataset } from '../../src/train/data/dataset.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { testContext } from '../helpers/gpu.ts';

describe('Trainer.reset', () => {
  it('drops the records still on their way back: nothing from before the reset comes out of drain()', async () => {
    const ctx = await testContext();
    const config = resolveConfig({ model: { depth: 3, width: 8 }, data: { samples: 128 }, train: { batchSize: 16 } });
    const trainer = await Trainer.create(ctx, config, await makeDataset(config.data, config.seed), { stepsPerSubmit: 4 });
    trainer.submit(4, true);
    trainer.submit(4, true); // steps 4 and 8 are logged and still mapping
    trainer.reset();
    trainer.submit(1, true);
    await trainer.program.ring.settled();
    expect(trainer.drain().map((r) => r.step)).toEqual([1]);
    trainer.destroy();
  });
});
