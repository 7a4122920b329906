import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/math/prng.ts';
import { readF32, upload, zeros } from '../../src/gpu/transfer.ts';
import type { Activation } from '../../src/kernels/activation.ts';
import { layerStats, LAYER_STATS_FLOATS, saturationThreshold } from '../../src/kernels/stats.ts';
import * as ref from '../../src/reference/index.ts';
import { expectClose, randn, run, testContext } from '../helpers/gpu.ts';

/** Σh, Σh², #saturated and #dead of one layer in float64, from the definitions in DESIGN.md. */
function want(act: Activation, h: Float32Array, u: Float32Array, rows: number, cols: number): number[] {
  let sum = 0;
  let sq = 0;
  let saturated = 0;
  let dead = 0;
  const threshold = saturationThreshold(act);
  for (let i = 0; i < rows * cols; i++) {
    sum += h[i]!;
    sq += h[i]! ** 2;
    if (threshold > 0 && ref.activateGrad(act, u[i]!) < threshold) saturated++;
  }
  if (act === 'relu') {
    for (let c = 0; c < cols; c++) if (Array.from({ length: rows }, (_, r) => ref.activateGrad(act, u[r * cols + c]!)).every((d) => d === 0)) dead++;
  }
  return [sum, sq, saturated, dead];
}

describe('per-layer statistics against float64', () => {
  // 12 columns take the vec4 pass, 13 the one-column pass; 7 rows; layers at scattered offsets, out of order.
  for (const cols of [12, 13]) {
    for (const act of ['relu', 'sigmoid', 'tanh', 'gelu'] as const) {
      it(`${act}, ${cols} columns: moments, saturation and dead units of 5 layers`, async () => {
        const ctx = await testContext();
        const rng = new Rng(cols * 7 + act.length);
        const rows = 7;
        const n = rows * cols;
        const stride = Math.ceil((n + 9) / 4) * 4;
        const u = randn(rng, 5 * stride, 3);
        const h = randn(rng, 5 * stride + 8, 2);
        // A unit that never fires in layer 1, and one that fires only for the last sample in layer 3.
        for (let r = 0; r < rows; r++) u[stride + r * cols + 2] = -1 - r;
        for (let r = 0; r < rows; r++) u[3 * stride + r * cols + 5] = r === rows - 1 ? 0.5 : -2;
        const layers = [3, 0, 4, 1, 2].map((l, i) => ({ h: 8 + l * stride, u: l * stride, slot: i + 1 }));
        const out = zeros(ctx, 8 * LAYER_STATS_FLOATS);
        await run(ctx, ...(await layerStats(ctx, act, { rows, cols }, layers, { h: upload(ctx, h), u: upload(ctx, u), out })));
        const got = await readF32(ctx, out, 8 * LAYER_STATS_FLOATS);
        for (const l of layers) {
          const w = want(act, h.subarray(l.h, l.h + n), u.subarray(l.u, l.u + n), rows, cols);
          const g = Array.from(got.subarray(4 * l.slot, 4 * l.slot + 4));
          expectClose(g.slice(0, 2), w.slice(0, 2), 1e-5, `${act} layer at ${l.u}: Σh, Σh²`);
          expect(g.slice(2), `${act} layer at ${l.u}: counts`).toEqual(w.slice(2));
        }
        if (act === 'relu') expect(got[4 * 4 + 3], 'the dead unit of layer 1').toBeGreaterThanOrEqual(1);
        expect(Array.from(got.subarray(0, 4)).concat(Array.from(got.subarray(24))), 'other slots untouched').toEqual(new Array(12).fill(0));

        // Blocks without a residual: h = φ(u), recomputed from u instead of read (h's buffer is garbage here).
        const fromU = zeros(ctx, 8 * LAYER_STATS_FLOATS);
        await run(ctx, ...(await layerStats(ctx, act, { rows, cols }, layers, { h: upload(ctx, h), u: upload(ctx, u), out: fromU }, true)));
        const gotU = await readF32(ctx, fromU, 8 * LAYER_STATS_FLOATS);
        for (const l of layers) {
          const uu = u.subarray(l.u, l.u + n);
          const w = want(act, Float32Array.from(uu, (v) => ref.activate(act, v)), uu, rows, cols);
          const g = Array.from(gotU.subarray(4 * l.slot, 4 * l.slot + 4));
          expectClose(g.slice(0, 2), w.slice(0, 2), 1e-5, `${act} layer at ${l.u}, h = φ(u): Σh, Σh²`);
          expect(g.slice(2), `${act} layer at ${l.u}, h = φ(u): counts`).toEqual(w.slice(2));
        }
      });
    }
  }
});
