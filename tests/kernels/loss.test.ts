import { expectSpecMatchesWgsl } from '../helpers/specs.ts';
import { describe, expect, it } from 'vitest';
import type { KernelContext } from '../../src/gpu/context.ts';
import { Rng } from '../../src/math/prng.ts';
import { readF32, upload, zeros } from '../../src/gpu/transfer.ts';
import {
  LOSS_OUT_FLOATS,
  ROW_STAT,
  ROW_STATS_PER_ROW,
  lossSpec,
  meanSquaredError,
  readLossResult,
  softmaxCrossEntropy,
  type LossResult,
} from '../../src/kernels/loss.ts';
import { SHADERS } from '../../src/kernels/shaders.ts';
import * as ref from '../../src/reference/index.ts';
import { expectClose, randn, run, testContext } from '../helpers/gpu.ts';

const BATCHES = [1, 3, 17, 255];
const TOL = 1e-4;


function randomLabels(rng: Rng, B: number, C: number): Uint32Array {
  return Uint32Array.from({ length: B }, () => rng.int(C));
}

/** Row stats prefilled with a value no kernel writes, so a word left unwritten shows. */
const uploadRowStats = (ctx: KernelContext, B: number) => upload(ctx, new Float32Array(ROW_STATS_PER_ROW * B).fill(-7));

/** One word of every row of the row stats, e.g. each row's predicted class. */
const column = (rows: Float32Array, word: number): number[] => Array.from({ length: rows.length / ROW_STATS_PER_ROW }, (_, r) => rows[r * ROW_STATS_PER_ROW + word]!);

interface CrossEntropyResult {
  dlogits: Float32Array;
  out: LossResult;
  rowStats: Float32Array;
}

/** Run the cross-entropy kernels; returns dlogits, the per-row stats and the decoded output buffer. */
async function crossEntropy(ctx: KernelContext, logits: Float32Array, labels: Uint32Array, B: number, C: number): Promise<CrossEntropyResult> {
  const t = {
    logits: upload(ctx, logits),
    labels: upload(ctx, labels),
    dlogits: zeros(ctx, B * C),
    rowStats: uploadRowStats(ctx, B),
    out: zeros(ctx, LOSS_OUT_FLOATS),
  };
  await run(ctx, ...(await softmaxCrossEntropy(ctx, B, C, t)));
  return {
    dlogits: await readF32(ctx, t.dlogits, B * C),
    out: readLossResult(await readF32(ctx, t.out, LOSS_OUT_FLOATS)),
    rowStats: await readF32(ctx, t.rowStats, ROW_STATS_PER_ROW * B),
  };
}

function checkCrossEntropy(got: CrossEntropyResult, logits: Float32Array, labels: Uint32Array, B: number, C: number): void {
  const want = ref.softmaxCrossEntropy(logits, labels, B, C);
  const at = `B=${B} C=${C}`;
  expectClose(got.dlogits, want.dlogits, TOL, `dlogits ${at}`);
  expectClose([got.out.loss], [want.loss], TOL, `loss ${at}`);
  expect(got.out.correct, `correct ${at}`).toBe(want.correct);
  // The first argmax of each row, as the evaluation reads it back: exact, ties to the lower class.
  expect(column(got.rowStats, ROW_STAT.predicted), `predicted ${at}`).toEqual(Array.from(want.predicted));
  expect(column(got.rowStats, ROW_STAT.hit), `hit ${at}`).toEqual(Array.from(want.predicted, (p, r) => (p === labels[r] ? 1 : 0)));
}

describe('softmax cross-entropy against the float64 reference', () => {
  for (const C of [2, 3, 10, 257]) {
    for (const B of BATCHES) {
      it(`loss, dlogits, correct count and predicted classes ${B}x${C}`, async () => {
        const ctx = await testContext();
        const rng = new Rng(B * 1009 + C);
        const logits = randn(rng, B * C, 3);
        const labels = randomLabels(rng, B, C);
        checkCrossEntropy(await crossEntropy(ctx, logits, labels, B, C), logits, labels, B, C);
      });
    }
  }

  it('stays finite for logits of ±1e4', async () => {
    const ctx = await testContext();
    const [B, C] = [17, 10];
    const rng = new Rng(3);
    const logits = Float32Array.from({ length: B * C }, () => (rng.uniform() < 0.5 ? -1e4 : 1e4) * (0.5 + rng.uniform()));
    const labels = randomLabels(rng, B, C);
    const got = await crossEntropy(ctx, logits, labels, B, C);
    expect(got.dlogits.every(Number.isFinite), 'dlogits finite').toBe(true);
    expect(Number.isFinite(got.out.loss), 'loss finite').toBe(true);
    checkCrossEntropy(got, logits, labels, B, C);
  });

  it('breaks argmax ties toward the first class', async () => {
    const ctx = await testContext();
    const [B, C] = [4, 70]; // wider than a workgroup's 64 threads, so ties meet across threads too
    const logits = new Float32Array(B * C);
    logits.fill(2, 0 * C, 1 * C); // row 0: all tied, argmax 0
    logits[1 * C + 5] = 1; // row 1: tie between columns 5 and 69
    logits[1 * C + 69] = 1;
    logits[3 * C + 64] = 7; // row 3: the max sits past the first stride
    const labels = new Uint32Array([0, 5, 0, 64]); // row 2: all zero, argmax 0
    const got = await crossEntropy(ctx, logits, labels, B, C);
    expect(got.out.correct).toBe(4);
    checkCrossEntropy(got, logits, labels, B, C);
  });

  it('predicts the first argmax on rows full of ties, wider than a workgroup and past 2⁸ classes', async () => {
    const ctx = await testContext();
    for (const [B, C] of [[33, 131], [5, 257], [64, 1000]] as const) {
      const rng = new Rng(B + C);
      // Three levels only: most rows tie at their max across many columns and threads.
      const logits = Float32Array.from({ length: B * C }, () => rng.int(3));
      const labels = randomLabels(rng, B, C);
      checkCrossEntropy(await crossEntropy(ctx, logits, labels, B, C), logits, labels, B, C);
    }
  });

  it('makes the loss NaN for a label that is not a class', async () => {
    const ctx = await testContext();
    const got = await crossEntropy(ctx, new Float32Array(6), new Uint32Array([1, 3]), 2, 3);
    expect(got.out.loss).toBeNaN();
  });
});

