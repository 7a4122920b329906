import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/math/prng.ts';
import type { KernelContext } from '../../src/gpu/context.ts';
import { readF32, upload, zeros } from '../../src/gpu/transfer.ts';
import { conv2d, convOutput, type ConvShape } from '../../src/kernels/conv.ts';
import { avgPoolBackward, avgPoolForward } from '../../src/kernels/pool.ts';
import { shortcutBackward, shortcutForward, shortcutGeometry } from '../../src/kernels/shortcut.ts';
import { MATMUL_TILINGS } from '../../src/kernels/tunables.ts';
import * as conv from '../../src/reference/conv.ts';
import { expectClose, randn, run, testContext } from '../helpers/gpu.ts';

const shape = (batch: number, H: number, W: number, Cin: number, Cout: number, K: number, stride: number, pad: number): ConvShape => ({
  batch, H, W, Cin, Cout, KH: K, KW: K, stride, pad,
});
const ref = (s: ConvShape) => ({ N: s.batch, H: s.H, W: s.W, Cin: s.Cin, Cout: s.Cout, KH: s.KH, KW: s.KW, stride: s.stride, pad: s.pad });

// H and W odd and even (and 1), 1, 3 and 17 channels, 1×1, 3×3 and 5×5, stride 1, 2 and 3, padding, batch 1.
// The register-blocked input gradient takes runs of 8 pixels in a row of one stride class (iy, ix mod stride),
// so the shapes also cover class widths ⌈W/stride⌉ that are not a multiple of 8 (a run then hangs over its
// row's end), classes of unequal sizes (H or W odd), more than 8 input channels (two or three invocations per
// run), classes that no tap reaches (1×1 with stride 2: their dx is 0), and at stride 1 kernel widths of 3 and
// 6, whose taps along x it reads in runs of three from one window of dy. The register-blocked forward pass takes
// runs of 8 output pixels in a row × 8 output channels, and at stride 1 reads a 3-wide kernel's taps along x from
// one window of x: so output widths of 9–13 (a second run hanging over the row's end), 9 and 17 output channels
// (a lane whose channels are partly past Cout) and a 5×5 kernel at stride 1 (taps one at a time) too.
const SHAPES: ConvShape[] = [
  shape(1, 1, 1, 1, 1, 1, 1, 0),
  shape(2, 5, 4, 3, 17, 3, 1, 1),
  shape(1, 7, 6, 17, 3, 3, 2, 1),
  shape(3, 8, 8, 16, 32, 3, 2, 1),
  shape(2, 6, 5, 3, 4, 1, 2, 0),
  shape(1, 3, 3, 2, 2, 3, 1, 0),
  shape(1, 9, 2, 1, 17, 3, 2, 1),
  { ...shape(2, 4, 7, 3, 5, 1, 1, 0), KH: 3, pad: 0 },
  shape(2, 11, 13, 9, 6, 3, 2, 1),
  shape(3, 2, 1, 17, 5, 3, 2, 1),
  shape(2, 3, 2, 4, 3, 3, 1, 1),
  shape(1, 10, 9, 5, 7, 5, 2, 2),
  shape(2, 8, 7, 6, 4, 3, 3, 1),
  { ...shape(1, 9, 6, 3, 4, 3, 2, 1), KW: 1, pad: 0 },
  { ...shape(1, 5, 9, 3, 4, 3, 1, 2), KW: 6 },
  shape(1, 4, 13, 17, 9, 3, 1, 1),
  shape(2, 6, 11, 3, 17, 5, 1, 2),
  shape(1, 3, 10, 1, 3, 1, 1, 0),
];
const TILINGS = ['naive', 'reg8x8', 'reg16x8', 'tiled32'] as const;

/** An output buffer that starts as NaN, so an entry no invocation writes fails the comparison. */
const poisoned = (ctx: KernelContext, floats: number) => upload(ctx, new Float32Array(floats).fill(NaN));

