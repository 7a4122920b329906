import { describe, expect, it } from 'vitest';
import type { KernelContext } from '../../src/gpu/context.ts';
import type { BufferRange } from '../../src/gpu/kernel.ts';
import { readF32, upload, zeros } from '../../src/gpu/transfer.ts';
import {
  augmentOffsets,
  gatherImagesSpec,
  gatherImagesU8,
  gatherSpec,
  packBytes,
  type ImageGatherOptions,
  type ImageShape,
} from '../../src/kernels/data.ts';
import { Rng } from '../../src/math/prng.ts';
import { expectClose, run, testContext } from '../helpers/gpu.ts';
import { expectSpecMatchesWgsl } from '../helpers/specs.ts';

const TOL = 1e-6;
const MEAN = [0.4914, 0.4822, 0.4465];
const STD = [0.247, 0.2435, 0.2616];

const norm = (C: number, augment: boolean, pad = 4): ImageGatherOptions => ({ augment, pad, mean: MEAN.slice(0, C), std: STD.slice(0, C) });

/** The kernel in float32 steps: crop offsets and flips from augmentOffsets, padding as 0 bytes. */
function reference(bytes: Uint8Array, ids: readonly number[], seed: number, { H, W, C }: ImageShape, o: ImageGatherOptions): Float32Array {
  const out = new Float32Array(ids.length * H * W * C);
  const f = Math.fround;
  ids.forEach((id, s) => {
    const a = o.augment ? augmentOffsets(seed, s, o.pad) : { dy: 0, dx: 0, flip: false };
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const [sy, sx] = [y + a.dy, (a.flip ? W - 1 - x : x) + a.dx];
        const inside = sy >= 0 && sy < H && sx >= 0 && sx < W;
        for (let c = 0; c < C; c++) {
          const byte = inside ? bytes[((id * H + sy) * W + sx) * C + c]! : 0;
          out[((s * H + y) * W + x) * C + c] = f(f(f(byte / 255) - f(o.mean[c]!)) / f(o.std[c]!));
        }
      }
    }
  });
  return out;
}

interface Case {
  ctx: KernelContext;
  shape: ImageShape;
  bytes: Uint8Array;
  ids: number[];
  t: { index: BufferRange; src: BufferRange; dst: BufferRange };
}

function makeCase(ctx: KernelContext, shape: ImageShape, images: number, B: number, seed: number): Case {
  const rng = new Rng(seed);
  const bytes = Uint8Array.from({ length: images * shape.H * shape.W * shape.C }, () => rng.int(256));
  // Repeats on purpose: the same image twice in a batch gets two independent augmentations.
  const ids = Array.from({ length: B }, (_, s) => (s % 3 === 2 ? 0 : rng.int(images)));
  const t = { index: zeros(ctx, B + 1), src: upload(ctx, packBytes(bytes)), dst: zeros(ctx, B * shape.H * shape.W * shape.C) };
  return { ctx, shape, bytes, ids, t };
}

/** Write the ids and the step seed after them, as a trainer does each step, run, read dst back. */
async function step(k: Case, d: Awaited<ReturnType<typeof gatherImagesU8>>, seed: number): Promise<Float32Array> {
  k.ctx.device.queue.writeBuffer(k.t.index.buffer, 0, Uint32Array.from([...k.ids, seed]));
  await run(k.ctx, d);
  return readF32(k.ctx, k.t.dst, k.ids.length * k.shape.H * k.shape.W * k.shape.C);
}

