import { describe, it } from 'vitest';
import { Rng } from '../../src/math/prng.ts';
import { readF32, upload, zeros } from '../../src/gpu/transfer.ts';
import { activationBackward, activationForward, type Activation } from '../../src/kernels/activation.ts';
import * as ref from '../../src/reference/index.ts';
import { expectClose, randn, run, testContext } from '../helpers/gpu.ts';

const ACTS: Activation[] = ['linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'gelu'];
const SIZES = [1, 3, 17, 255, 257, 4099];

describe('activation kernels against the float64 reference', () => {
  for (const act of ACTS) {
    it(`${act} forward and backward`, async () => {
      const ctx = await testContext();
      const rng = new Rng(7);
      for (const n of SIZES) {
        // Wide inputs reach saturation (sigmoid, tanh) and both sides of the relu kinks.
        const u = randn(rng, n, 4);
        const dy = randn(rng, n);
        const [gu, gdy, gy, gdx] = [upload(ctx, u), upload(ctx, dy), zeros(ctx, n), zeros(ctx, n)];
        await run(
          ctx,
          await activationForward(ctx, act, n, { u: gu, out: gy }),
          await activationBackward(ctx, act, n, { u: gu, dy: gdy, out: gdx }),
        );
        expectClose(await readF32(ctx, gy, n), ref.activationForward(act, u), 1e-5, `${act} forward n=${n}`);
        expectClose(await readF32(ctx, gdx, n), ref.activationBackward(act, u, dy), 1e-5, `${act} backward n=${n}`);
      }
    });
  }

  it('saturated and extreme inputs stay finite', async () => {
    const ctx = await testContext();
    const u = new Float32Array([-1e4, -200, -88, -20, 0, 20, 88, 200, 1e4]);
    for (const act of ACTS) {
      const [gu, gy] = [upload(ctx, u), zeros(ctx, u.length)];
      await run(ctx, await activationForward(ctx, act, u.length, { u: gu, out: gy }));
      expectClose(await readF32(ctx, gy, u.length), ref.activationForward(act, u), 1e-5, `${act} extremes`);
    }
  });
});
