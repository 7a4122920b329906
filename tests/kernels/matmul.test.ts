import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/math/prng.ts';
import { readF32, upload, zeros } from '../../src/gpu/transfer.ts';
import { columnSegments } from '../../src/kernels/linear.ts';
import { matmul, rowNormsSupported, type MatmulShape } from '../../src/kernels/matmul.ts';
import { segmentNorms } from '../../src/kernels/reduce.ts';
import { MATMUL_TILINGS } from '../../src/kernels/tunables.ts';
import * as ref from '../../src/reference/index.ts';
import { expectClose, randn, run, testContext } from '../helpers/gpu.ts';

// Awkward shapes: 1s, primes, one past and one short of powers of two, K ≫ M, N, and non-square.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 17, 5],
  [17, 3, 63],
  [65, 63, 17],
  [1, 257, 3],
  [255, 1, 65],
  [7, 9, 2049],
  [128, 130, 96],
  // vec4-aligned in some transpose forms: exercises matmul_vec4, its clamped edges and its K tail.
  [12, 8, 1027],
  [64, 68, 36],
  [4, 3, 8],
  [20, 12, 16],
];
const TRANS: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];
const TILINGS = ['naive', 'reg8x8', 'vec4_8x8', 'vec4x2_16x8', 'vec4x4_8x8', 'tiled32', 'tiled64'] as const;

describe('matmul against the float64 reference', () => {
  for (const tilingName of TILINGS) {
    it(`${tilingName}: every transpose form on awkward shapes`, async () => {
      const ctx = await testContext();
      const rng = new Rng(11);
      const tiling = MATMUL_TILINGS[tilingName];
      for (const [M, N, K] of SHAPES) {
        for (const [transA, transB] of TRANS) {
          const shape: MatmulShape = { M, N, K, transA, transB };
          const a = randn(rng, M * K);
          const b = randn(rng, K * N);
          const c = zeros(ctx, M * N);
          await run(ctx, await matmul(ctx, shape, { kind: 'plain' }, { a: upload(ctx, a), b: upload(ctx, b), c }, tiling));
          const want = ref.matmul(a, b, M, N, K, { transA, transB });
          expectClose(await readF32(ctx, c, M * N), want, 1e-4, `${tilingName} ${M}×${N}×${K} tA=${transA} tB=${transB}`);
        }
      }
    });
  }
});