describe('gather_images_u8 against the float32 reference', () => {
  it('declares the bindings of its spec and leaves gather_rows and gather_labels their four', () => {
    for (const augment of [false, true]) expectSpecMatchesWgsl(gatherImagesSpec(augment), { exhaustive: true });
    expectSpecMatchesWgsl(gatherSpec('gather_rows'), { exhaustive: true });
    expectSpecMatchesWgsl(gatherSpec('gather_labels'), { exhaustive: true });
  });

  const SHAPES: [ImageShape, number, number][] = [
    [{ H: 5, W: 7, C: 3 }, 4, 2],
    [{ H: 32, W: 32, C: 3 }, 6, 4],
    [{ H: 9, W: 4, C: 1 }, 3, 3],
  ];
  for (const [shape, images, pad] of SHAPES) {
    for (const B of [1, 3, 13]) {
      const at = `${shape.H}×${shape.W}×${shape.C} B=${B}`;
      it(`${at}: plain gather and normalize without augmentation`, async () => {
        const ctx = await testContext();
        const k = makeCase(ctx, shape, images, B, B * 31 + shape.W);
        const o = norm(shape.C, false);
        const got = await step(k, await gatherImagesU8(ctx, B, shape, k.t, o), 12345);
        expectClose(got, reference(k.bytes, k.ids, 0, shape, o), TOL, `${at} eval`);
      });

      it(`${at}: pad-${pad} crop and flip as augmentOffsets says, for three seeds`, async () => {
        const ctx = await testContext();
        const k = makeCase(ctx, shape, images, B, B * 17 + shape.H);
        const o = norm(shape.C, true, pad);
        const d = await gatherImagesU8(ctx, B, shape, k.t, o);
        for (const seed of [0, 7, 0xfffffff3]) {
          expectClose(await step(k, d, seed), reference(k.bytes, k.ids, seed, shape, o), TOL, `${at} seed ${seed}`);
        }
      });
    }
  }

  it('pads with zero pixels, (0 − mean) / std after normalizing, not with zeros', async () => {
    const ctx = await testContext();
    const shape = { H: 5, W: 7, C: 3 };
    const k = makeCase(ctx, shape, 2, 64, 5);
    const got = await step(k, await gatherImagesU8(ctx, 64, shape, k.t, norm(3, true, 4)), 99);
    // Sample s whose crop moved down by dy > 0 shows padding in its last dy rows.
    const s = k.ids.findIndex((_, i) => augmentOffsets(99, i, 4).dy > 0);
    const last = ((s * 5 + 4) * 7 + 3) * 3;
    expect([...got.subarray(last, last + 3)].map((v) => v.toFixed(5))).toEqual(MEAN.map((m, c) => (-m / STD[c]!).toFixed(5)));
  });

  it('takes a new seed each step with nothing created or rebuilt', async () => {
    const ctx = await testContext();
    const shape = { H: 32, W: 32, C: 3 };
    const k = makeCase(ctx, shape, 5, 9, 3);
    const o = norm(3, true);
    const d = await gatherImagesU8(ctx, 9, shape, k.t, o);
    const first = await step(k, d, 1);
    const counts = () => ({ ...ctx.created, ...ctx.pipelines.created });
    const before = counts();
    const again = await gatherImagesU8(ctx, 9, shape, k.t, o);
    const second = await step(k, again, 2);
    expect([again.pipeline, again.bindGroup]).toEqual([d.pipeline, d.bindGroup]);
    expect(counts()).toEqual(before);
    expect(second).not.toEqual(first);
    expectClose(second, reference(k.bytes, k.ids, 2, shape, o), TOL, 'seed 2');
  });

  it('refuses shapes, statistics and buffers that do not fit, saying what is needed', async () => {
    const ctx = await testContext();
    const shape = { H: 5, W: 7, C: 3 };
    const k = makeCase(ctx, shape, 2, 4, 1);
    const bad = (B: number, s: ImageShape, o: ImageGatherOptions, t = k.t) => gatherImagesU8(ctx, B, s, t, o);
    await expect(bad(0, shape, norm(3, true))).rejects.toThrow('B must be an integer ≥ 1 (got 0)');
    await expect(bad(4, { ...shape, C: 5 }, norm(3, true))).rejects.toThrow('C must be at most 4 (got 5)');
    await expect(bad(4, shape, norm(1, true))).rejects.toThrow('mean and std need one value per channel, 3 (got 1 and 1)');
    await expect(bad(4, shape, { ...norm(3, true), std: [1, 0, 1] })).rejects.toThrow('std finite and > 0');
    await expect(bad(4, shape, norm(3, true, 8))).rejects.toThrow('pad must be an integer from 0 to 7 (got 8)');
    await expect(bad(5, shape, norm(3, true))).rejects.toThrow('index holds 5 words, needs 5 ids and then the step seed');
    await expect(bad(5, shape, norm(3, false))).rejects.toThrow('dst holds 420 floats, needs 525');
    await expect(bad(4, shape, norm(3, false), { ...k.t, src: zeros(ctx, 20) })).rejects.toThrow('src holds 80 bytes, less than one 5×7×3 image');
  });
});

describe('augmentOffsets', () => {
  it('covers every offset in [-pad, pad]² and both flips about evenly', () => {
    for (const pad of [1, 4]) {
      const n = 2 * pad + 1;
      const cells = new Array<number>(n * n).fill(0);
      let flips = 0;
      const draws = 400 * n * n;
      for (let i = 0; i < draws; i++) {
        // Steps' seeds as a trainer would pass them (consecutive), and batch positions within each.
        const a = augmentOffsets(Math.floor(i / 128), i % 128, pad);
        cells[(a.dy + pad) * n + a.dx + pad]!++;
        flips += +a.flip;
      }
      // 400 expected per cell, so ±25% is 5 standard deviations; the flip rate gets 5 too.
      expect(Math.min(...cells), `pad ${pad}: rarest offset`).toBeGreaterThan(300);
      expect(Math.max(...cells), `pad ${pad}: commonest offset`).toBeLessThan(500);
      expect(Math.abs(flips / draws - 0.5), `pad ${pad}: flip rate`).toBeLessThan(5 * 0.5 / Math.sqrt(draws));
    }
  });

  it('is a pure function of (seed, sample, pad) and pad 0 never shifts', () => {
    expect(augmentOffsets(42, 3, 4)).toEqual(augmentOffsets(42, 3, 4));
    expect(augmentOffsets(42, 3, 4)).not.toEqual(augmentOffsets(43, 3, 4));
    for (let s = 0; s < 50; s++) expect(augmentOffsets(s, 1, 0)).toMatchObject({ dy: 0, dx: 0 });
  });
});
