/**
 * CIFAR-10 through the engine: images stay bytes on the GPU, the gather normalizes them per channel, and with
 * data.augment=crop-flip crops and flips each training batch from the step's seed; a resumed run augments
 * exactly as the unbroken one.
 */
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, loadOptimizerState, saveCheckpoint, savedTraining } from '../../src/io/checkpoint.ts';
import { decodeSafetensors } from '../../src/io/safetensors.ts';
import { augmentOffsets } from '../../src/kernels/data.ts';
import { Rng } from '../../src/math/prng.ts';
import { resolveConfig, type ConfigPatch, type RunConfig } from '../../src/model/config.ts';
import type { StepRecord } from '../../src/stats/record.ts';
import { BatchSampler } from '../../src/train/data/batch-sampler.ts';
import { CIFAR10_MEAN, CIFAR10_STD, parseCifar10 } from '../../src/train/data/cifar10.ts';
import { makeDataset } from '../../src/train/data/dataset.ts';
import type { ByteImageDataset } from '../../src/train/data/types.ts';
import { augmentSeed, CROP_PAD } from '../../src/train/engines.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { tinyCifar10 } from '../helpers/cifar10.ts';
import { expectClose, testContext } from '../helpers/gpu.ts';

const B = 8;
const S = 32;
const C = 3;
const cifar = parseCifar10(tinyCifar10(4, 6));

function config(patch: ConfigPatch = {}): RunConfig {
  const base: ConfigPatch = { seed: 3, data: { name: 'cifar10' }, model: { depth: 2, width: 8 }, train: { batchSize: B, steps: 10 } };
  return resolveConfig({ ...base, ...patch, data: { ...base.data, ...patch.data }, model: { ...base.model, ...patch.model }, train: { ...base.train, ...patch.train } });
}

async function dataset(c: RunConfig): Promise<ByteImageDataset> {
  const d = await makeDataset(c.data, c.seed, cifar);
  if (!d.bytes) throw new Error('cifar10 should keep its images as bytes');
  return d;
}

async function trainer(c: RunConfig): Promise<Trainer> {
  return Trainer.create(await testContext(), c, await dataset(c), { stepsPerSubmit: 4 });
}

/** Batch `ids` of `pixels` as the network should see it, NCHW: cropped and flipped as augmentOffsets says for `seed`, then normalized in float32. */
function expectedBatch(pixels: Uint8Array, ids: ArrayLike<number>, seed: number | null): Float32Array {
  const f = Math.fround;
  const out = new Float32Array(ids.length * C * S * S);
  for (let s = 0; s < ids.length; s++) {
    const a = seed === null ? { dy: 0, dx: 0, flip: false } : augmentOffsets(seed, s, CROP_PAD);
    for (let c = 0; c < C; c++) {
      for (let y = 0; y < S; y++) {
        for (let x = 0; x < S; x++) {
          const [sy, sx] = [y + a.dy, (a.flip ? S - 1 - x : x) + a.dx];
          const byte = sy >= 0 && sy < S && sx >= 0 && sx < S ? pixels[((ids[s]! * S + sy) * S + sx) * C + c]! : 0;
          out[((s * C + c) * S + y) * S + x] = f(f(f(byte / 255) - f(CIFAR10_MEAN[c]!)) / f(CIFAR10_STD[c]!));
        }
      }
    }
  }
  return out;
}

/** The training batches of steps 1..steps, as the trainer's sampler deals them. */
function batches(c: RunConfig, n: number, steps: number): Uint32Array[] {
  const sampler = new BatchSampler(n, B, new Rng(c.seed).fork('shuffle'));
  return Array.from({ length: steps }, () => {
    const ids = new Uint32Array(B);
    sampler.next(ids);
    return ids;
  });
}

async function records(t: Trainer, steps: number): Promise<StepRecord[]> {
  const out: StepRecord[] = [];
  await t.run(steps, (r) => out.push(r));
  return out;
}