describe('conv2d (implicit GEMM on the matmul core) against the float64 reference', () => {
  for (const name of TILINGS) {
    it(`${name}: forward, input gradient and weight gradient on awkward shapes`, async () => {
      const ctx = await testContext();
      const rng = new Rng(5);
      const tiling = MATMUL_TILINGS[name];
      for (const s of SHAPES) {
        const { Ho, Wo } = convOutput(s);
        const x = randn(rng, s.batch * s.H * s.W * s.Cin);
        const w = randn(rng, s.Cout * s.KH * s.KW * s.Cin, 0.5);
        const dy = randn(rng, s.batch * Ho * Wo * s.Cout);
        const [xb, wb, dyb] = [upload(ctx, x), upload(ctx, w), upload(ctx, dy)];
        const [y, dx, dw] = [poisoned(ctx, dy.length), poisoned(ctx, x.length), poisoned(ctx, w.length)];
        await run(
          ctx,
          await conv2d(ctx, s, 'forward', { a: xb, b: wb, c: y }, { tiling }),
          await conv2d(ctx, s, 'input', { a: dyb, b: wb, c: dx }, { tiling }),
          await conv2d(ctx, s, 'weights', { a: dyb, b: xb, c: dw }, { tiling }),
        );
        const grads = conv.conv2dBackward(dy, x, w, ref(s));
        const label = `${name} ${s.batch}×${s.H}×${s.W}×${s.Cin}→${s.Cout} ${s.KH}×${s.KW}/${s.stride} pad ${s.pad}`;
        expectClose(await readF32(ctx, y, dy.length), conv.conv2dForward(x, w, ref(s)), 1e-4, `y ${label}`);
        expectClose(await readF32(ctx, dx, x.length), grads.dx, 1e-4, `dx ${label}`);
        expectClose(await readF32(ctx, dw, w.length), grads.dw, 1e-4, `dw ${label}`);
      }
    });
  }

  it('a bias on the forward pass, on every tiling and stride', async () => {
    const ctx = await testContext();
    const rng = new Rng(9);
    for (const name of [...TILINGS, 'vec4x4_8x8'] as const) {
      for (const s of [shape(2, 6, 6, 4, 8, 3, 2, 1), shape(1, 5, 10, 3, 17, 3, 1, 1), shape(2, 3, 9, 17, 5, 1, 1, 0)]) {
        const { Ho, Wo } = convOutput(s);
        const ys = s.batch * Ho * Wo * s.Cout;
        const [x, w, bias] = [randn(rng, s.batch * s.H * s.W * s.Cin), randn(rng, s.Cout * s.KH * s.KW * s.Cin), randn(rng, s.Cout)];
        const y = poisoned(ctx, ys);
        const t = { a: upload(ctx, x), b: upload(ctx, w), c: y, bias: upload(ctx, bias) };
        await run(ctx, await conv2d(ctx, s, 'forward', t, { bias: true, tiling: MATMUL_TILINGS[name] }));
        expectClose(await readF32(ctx, y, ys), conv.conv2dForward(x, w, ref(s), bias), 1e-4, `${name} y + bias, ${s.H}×${s.W}×${s.Cin}→${s.Cout} ${s.KH}×${s.KW}/${s.stride}`);
      }
    }
  });

  // The step runs the input gradient with an addend where a block's input also feeds its shortcut.
  it('an input gradient that accumulates into another path\'s, on every tiling and stride', async () => {
    const ctx = await testContext();
    const rng = new Rng(11);
    for (const name of TILINGS) {
      for (const s of [shape(2, 6, 6, 4, 8, 3, 2, 1), shape(2, 7, 10, 12, 6, 3, 1, 1), shape(1, 9, 11, 3, 16, 3, 2, 1)]) {
        const { Ho, Wo } = convOutput(s);
        const n = s.batch * s.H * s.W * s.Cin;
        const [w, dy, other] = [randn(rng, s.Cout * 9 * s.Cin), randn(rng, s.batch * Ho * Wo * s.Cout), randn(rng, n)];
        const dx = poisoned(ctx, n);
        const t = { a: upload(ctx, dy), b: upload(ctx, w), c: dx, addend: upload(ctx, other) };
        await run(ctx, await conv2d(ctx, s, 'input', t, { add: true, tiling: MATMUL_TILINGS[name] }));
        // dx does not depend on x: the reference gets zeros.
        const want = conv.conv2dBackward(dy, new Float32Array(n), w, ref(s)).dx.map((v, i) => v + other[i]!);
        expectClose(await readF32(ctx, dx, n), want, 1e-4, `${name} dx + other path, ${s.H}×${s.W}×${s.Cin}/${s.stride}`);
      }
    }
  });

  it('refuses shapes and buffers that cannot be, naming what is wrong', async () => {
    const ctx = await testContext();
    const s = shape(1, 4, 4, 2, 2, 3, 1, 1);
    const buf = zeros(ctx, 32);
    const t = { a: buf, b: buf, c: buf };
    await expect(conv2d(ctx, { ...s, stride: 0 }, 'forward', t)).rejects.toThrow('conv2d: stride must be an integer ≥ 1 (got 0)');
    await expect(conv2d(ctx, { ...s, pad: 3 }, 'forward', t)).rejects.toThrow('conv2d: pad 3 must be smaller than the kernel (3×3)');
    await expect(conv2d(ctx, { ...s, H: 1, pad: 0 }, 'forward', t)).rejects.toThrow(/does not fit a 1×4 image/);
    await expect(conv2d(ctx, s, 'forward', { a: buf, b: zeros(ctx, 2), c: buf })).rejects.toThrow('conv2d forward: b holds 2 floats, needs 36');
    await expect(conv2d(ctx, s, 'input', t, { bias: true })).rejects.toThrow('a bias belongs to the forward pass');
  });
});

