import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/math/prng.ts';
import { readF32, upload, zeros } from '../../src/gpu/transfer.ts';
import { alphaGrad, biasGrad, columnSegments } from '../../src/kernels/linear.ts';
import { segmentNorms } from '../../src/kernels/reduce.ts';
import * as ref from '../../src/reference/index.ts';
import { expectClose, randn, run, testContext } from '../helpers/gpu.ts';

describe('small-parameter gradients against float64', () => {
  it('bias grad: column sums over 37 rows of 13 and of 70 columns', async () => {
    const ctx = await testContext();
    const rng = new Rng(61);
    for (const cols of [13, 70]) {
      const rows = 37;
      const dz = randn(rng, rows * cols);
      const db = zeros(ctx, cols);
      await run(ctx, await biasGrad(ctx, rows, cols, { dz: upload(ctx, dz), db }));
      const want = Array.from({ length: cols }, (_, j) => Array.from({ length: rows }, (_, i) => dz[i * cols + j]!).reduce((a, b) => a + b, 0));
      expectClose(await readF32(ctx, db, cols), want, 1e-5, `${cols} columns`);
    }
  });

  it('bias grad with norms: the same sums, and ‖dz‖ per layer exact from 1e-25 to 1e25', async () => {
    const ctx = await testContext();
    const rng = new Rng(67);
    const rows = 19;
    const layers = [
      { cols: 13, scale: 1 },
      { cols: 8, scale: 1e-25 },
      { cols: 5, scale: 1e25 },
      { cols: 3, scale: 1e-3 },
    ];
    const total = layers.reduce((a, l) => a + l.cols, 0);
    const partials = zeros(ctx, 3 * total);
    const plan = columnSegments(layers.map((l) => l.cols));
    const norms = zeros(ctx, layers.length + 1);
    const dispatches = [];
    const cases = [];
    let base = 0;
    for (const { cols, scale } of layers) {
      const dz = randn(rng, rows * cols, scale);
      const db = zeros(ctx, cols);
      dispatches.push(await biasGrad(ctx, rows, cols, { dz: upload(ctx, dz), db, norms: { partials, base } }));
      cases.push({ dz, db, cols });
      base += cols;
    }
    dispatches.push(await segmentNorms(ctx, { plan, segs: upload(ctx, plan.table), partials, out: norms, outBase: 1 }));
    await run(ctx, ...dispatches);
    const got = await readF32(ctx, norms, layers.length + 1);
    expect(got[0], 'outBase respected').toBe(0);
    for (const [l, { dz, db, cols }] of cases.entries()) {
      const sums = Array.from({ length: cols }, (_, j) => Array.from({ length: rows }, (_, i) => dz[i * cols + j]!).reduce((a, b) => a + b, 0));
      expectClose(await readF32(ctx, db, cols), sums, 1e-5, `layer ${l} db`);
      const want = Math.sqrt(ref.segmentedSumSquares(Float64Array.from(dz), [{ offset: 0, length: dz.length }])[0]!);
      expect(Math.abs(got[l + 1]! / want - 1), `layer ${l} ‖dz‖ = ${got[l + 1]}, want ${want}`).toBeLessThan(1e-5);
    }
  });

  it('alpha grad: Σ dh ⊙ φ(u) over 1,000 entries', async () => {
    const ctx = await testContext();
    const rng = new Rng(71);
    const n = 1000;
    const [dh, u] = [randn(rng, n), randn(rng, n, 2)];
    const out = zeros(ctx, 1);
    await run(ctx, await alphaGrad(ctx, 'tanh', n, { dh: upload(ctx, dh), u: upload(ctx, u), dalpha: out }));
    const want = Array.from(dh).reduce((a, d, i) => a + d * ref.activate('tanh', u[i]!), 0);
    expectClose(await readF32(ctx, out, 1), [want], 1e-5, 'dα');
  });
});
