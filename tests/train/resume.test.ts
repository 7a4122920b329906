import { describe, expect, it } from 'vitest';
import { loadCheckpoint, loadOptimizerState, saveCheckpoint, savedTraining } from '../../src/io/checkpoint.ts';
import { decodeSafetensors } from '../../src/io/safetensors.ts';
import { resolveConfig, type RunConfig } from '../../src/model/config.ts';
import { OPTIMIZERS } from '../../src/model/config-schema.ts';
import type { StepRecord } from '../../src/stats/record.ts';
import { RunWindow } from '../../src/stats/run-window.ts';
import { makeDataset } from '../../src/train/data/dataset.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { testContext } from '../helpers/gpu.ts';

async function trainer(config: RunConfig): Promise<Trainer> {
  return Trainer.create(await testContext(), config, await makeDataset(config.data, config.seed), { stepsPerSubmit: 4 });
}

async function losses(t: Trainer, steps: number): Promise<StepRecord[]> {
  const out: StepRecord[] = [];
  await t.run(steps, (r) => out.push(r));
  return out;
}

describe('--resume continues a run bit for bit', () => {
  // Weight decay and clipping on, batch norm's running statistics and a data set that wraps into a
  // second epoch between the halves: every piece of state a resumed run needs shows up in the losses.
  for (const optimizer of OPTIMIZERS) {
    it(`${optimizer}: 10 + 10 resumed steps equal 20 unbroken, loss for loss and weight for weight`, async () => {
      const config = resolveConfig({
        seed: 5,
        data: { name: 'circles', samples: 160 },
        model: { depth: 4, width: 8, norm: 'batch' },
        train: { optimizer, lr: 0.05, weightDecay: 0.01, batchSize: 32, steps: 20, clip: { mode: 'norm', max: 0.5 } },
      });
      const whole = await trainer(config);
      const expected = await losses(whole, 20);
      const first = await trainer(config);
      await losses(first, 10);
      const bytes = await saveCheckpoint(first.store, config, [], { optimizer, state: first.trainingState(), divergedAt: null });
      first.destroy();

      const file = decodeSafetensors(bytes);
      const resumed = await trainer(config);
      loadCheckpoint(resumed.store, file, 'ck');
      loadOptimizerState(resumed.store, file, optimizer, 'ck');
      resumed.restore(savedTraining(file, 'ck'));
      const rest = await losses(resumed, 10);
      expect(rest.map((r) => r.step)).toEqual(expected.slice(10).map((r) => r.step));
      expect(rest.map((r) => r.loss)).toEqual(expected.slice(10).map((r) => r.loss));
      const a = decodeSafetensors(await saveCheckpoint(whole.store, config)).tensors;
      const b = decodeSafetensors(await saveCheckpoint(resumed.store, config)).tensors;
      for (const [name, t] of a) expect(Array.from(b.get(name)!.data), name).toEqual(Array.from(t.data));
      whole.destroy();
      resumed.destroy();
    });
  }

  it('a truncated 2-layer GRU on the order task: 6 + 6 resumed steps equal 12 unbroken', async () => {
    const config = resolveConfig({
      seed: 3,
      data: { name: 'order', samples: 96, length: 9 },
      model: { arch: 'rnn', cell: 'gru', depth: 2, width: 6 },
      train: { lr: 0.01, batchSize: 16, steps: 12, bptt: 5 },
    });
    const whole = await trainer(config);
    const expected = await losses(whole, 12);
    const first = await trainer(config);
    await losses(first, 6);
    const bytes = await saveCheckpoint(first.store, config, [], { optimizer: 'adam', state: first.trainingState(), divergedAt: null });
    first.destroy();
    const file = decodeSafetensors(bytes);
    const resumed = await trainer(config);
    loadCheckpoint(resumed.store, file, 'ck');
    loadOptimizerState(resumed.store, file, 'adam', 'ck');
    resumed.restore(savedTraining(file, 'ck'));
    const rest = await losses(resumed, 6);
    expect(rest.map((r) => r.loss)).toEqual(expected.slice(6).map((r) => r.loss));
    expect(rest.map((r) => r.timeDeltaNorm)).toEqual(expected.slice(6).map((r) => r.timeDeltaNorm));
    whole.destroy();
    resumed.destroy();
  });

  it('without the saved position the batches differ: the sampler state is what makes it exact', async () => {
    const config = resolveConfig({ seed: 5, data: { name: 'circles', samples: 160 }, model: { depth: 2, width: 8 }, train: { batchSize: 32, steps: 20 } });
    const whole = await trainer(config);
    const expected = await losses(whole, 20);
    const first = await trainer(config);
    await losses(first, 10);
    const file = decodeSafetensors(await saveCheckpoint(first.store, config, [], { optimizer: 'sgd', state: first.trainingState(), divergedAt: null }));
    const naive = await trainer(config);
    loadCheckpoint(naive.store, file, 'ck');
    const rest = await losses(naive, 10);
    expect(rest.map((r) => r.loss)).not.toEqual(expected.slice(10).map((r) => r.loss));
    for (const t of [whole, first, naive]) t.destroy();
  });
});

describe('a long run keeps a bounded window of records', () => {
  it('keeps the first record and the last DIAGNOSIS_WINDOW, however many arrive', () => {
    const w = new RunWindow(200);
    const rec = (step: number) => ({ step }) as StepRecord;
    for (let s = 1; s <= 20_000; s++) w.push(rec(s));
    expect(w.retained).toBe(201);
    const kept = w.records();
    expect(kept[0]!.step).toBe(1);
    expect(kept[1]!.step).toBe(19_801);
    expect(kept.at(-1)!.step).toBe(20_000);
  });
});

describe('a trainer frees what it made', () => {
  it('destroy() leaves no buffer of its network, step, eval or predict programs alive', async () => {
    const ctx = await testContext();
    const live = () => ctx.created.buffers - ctx.created.buffersDestroyed;
    const config = resolveConfig({ data: { name: 'spiral', samples: 128 }, model: { depth: 3, width: 8, norm: 'batch' }, train: { optimizer: 'adam', batchSize: 32 } });
    const before = live();
    for (let i = 0; i < 3; i++) {
      const t = await trainer(config);
      await losses(t, 2);
      await t.evaluate();
      t.destroy();
    }
    expect(live()).toBe(before);
  });
});