describe('cifar10 on the GPU', () => {
  it('keeps the images as bytes: 3,072 per image, and the seed word after the ids only when augmenting', async () => {
    for (const augment of ['none', 'crop-flip'] as const) {
      const t = await trainer(config({ data: { augment } }));
      const { data, index, evalIndex } = t.net.plan;
      expect([data.trainX.bytes, data.testX.bytes]).toEqual([20 * 3072, 6 * 3072]);
      expect(index[0]!.bytes, augment).toBe((B + (augment === 'none' ? 0 : 1)) * 4);
      expect(evalIndex[0]!.bytes).toBe(B * 4);
      t.destroy();
    }
  });

  for (const arch of ['mlp', 'resnet'] as const) {
    it(`${arch}: the gathered batch is the CPU-normalized images of the sampler's ids, with their labels`, async () => {
      const c = config(arch === 'resnet' ? { model: { arch, depth: 8, width: 4 } } : {});
      const d = await dataset(c);
      const t = await trainer(c);
      await records(t, 2);
      const ids = batches(c, d.train.n, 2)[1]!;
      const got = await t.engine.readBatch();
      expect(got.xShape).toEqual([B, C, S, S]);
      expectClose(got.x, expectedBatch(d.train.pixels, ids, null), 1e-6, `${arch} step 2`);
      expect(Array.from(new Uint32Array(got.y.buffer, 0, B))).toEqual(Array.from(ids, (i) => d.train.y[i]));
      t.destroy();
    });
  }

  it("with crop-flip each training batch is cropped and flipped as augmentOffsets says for the step's seed; eval never is", async () => {
    const c = config({ data: { augment: 'crop-flip' } });
    const d = await dataset(c);
    const t = await trainer(c);
    const ids = batches(c, d.train.n, 3);
    for (const step of [1, 2, 3]) {
      await records(t, 1);
      const got = await t.engine.readBatch();
      expectClose(got.x, expectedBatch(d.train.pixels, ids[step - 1]!, augmentSeed(c.seed, step)), 1e-6, `step ${step}`);
      expect(got.x, `step ${step} is augmented`).not.toEqual(expectedBatch(d.train.pixels, ids[step - 1]!, null));
    }
    // The test set in one chunk of B: samples 0..5, then 0 and 1 again, plain.
    await t.evaluate();
    const evalBatch = await t.engine.readBatch();
    expectClose(evalBatch.x, expectedBatch(d.test.pixels, [0, 1, 2, 3, 4, 5, 0, 1], null), 1e-6, 'eval');
    t.destroy();
  });

  it('crop-flip, resumed: 5 + 5 steps equal 10 unbroken, loss for loss (the seed follows the step, not the process)', async () => {
    const c = config({ data: { augment: 'crop-flip' }, train: { optimizer: 'momentum', lr: 0.05 } });
    const whole = await trainer(c);
    const expected = await records(whole, 10);
    const first = await trainer(c);
    await records(first, 5);
    const file = decodeSafetensors(await saveCheckpoint(first.store, c, [], { optimizer: 'momentum', state: first.trainingState(), divergedAt: null }));
    const resumed = await trainer(c);
    loadCheckpoint(resumed.store, file, 'ck');
    loadOptimizerState(resumed.store, file, 'momentum', 'ck');
    resumed.restore(savedTraining(file, 'ck'));
    const rest = await records(resumed, 5);
    expect(rest.map((r) => r.loss)).toEqual(expected.slice(5).map((r) => r.loss));
    // Without augmentation the same run has other losses: the seed word reaches the gather.
    const plain = await trainer(config({ train: { optimizer: 'momentum', lr: 0.05 } }));
    expect((await records(plain, 10)).map((r) => r.loss)).not.toEqual(expected.map((r) => r.loss));
    for (const t of [whole, first, resumed, plain]) t.destroy();
  });
});
