import { expectSpecMatchesWgsl } from '../helpers/specs.ts';
import { describe, expect, it } from 'vitest';
import type { BufferRange } from '../../src/gpu/kernel.ts';
import { Rng } from '../../src/math/prng.ts';
import { readF32, upload, zeros } from '../../src/gpu/transfer.ts';
import {
  batchNormBackward,
  batchNormForwardEval,
  batchNormForwardTrain,
  layerNormBackward,
  layerNormForward,
  normSpec,
  type NormEntry,
} from '../../src/kernels/norm.ts';
import { batchNormStrategy, isCpuAdapter, layerNormStrategy, type BatchNormStrategy, type LayerNormStrategy } from '../../src/kernels/tunables.ts';
import * as ref from '../../src/reference/index.ts';
import { expectClose, randn, run, testContext } from '../helpers/gpu.ts';

/**
 * B×F: single samples and features, odd sizes around the 16-column tiles and 64-thread rows, and rows
 * and columns longer than 4096 (many strides per thread).
 */
const SHAPES: readonly (readonly [number, number])[] = [
  [1, 1],
  [1, 17],
  [3, 5],
  [17, 63],
  [65, 257],
  [255, 3],
  [128, 1000],
  [2, 4099],
  [4099, 2],
];
const TOL = 1e-4;


interface Case {
  x: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  dy: Float32Array;
}

/** A large offset (x = 100 + randn) makes a one-pass E[x²] − E[x]² variance lose every digit in f32. */
function makeCase(rng: Rng, B: number, F: number, offset: number): Case {
  const x = randn(rng, B * F).map((v) => v + offset);
  const gamma = randn(rng, F, 0.5).map((v) => v + 1);
  return { x, gamma, beta: randn(rng, F, 0.5), dy: randn(rng, B * F) };
}

async function checkLayerNorm(B: number, F: number, offset: number, strategy: LayerNormStrategy): Promise<void> {
  const ctx = await testContext();
  const c = makeCase(new Rng(B * 7919 + F + offset), B, F, offset);
  const x = upload(ctx, c.x);
  const gamma = upload(ctx, c.gamma);
  const [y, mean, rstd, dx, dgamma, dbeta] = [B * F, B, B, B * F, F, F].map((n) => zeros(ctx, n)) as BufferRange[];
  const t = { x, gamma, mean: mean!, rstd: rstd! };
  await run(
    ctx,
    await layerNormForward(ctx, B, F, { ...t, beta: upload(ctx, c.beta), y: y! }, strategy),
    ...(await layerNormBackward(ctx, B, F, { ...t, dy: upload(ctx, c.dy), dx: dx!, dgamma: dgamma!, dbeta: dbeta! }, strategy)),
  );
  const want = ref.layerNormForward(c.x, B, F, c.gamma, c.beta);
  const at = `B=${B} F=${F} ${strategy}`;
  expectClose(await readF32(ctx, y!, B * F), want.y, TOL, `y ${at}`);
  expectClose(await readF32(ctx, mean!, B), want.mean, TOL, `mean ${at}`);
  expectClose(await readF32(ctx, rstd!, B), want.rstd, TOL, `rstd ${at}`);
  const g = ref.layerNormBackward(c.dy, c.x, B, F, c.gamma, want.mean, want.rstd);
  expectClose(await readF32(ctx, dx!, B * F), g.dx, TOL, `dx ${at}`);
  expectClose(await readF32(ctx, dgamma!, F), g.dgamma, TOL, `dgamma ${at}`);
  expectClose(await readF32(ctx, dbeta!, F), g.dbeta, TOL, `dbeta ${at}`);
}