describe('mean squared error against the float64 reference', () => {
  for (const C of [1, 2, 3, 10, 257]) {
    for (const B of BATCHES) {
      it(`loss and dpred ${B}x${C}`, async () => {
        const ctx = await testContext();
        const rng = new Rng(B * 2003 + C);
        const pred = randn(rng, B * C, 2);
        const target = randn(rng, B * C);
        const t = {
          pred: upload(ctx, pred),
          target: upload(ctx, target),
          dpred: zeros(ctx, B * C),
          rowStats: uploadRowStats(ctx, B),
          out: zeros(ctx, LOSS_OUT_FLOATS),
        };
        await run(ctx, ...(await meanSquaredError(ctx, B, C, t)));
        const want = ref.meanSquaredError(pred, target, B, C);
        const at = `B=${B} C=${C}`;
        expectClose(await readF32(ctx, t.dpred, B * C), want.dpred, TOL, `dpred ${at}`);
        const out = readLossResult(await readF32(ctx, t.out, LOSS_OUT_FLOATS));
        expectClose([out.loss], [want.loss], TOL, `loss ${at}`);
        expect(out.correct).toBe(0);
        const rows = await readF32(ctx, t.rowStats, ROW_STATS_PER_ROW * B);
        expect([...column(rows, ROW_STAT.hit), ...column(rows, ROW_STAT.predicted)], `hit and predicted ${at}`).toEqual(new Array(2 * B).fill(0));
      });
    }
  }
});

describe('loss wrappers', () => {
  it('specs match the WGSL bindings', () => {
    expectSpecMatchesWgsl(lossSpec('cross_entropy', 'softmax_cross_entropy'), { names: true });
    expectSpecMatchesWgsl(lossSpec('cross_entropy', 'loss_reduce'), { names: true });
    expectSpecMatchesWgsl(lossSpec('mse', 'mean_squared_error'), { names: true });
    expectSpecMatchesWgsl(lossSpec('mse', 'loss_reduce'), { names: true });
  });

  it('the WGSL lays out row stats as ROW_STATS_PER_ROW says', () => {
    expect(SHADERS.loss.code).toContain(`const ROW_STATS: u32 = ${ROW_STATS_PER_ROW}u;`);
  });

  it('names the tensor that is too small', async () => {
    const ctx = await testContext();
    const [B, C] = [4, 3];
    const t = {
      logits: zeros(ctx, B * C),
      labels: zeros(ctx, B - 1),
      dlogits: zeros(ctx, B * C),
      rowStats: zeros(ctx, ROW_STATS_PER_ROW * B),
      out: zeros(ctx, LOSS_OUT_FLOATS),
    };
    expect(() => softmaxCrossEntropy(ctx, B, C, t)).toThrow(/softmaxCrossEntropy: labels holds 3 words, needs 4 \(B = 4 class ids\)/);
    const mse = { pred: zeros(ctx, B * C), target: zeros(ctx, B * C), dpred: zeros(ctx, B * C - 1), rowStats: t.rowStats, out: t.out };
    expect(() => meanSquaredError(ctx, B, C, mse)).toThrow(/dpred holds 11 words, needs 12 \(B×C = 4×3\)/);
    expect(() => meanSquaredError(ctx, B, C, { ...mse, dpred: zeros(ctx, B * C), rowStats: zeros(ctx, 2 * B) })).toThrow(/rowStats holds 8 words, needs 12 \(3·B = 3·4\)/);
    expect(() => meanSquaredError(ctx, B, 0, mse)).toThrow(/C must be a positive integer/);
  });
});
