import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/model/config.ts';
import { RunSet } from '../../src/train/run-set.ts';
import { testContext } from '../helpers/gpu.ts';

const A = resolveConfig({ model: { depth: 2, width: 8 }, data: { name: 'spiral', samples: 128 }, train: { batchSize: 16 } });

async function dataOfB(b: object): Promise<{ same: boolean; n: number }> {
  const set = await RunSet.build(await testContext(), { a: A, b: resolveConfig(b), stepsPerSubmit: 1 });
  try {
    const [ta, tb] = [set.runs.get('A')!, set.runs.get('B')!];
    return { same: ta.data === tb.data, n: tb.data.train.n + tb.data.test.n };
  } finally {
    set.destroy();
  }
}

describe('RunSet: the data of a comparison', () => {
  it('run B shares run A’s data only when it would draw the same data', async () => {
    const base = { model: { depth: 2, width: 8 }, train: { batchSize: 16 } };
    expect(await dataOfB({ ...base, model: { depth: 3, width: 8 }, data: { name: 'spiral', samples: 128 } })).toEqual({ same: true, n: 128 });
    expect(await dataOfB({ ...base, data: { name: 'spiral', samples: 256 } })).toEqual({ same: false, n: 256 });
    expect((await dataOfB({ ...base, seed: 2, data: { name: 'spiral', samples: 128 } })).same).toBe(false);
    expect((await dataOfB({ ...base, data: { name: 'spiral', samples: 128, noise: 0.3 } })).same).toBe(false);
  });
});