/** Two training forwards (running stats after both), backward of the second, then eval. */
async function checkBatchNorm(B: number, F: number, offset: number, strategy: BatchNormStrategy): Promise<void> {
  const ctx = await testContext();
  const rng = new Rng(B * 7919 + F + offset + 1);
  const [c1, c2] = [makeCase(rng, B, F, offset), makeCase(rng, B, F, offset)];
  const gamma = upload(ctx, c1.gamma);
  const beta = upload(ctx, c1.beta);
  // PyTorch's initial running stats.
  const runMean0 = new Float32Array(F);
  const runVar0 = new Float32Array(F).fill(1);
  const [runningMean, runningVar] = [upload(ctx, runMean0), upload(ctx, runVar0)];
  const [y, mean, rstd, dx, dgamma, dbeta, yEval] = [B * F, F, F, B * F, F, F, B * F].map((n) => zeros(ctx, n)) as BufferRange[];
  const stats = { gamma, mean: mean!, rstd: rstd! };
  const [x1, x2] = [upload(ctx, c1.x), upload(ctx, c2.x)];
  const train = { ...stats, beta, y: y!, runningMean, runningVar };
  await run(
    ctx,
    await batchNormForwardTrain(ctx, B, F, { ...train, x: x1 }, strategy),
    await batchNormForwardTrain(ctx, B, F, { ...train, x: x2 }, strategy),
    await batchNormBackward(ctx, B, F, { ...stats, x: x2, dy: upload(ctx, c2.dy), dx: dx!, dgamma: dgamma!, dbeta: dbeta! }, strategy),
    await batchNormForwardEval(ctx, B, F, { x: x2, gamma, beta, runningMean, runningVar, y: yEval! }),
  );
  const at = `B=${B} F=${F} ${strategy}`;
  const s1 = ref.batchNormForwardTrain(c1.x, B, F, c1.gamma, c1.beta, runMean0, runVar0);
  const s2 = ref.batchNormForwardTrain(c2.x, B, F, c1.gamma, c1.beta, s1.runningMean, s1.runningVar);
  expectClose(await readF32(ctx, y!, B * F), s2.y, TOL, `y ${at}`);
  expectClose(await readF32(ctx, mean!, F), s2.mean, TOL, `mean ${at}`);
  expectClose(await readF32(ctx, rstd!, F), s2.rstd, TOL, `rstd ${at}`);
  expectClose(await readF32(ctx, runningMean, F), s2.runningMean, TOL, `running mean ${at}`);
  expectClose(await readF32(ctx, runningVar, F), s2.runningVar, TOL, `running var ${at}`);
  const g = ref.batchNormBackward(c2.dy, c2.x, B, F, c1.gamma, s2.mean, s2.rstd);
  expectClose(await readF32(ctx, dx!, B * F), g.dx, TOL, `dx ${at}`);
  expectClose(await readF32(ctx, dgamma!, F), g.dgamma, TOL, `dgamma ${at}`);
  expectClose(await readF32(ctx, dbeta!, F), g.dbeta, TOL, `dbeta ${at}`);
  const ev = ref.batchNormForwardEval(c2.x, B, F, c1.gamma, c1.beta, s2.runningMean, s2.runningVar);
  expectClose(await readF32(ctx, yEval!, B * F), ev, TOL, `eval y ${at}`);
}

// One test per case: a failure names its shape, and `-t` can run one alone.
for (const offset of [0, 100]) {
  describe(`layer norm against the float64 reference, x = ${offset} + randn`, () => {
    for (const strategy of ['workgroup', 'rows'] as const) {
      for (const [B, F] of SHAPES) it(`forward and backward ${B}x${F}, ${strategy}`, () => checkLayerNorm(B, F, offset, strategy));
    }
  });
  describe(`batch norm against the float64 reference, x = ${offset} + randn`, () => {
    for (const strategy of ['workgroup', 'cols'] as const) {
      for (const [B, F] of SHAPES) it(`train twice, backward, eval ${B}x${F}, ${strategy}`, () => checkBatchNorm(B, F, offset, strategy));
    }
  });
}