describe('matmul epilogues', () => {
  const [M, N, K] = [19, 68, 36];

  it('forward block: z = h·Wᵀ + b, h′ = φ(z), and the residual form h + α·φ(z)', async () => {
    const ctx = await testContext();
    const rng = new Rng(3);
    const h = randn(rng, M * K);
    const w = randn(rng, N * K, 0.3);
    const bias = randn(rng, N);
    const prev = randn(rng, M * N);
    const alpha = new Float32Array([0.37]);
    const z = ref.matmul(h, w, M, N, K, { transB: true }).map((v, i) => v + bias[i % N]!);
    for (const act of ref.ACTIVATIONS) {
      for (const residual of ['none', 'fixed', 'alpha'] as const) {
        for (const tiling of [MATMUL_TILINGS.reg8x8, MATMUL_TILINGS.vec4x4_8x8, MATMUL_TILINGS.tiled32]) {
          const [c, out2] = [zeros(ctx, M * N), zeros(ctx, M * N)];
          const t = { a: upload(ctx, h), b: upload(ctx, w), bias: upload(ctx, bias), addend: upload(ctx, prev), alpha: upload(ctx, alpha), c, out2 };
          await run(ctx, await matmul(ctx, { M, N, K, transB: true }, { kind: 'activate', act, bias: true, residual }, t, tiling));
          const s = residual === 'alpha' ? alpha[0]! : 1;
          const phi = ref.activationForward(act, z);
          const want = residual === 'none' ? phi : phi.map((p, i) => prev[i]! + s * p);
          expectClose(await readF32(ctx, c, M * N), z, 1e-4, `${act} z`);
          expectClose(await readF32(ctx, out2, M * N), want, 1e-4, `${act} ${residual} ${tiling.variant}`);
        }
      }
    }
  });

  it('backward: dh = dz·W + dh_next and du = α·dh ⊙ φ′(u) in one pass', async () => {
    const ctx = await testContext();
    const rng = new Rng(5);
    const dz = randn(rng, M * K);
    const w = randn(rng, K * N);
    const next = randn(rng, M * N);
    const u = randn(rng, M * N, 3);
    const alpha = new Float32Array([-1.5]);
    const dh = ref.matmul(dz, w, M, N, K).map((v, i) => v + next[i]!);
    for (const act of ref.ACTIVATIONS) {
      const [c, out2] = [zeros(ctx, M * N), zeros(ctx, M * N)];
      const t = { a: upload(ctx, dz), b: upload(ctx, w), addend: upload(ctx, next), aux: upload(ctx, u), alpha: upload(ctx, alpha), c, out2 };
      const grad = { kind: 'activateGrad', act, add: true, keepC: true, alpha: true } as const;
      await run(ctx, await matmul(ctx, { M, N, K }, grad, t, MATMUL_TILINGS.vec4x2_16x8));
      const du = ref.activationBackward(act, u, dh).map((v) => v * alpha[0]!);
      expectClose(await readF32(ctx, c, M * N), dh, 1e-4, `${act} dh`);
      expectClose(await readF32(ctx, out2, M * N), du, 1e-4, `${act} du`);
    }
  });

  it('weight gradient with its bias gradient in one pass: dW = dzᵀ·h and db = Σ dz, every tiling, awkward shapes', async () => {
    const ctx = await testContext();
    const rng = new Rng(9);
    // [out, in, batch]: dW is out × in over batch rows of dz (batch × out) and h (batch × in).
    for (const [out, inn, batch] of [[1, 1, 1], [3, 17, 5], [16, 16, 32], [12, 8, 33], [20, 16, 7], [17, 63, 65], [128, 128, 128], [10, 784, 33]] as const) {
      const dz = randn(rng, batch * out);
      const h = randn(rng, batch * inn);
      const dw = ref.matmul(dz, h, out, inn, batch, { transA: true });
      const db = Array.from({ length: out }, (_, o) => Array.from({ length: batch }, (_, r) => dz[r * out + o]!).reduce((x, y) => x + y, 0));
      for (const name of TILINGS) {
        const [c, out2] = [zeros(ctx, out * inn), zeros(ctx, out)];
        await run(ctx, await matmul(ctx, { M: out, N: inn, K: batch, transA: true }, { kind: 'weightGrad' }, { a: upload(ctx, dz), b: upload(ctx, h), c, out2 }, MATMUL_TILINGS[name]));
        expectClose(await readF32(ctx, c, out * inn), dw, 1e-4, `${name} dW ${out}×${inn}×${batch}`);
        expectClose(await readF32(ctx, out2, out), db, 1e-4, `${name} db ${out}×${inn}×${batch}`);
      }
    }
  });

  it('a logged step’s weight gradient also leaves each column’s Σ dz² partials: ‖dz‖ exact from 1e-25 to 1e25, every tiling', async () => {
    const ctx = await testContext();
    expect(rowNormsSupported(ctx.limits), `this adapter offers ${ctx.limits.maxStorageBuffersPerShaderStage} storage buffers a stage`).toBe(true);
    const rng = new Rng(13);
    // Layers of one net in a row: [out, in, batch, scale of dz]; their partials share one buffer, as a step's do.
    const layers = [
      [13, 17, 19, 1],
      [8, 16, 32, 1e-25],
      [5, 3, 33, 1e25],
      [16, 12, 7, 1e-3],
      [20, 16, 65, 1],
    ] as const;
    const total = layers.reduce((a, l) => a + l[0], 0);
    const plan = columnSegments(layers.map((l) => l[0]));
    for (const name of TILINGS) {
      const partials = zeros(ctx, 3 * total);
      const norms = zeros(ctx, layers.length);
      const dispatches = [];
      const cases = [];
      let base = 0;
      for (const [out, inn, batch, scale] of layers) {
        const dz = randn(rng, batch * out, scale);
        const h = randn(rng, batch * inn);
        const [c, out2] = [zeros(ctx, out * inn), zeros(ctx, out)];
        const t = { a: upload(ctx, dz), b: upload(ctx, h), c, out2, norms: partials };
        dispatches.push(await matmul(ctx, { M: out, N: inn, K: batch, transA: true }, { kind: 'weightGrad', normsBase: base }, t, MATMUL_TILINGS[name]));
        cases.push({ dz, h, c, out2, out, inn, batch });
        base += out;
      }
      dispatches.push(await segmentNorms(ctx, { plan, segs: upload(ctx, plan.table), partials, out: norms, outBase: 0 }));
      await run(ctx, ...dispatches);
      const got = await readF32(ctx, norms, layers.length);
      for (const [l, { dz, h, c, out2, out, inn, batch }] of cases.entries()) {
        expectClose(await readF32(ctx, c, out * inn), ref.matmul(dz, h, out, inn, batch, { transA: true }), 1e-4, `${name} layer ${l} dW`);
        const db = Array.from({ length: out }, (_, o) => Array.from({ length: batch }, (_, r) => dz[r * out + o]!).reduce((x, y) => x + y, 0));
        expectClose(await readF32(ctx, out2, out), db, 1e-4, `${name} layer ${l} db`);
        const want = Math.sqrt(ref.segmentedSumSquares(Float64Array.from(dz), [{ offset: 0, length: dz.length }])[0]!);
        expect(Math.abs(got[l]! / want - 1), `${name} layer ${l}: ‖dz‖ = ${got[l]}, want ${want}`).toBeLessThan(1e-5);
      }
    }
  });

  it('refuses short buffers and missing operands with the tensor named', async () => {
    const ctx = await testContext();
    const a = zeros(ctx, 6);
    await expect(matmul(ctx, { M: 3, N: 3, K: 3 }, { kind: 'plain' }, { a, b: zeros(ctx, 9), c: zeros(ctx, 9) })).rejects.toThrow(/a holds 6 floats, needs 9/);
    await expect(matmul(ctx, { M: 2, N: 3, K: 3 }, { kind: 'plain', bias: true }, { a, b: zeros(ctx, 9), c: zeros(ctx, 6) })).rejects.toThrow(/bias is required/);
  });
});