describe('global average pooling and the option-A shortcut against the float64 reference', () => {
  it('pooling: forward, and backward written or accumulated', async () => {
    const ctx = await testContext();
    const rng = new Rng(2);
    for (const s of [{ batch: 1, H: 1, W: 1, C: 1 }, { batch: 3, H: 5, W: 7, C: 17 }, { batch: 2, H: 8, W: 8, C: 64 }]) {
      const x = randn(rng, s.batch * s.H * s.W * s.C);
      const dy = randn(rng, s.batch * s.C);
      const prev = randn(rng, x.length);
      const [y, dx, dxAcc] = [zeros(ctx, dy.length), zeros(ctx, x.length), upload(ctx, prev)];
      const dyb = upload(ctx, dy);
      await run(
        ctx,
        await avgPoolForward(ctx, s, { x: upload(ctx, x), y }),
        await avgPoolBackward(ctx, s, { dy: dyb, dx }),
        await avgPoolBackward(ctx, s, { dy: dyb, dx: dxAcc }, true),
      );
      const rs = { N: s.batch, H: s.H, W: s.W, C: s.C };
      const want = conv.globalAvgPoolBackward(dy, rs);
      expectClose(await readF32(ctx, y, dy.length), conv.globalAvgPoolForward(x, rs), 1e-5, `pool ${JSON.stringify(s)}`);
      expectClose(await readF32(ctx, dx, x.length), want, 1e-5, 'pool backward');
      expectClose(await readF32(ctx, dxAcc, x.length), want.map((v, i) => v + prev[i]!), 1e-5, 'pool backward, accumulated');
    }
  });

  it('shortcut: every second pixel with zero-padded channels, and its gradient routed back (odd sizes too)', async () => {
    const ctx = await testContext();
    const rng = new Rng(4);
    for (const s of [{ batch: 1, H: 1, W: 1, Cin: 1, Cout: 3 }, { batch: 2, H: 7, W: 6, Cin: 16, Cout: 32 }, { batch: 3, H: 8, W: 5, Cin: 3, Cout: 3 }]) {
      const g = shortcutGeometry(s);
      const x = randn(rng, g.inFloats);
      const dy = randn(rng, g.outFloats);
      const prev = randn(rng, g.inFloats);
      const [y, dx, dxAcc] = [zeros(ctx, g.outFloats), zeros(ctx, g.inFloats), upload(ctx, prev)];
      const dyb = upload(ctx, dy);
      await run(
        ctx,
        await shortcutForward(ctx, s, { x: upload(ctx, x), y }),
        await shortcutBackward(ctx, s, { dy: dyb, dx }),
        await shortcutBackward(ctx, s, { dy: dyb, dx: dxAcc }, true),
      );
      const rs = { N: s.batch, H: s.H, W: s.W, Cin: s.Cin, Cout: s.Cout };
      const want = conv.shortcutABackward(dy, rs);
      expectClose(await readF32(ctx, y, g.outFloats), conv.shortcutAForward(x, rs), 0, `shortcut ${JSON.stringify(s)}`);
      expectClose(await readF32(ctx, dx, g.inFloats), want, 0, 'shortcut backward');
      expectClose(await readF32(ctx, dxAcc, g.inFloats), want.map((v, i) => v + prev[i]!), 1e-6, 'shortcut backward, accumulated');
    }
    expect(() => shortcutGeometry({ batch: 1, H: 2, W: 2, Cin: 4, Cout: 7 })).toThrow('shortcut: Cout − Cin must be even and ≥ 0 (got 4 → 7)');
  });
});