describe('norm kernels', () => {
  it('layer norm goes row by row (batch norm column by column) on short runs and on CPU adapters, by workgroup on long ones on a GPU', () => {
    const swiftshader = { architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0' };
    const gpu = { architecture: 'ampere', device: '', description: 'NVIDIA GeForce RTX 3070' };
    expect([isCpuAdapter(swiftshader), isCpuAdapter(gpu), isCpuAdapter({ architecture: '', device: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })]).toEqual([true, false, true]);
    expect([layerNormStrategy(32), layerNormStrategy(256), layerNormStrategy(257), layerNormStrategy(4096, true)]).toEqual(['rows', 'rows', 'workgroup', 'rows']);
    expect([batchNormStrategy(64), batchNormStrategy(512), batchNormStrategy(512, true)]).toEqual(['cols', 'workgroup', 'cols']);
  });

  it('specs match the WGSL bindings', () => {
    const entries: NormEntry[] = [
      'layer_norm_forward',
      'layer_norm_backward',
      'layer_norm_backward_params',
      'layer_norm_forward_rows',
      'layer_norm_backward_rows',
      'layer_norm_backward_params_cols',
      'batch_norm_forward_train_cols',
      'batch_norm_backward_cols',
      'batch_norm_forward_train',
      'batch_norm_forward_eval',
      'batch_norm_backward',
    ];
    for (const entry of entries) expectSpecMatchesWgsl(normSpec(entry), { names: true });
  });

  it('repeats bit for bit (fixed reduction order)', async () => {
    const ctx = await testContext();
    const [B, F] = [255, 33];
    const c = makeCase(new Rng(5), B, F, 3);
    const t = { x: upload(ctx, c.x), gamma: upload(ctx, c.gamma), mean: zeros(ctx, F), rstd: zeros(ctx, F) };
    const stats = { runningMean: zeros(ctx, F), runningVar: zeros(ctx, F), beta: upload(ctx, c.beta), y: zeros(ctx, B * F) };
    const grads = { dy: upload(ctx, c.dy), dx: zeros(ctx, B * F), dgamma: zeros(ctx, F), dbeta: zeros(ctx, F) };
    const step = [await batchNormForwardTrain(ctx, B, F, { ...t, ...stats }), await batchNormBackward(ctx, B, F, { ...t, ...grads })];
    await run(ctx, ...step);
    const first = [await readF32(ctx, t.rstd, F), await readF32(ctx, grads.dgamma, F)];
    await run(ctx, ...step);
    const second = [await readF32(ctx, t.rstd, F), await readF32(ctx, grads.dgamma, F)];
    expect(second.map((a) => Array.from(a))).toEqual(first.map((a) => Array.from(a)));
  });
});

describe('norm wrappers check shapes', () => {
  it('names the tensor that is too small', async () => {
    const ctx = await testContext();
    const [B, F] = [4, 8];
    const ok = (n: number): BufferRange => zeros(ctx, n);
    const t = { x: ok(B * F), gamma: ok(F), beta: ok(F - 1), y: ok(B * F), mean: ok(B), rstd: ok(B) };
    expect(() => layerNormForward(ctx, B, F, t)).toThrow(/layerNormForward: beta holds 7 floats, needs 8 \(F = 8\)/);
    const bad = { ...t, beta: ok(F), mean: ok(B - 1) };
    expect(() => layerNormForward(ctx, B, F, bad)).toThrow(/mean holds 3 floats, needs 4 \(B = 4\)/);
    const bn = { ...t, beta: ok(F), mean: ok(F), rstd: ok(F), runningMean: ok(F), runningVar: ok(F), x: ok(B * F - 1) };
    expect(() => batchNormForwardTrain(ctx, B, F, bn)).toThrow(/x holds 31 floats, needs 32 \(B×F = 4×8\)/);
    expect(() => batchNormForwardEval(ctx, 0, F, bn)).toThrow(/B must be a positive integer/);
  });
});
