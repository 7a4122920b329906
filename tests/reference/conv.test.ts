import { describe, expect, it } from 'vitest';
import {
  conv2dBackward,
  conv2dForward,
  conv2dOutputSize,
  globalAvgPoolBackward,
  globalAvgPoolForward,
  ohwiFromOihw,
  oihwFromOhwi,
  shortcutABackward,
  shortcutAForward,
  type Conv2dShape,
  type ShortcutShape,
} from '../../src/reference/index.ts';
import { expectClose, numericGradient, worstRelativeError } from './fd.ts';
import { dot, normal, seeded } from './rng.ts';

/** NHWC → NCHW. */
function nchwFromNhwc(x: ArrayLike<number>, N: number, H: number, W: number, C: number): Float64Array {
  const out = new Float64Array(N * C * H * W);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let y = 0; y < H; y++) for (let z = 0; z < W; z++) out[((n * C + c) * H + y) * W + z] = x[((n * H + y) * W + z) * C + c]!;
  return out;
}

/** NCHW → NHWC. */
function nhwcFromNchw(x: ArrayLike<number>, N: number, H: number, W: number, C: number): Float64Array {
  const out = new Float64Array(N * H * W * C);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let y = 0; y < H; y++) for (let z = 0; z < W; z++) out[((n * H + y) * W + z) * C + c] = x[((n * C + c) * H + y) * W + z]!;
  return out;
}

/**
 * The textbook evaluation, independent of the reference's index arithmetic: copy x (NCHW) into an explicitly
 * zero-padded (H + 2·pad)×(W + 2·pad) image, then correlate with the OIHW kernel at every stride-th position
 * that fits, without bounds checks. Returns NCHW.
 */
function directConvNchw(x: Float64Array, w: Float64Array, s: Conv2dShape, bias?: ArrayLike<number>): Float64Array {
  const { N, H, W, Cin, Cout, KH, KW, stride, pad } = s;
  const [Hp, Wp] = [H + 2 * pad, W + 2 * pad];
  const padded = new Float64Array(N * Cin * Hp * Wp);
  for (let n = 0; n < N; n++) for (let c = 0; c < Cin; c++) for (let y = 0; y < H; y++) for (let z = 0; z < W; z++) padded[((n * Cin + c) * Hp + y + pad) * Wp + z + pad] = x[((n * Cin + c) * H + y) * W + z]!;
  const ys: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let co = 0; co < Cout; co++) {
      for (let top = 0; top + KH <= Hp; top += stride) {
        for (let left = 0; left + KW <= Wp; left += stride) {
          let acc = bias ? bias[co]! : 0;
          for (let ci = 0; ci < Cin; ci++) {
            for (let ky = 0; ky < KH; ky++) {
              for (let kx = 0; kx < KW; kx++) acc += padded[((n * Cin + ci) * Hp + top + ky) * Wp + left + kx]! * w[((co * Cin + ci) * KH + ky) * KW + kx]!;
            }
          }
          ys.push(acc);
        }
      }
    }
  }
  return Float64Array.from(ys);
}

/**
 * Asserts analytic ≈ ∂f/∂x by central differences. Every op here is linear in the argument being differentiated,
 * so the difference quotient is exact for any step: a unit step keeps rounding out and the tolerance can be tight.
 */
function expectLinearGradient(label: string, f: (x: Float64Array) => number, x0: ArrayLike<number>, analytic: ArrayLike<number>, tol = 1e-11): void {
  const numeric = numericGradient(f, x0, 1);
  const { index, err } = worstRelativeError(analytic, numeric);
  expect(err, `${label} relative error ${err.toExponential(2)} at [${index}]: analytic ${analytic[index]} vs numeric ${numeric[index]}`).toBeLessThanOrEqual(tol);
}

const maxAbs = (a: ArrayLike<number>): number => Math.max(0, ...Array.from(a, Math.abs));
const label = (s: object): string => JSON.stringify(s).replace(/"/g, '');

describe('conv2d forward', () => {
  it('computes a hand case: a 3×3 box filter over 1..9 with zero padding 1', () => {
    const s: Conv2dShape = { N: 1, H: 3, W: 3, Cin: 1, Cout: 1, KH: 3, KW: 3, stride: 1, pad: 1 };
    const y = conv2dForward([1, 2, 3, 4, 5, 6, 7, 8, 9], new Array(9).fill(1), s);
    expect(Array.from(y)).toEqual([12, 21, 16, 27, 45, 33, 24, 39, 28]);
    const strided = conv2dForward([1, 2, 3, 4, 5, 6, 7, 8, 9], new Array(9).fill(1), { ...s, stride: 2 }, [0.5]);
    expect(Array.from(strided)).toEqual([12.5, 16.5, 24.5, 28.5]);
  });

  it('keeps channels innermost: two input channels, two filters, a 1×1 kernel', () => {
    // x[0,0,0,:] = [1, 10], x[0,0,1,:] = [2, 20]; filter 0 = [1, 0] (picks c0), filter 1 = [3, 1].
    const y = conv2dForward([1, 10, 2, 20], [1, 0, 3, 1], { N: 1, H: 1, W: 2, Cin: 2, Cout: 2, KH: 1, KW: 1, stride: 1, pad: 0 });
    expect(Array.from(y)).toEqual([1, 13, 2, 26]);
  });

  // Every combination of these; those whose padded input is smaller than the kernel must throw.
  // Kernels with the paddings they allow (pad < kernel size).
  const KERNELS = [[1, 1, [0]], [3, 3, [0, 1]], [3, 1, [0]], [1, 3, [0]]] as const;
  const SIZES = [1, 2, 5, 6].flatMap((H) => [1, 4, 7].map((W) => [H, W] as const));
  const CHANNELS = [1, 3, 17].flatMap((Cin) => [1, 3, 17].map((Cout) => [Cin, Cout] as const));
  for (const [KH, KW, pads] of KERNELS) {
    for (const stride of [1, 2]) {
      for (const pad of pads) {
        it(`matches a direct NCHW/OIHW evaluation: ${KH}×${KW} kernel, stride ${stride}, pad ${pad}, H∈{1,2,5,6}, W∈{1,4,7}, channels 1/3/17, batch 1/2`, () => {
          const rng = seeded(100 * KH + 20 * KW + 10 * stride + pad);
          let checked = 0;
          for (const [H, W] of SIZES) {
            for (const [Cin, Cout] of CHANNELS) {
              const N = 1 + ((H + W + Cin) % 2);
              const s: Conv2dShape = { N, H, W, Cin, Cout, KH, KW, stride, pad };
              const x = normal(rng, N * H * W * Cin);
              const w = normal(rng, Cout * KH * KW * Cin);
              const bias = Cout === 3 ? normal(rng, Cout) : undefined;
              const valid = H + 2 * pad >= KH && W + 2 * pad >= KW;
              if (!valid) {
                expect(() => conv2dForward(x, w, s), label(s)).toThrow(RangeError);
                continue;
              }
              const { Ho, Wo } = conv2dOutputSize(s);
              expect([Ho, Wo]).toEqual([Math.floor((H + 2 * pad - KH) / stride) + 1, Math.floor((W + 2 * pad - KW) / stride) + 1]);
              const got = conv2dForward(x, w, s, bias);
              expect(got.length).toBe(N * Ho * Wo * Cout);
              const want = nhwcFromNchw(directConvNchw(nchwFromNhwc(x, N, H, W, Cin), oihwFromOhwi(w, s), s, bias), N, Ho, Wo, Cout);
              expectClose(label(s), got, want, 1e-13, 1e-13 * maxAbs(want));
              checked++;
            }
          }
          expect(checked).toBeGreaterThan(0);
        });
      }
    }
  }
});

describe('OIHW ↔ OHWI', () => {
  it('moves the input channel innermost (hand case) and the two converters are inverse', () => {
    // Cout 1, Cin 2, 1×2 kernel: OIHW [c0k0, c0k1, c1k0, c1k1] is OHWI [c0k0, c1k0, c0k1, c1k1].
    expect(Array.from(ohwiFromOihw([1, 2, 3, 4], { Cout: 1, Cin: 2, KH: 1, KW: 2 }))).toEqual([1, 3, 2, 4]);
    const k = { Cout: 4, Cin: 3, KH: 3, KW: 2 };
    const w = normal(seeded(5), 72);
    expect(Array.from(oihwFromOhwi(ohwiFromOihw(w, k), k))).toEqual(Array.from(w));
    expect(Array.from(ohwiFromOihw(oihwFromOhwi(w, k), k))).toEqual(Array.from(w));
    expect(Array.from(ohwiFromOihw(w, k))).not.toEqual(Array.from(w));
  });
});

describe('conv2d backward', () => {
  const CASES: (Conv2dShape & { bias?: boolean })[] = [
    { N: 2, H: 5, W: 4, Cin: 3, Cout: 2, KH: 3, KW: 3, stride: 2, pad: 1, bias: true },
    { N: 1, H: 4, W: 5, Cin: 2, Cout: 3, KH: 3, KW: 3, stride: 1, pad: 0 },
    { N: 2, H: 3, W: 3, Cin: 3, Cout: 4, KH: 1, KW: 1, stride: 2, pad: 0, bias: true },
    { N: 1, H: 1, W: 2, Cin: 1, Cout: 2, KH: 3, KW: 3, stride: 1, pad: 1 },
    // Stride 2 over 6 rows with a 3-row kernel and no padding never reads row 5: its dx must be exactly zero.
    { N: 1, H: 6, W: 5, Cin: 2, Cout: 2, KH: 3, KW: 1, stride: 2, pad: 0 },
  ];
  for (const c of CASES) {
    it(`dx, dw, db match finite differences of Σ dy·y: ${label(c)}`, () => {
      const { bias: hasBias, ...s } = c;
      const rng = seeded(s.H * 31 + s.W * 7 + s.Cin);
      const { Ho, Wo } = conv2dOutputSize(s);
      const x = normal(rng, s.N * s.H * s.W * s.Cin);
      const w = normal(rng, s.Cout * s.KH * s.KW * s.Cin);
      const b = hasBias ? normal(rng, s.Cout) : undefined;
      const dy = normal(rng, s.N * Ho * Wo * s.Cout);
      const { dx, dw, db } = conv2dBackward(dy, x, w, s);
      expectLinearGradient('dx', (v) => dot(dy, conv2dForward(v, w, s, b)), x, dx);
      expectLinearGradient('dw', (v) => dot(dy, conv2dForward(x, v, s, b)), w, dw);
      expectLinearGradient('db', (v) => dot(dy, conv2dForward(x, w, s, v)), b ?? new Float64Array(s.Cout), db);
      if (s.H === 6) {
        for (let i = 5 * s.W * s.Cin; i < 6 * s.W * s.Cin; i++) expect(dx[i]).toBe(0);
      }
    });
  }
});

describe('global average pool', () => {
  it('averages each channel over H×W (hand case) and spreads dy back evenly', () => {
    // N 1, 2×2 image, channels [1, 10], [2, 20], [3, 30], [6, 60].
    expect(Array.from(globalAvgPoolForward([1, 10, 2, 20, 3, 30, 6, 60], { N: 1, H: 2, W: 2, C: 2 }))).toEqual([3, 30]);
    expect(Array.from(globalAvgPoolBackward([4, -8], { N: 1, H: 2, W: 2, C: 2 }))).toEqual([1, -2, 1, -2, 1, -2, 1, -2]);
  });

  it('backward matches finite differences', () => {
    const rng = seeded(41);
    const s = { N: 2, H: 3, W: 5, C: 4 };
    const x = normal(rng, 2 * 3 * 5 * 4);
    const dy = normal(rng, 2 * 4);
    expectLinearGradient('dx', (v) => dot(dy, globalAvgPoolForward(v, s)), x, globalAvgPoolBackward(dy, s));
  });
});

describe('option-A shortcut', () => {
  it('takes even rows and columns and pads channels equally on both sides (hand case, odd H and W)', () => {
    // 1×3×3×2 with x[y, z, c] = 10·(3y + z) + c; keeps (y, z) ∈ {0, 2}², then pads 2 → 4 channels with one zero each side.
    const x = Array.from({ length: 18 }, (_, i) => 10 * Math.floor(i / 2) + (i % 2));
    const y = shortcutAForward(x, { N: 1, H: 3, W: 3, Cin: 2, Cout: 4 });
    expect(Array.from(y)).toEqual([0, 0, 1, 0, 0, 20, 21, 0, 0, 60, 61, 0, 0, 80, 81, 0]);
    const dy = Array.from({ length: 16 }, (_, i) => i + 1);
    const dx = shortcutABackward(dy, { N: 1, H: 3, W: 3, Cin: 2, Cout: 4 });
    expect(Array.from(dx)).toEqual([2, 3, 0, 0, 6, 7, 0, 0, 0, 0, 0, 0, 10, 11, 0, 0, 14, 15]);
  });

  it('is the 1×1 stride-2 convolution with a zero-padded identity kernel, forward and backward', () => {
    const rng = seeded(3);
    for (const [H, W] of [[1, 1], [4, 4], [5, 6], [7, 3]] as const) {
      const s: ShortcutShape = { N: 2, H, W, Cin: 3, Cout: 7 };
      const conv: Conv2dShape = { N: 2, H, W, Cin: 3, Cout: 7, KH: 1, KW: 1, stride: 2, pad: 0 };
      const w = new Float64Array(7 * 3);
      for (let c = 0; c < 3; c++) w[(c + 2) * 3 + c] = 1;
      const x = normal(rng, 2 * H * W * 3);
      expect(Array.from(shortcutAForward(x, s)), label(s)).toEqual(Array.from(conv2dForward(x, w, conv)));
      const dy = normal(rng, 2 * Math.ceil(H / 2) * Math.ceil(W / 2) * 7);
      expect(Array.from(shortcutABackward(dy, s)), label(s)).toEqual(Array.from(conv2dBackward(dy, x, w, conv).dx));
    }
  });

  it('backward matches finite differences (16 → 32 channels as in ResNet stage 2, and Cin = Cout)', () => {
    const rng = seeded(17);
    for (const s of [{ N: 2, H: 4, W: 3, Cin: 16, Cout: 32 }, { N: 1, H: 5, W: 5, Cin: 3, Cout: 3 }]) {
      const x = normal(rng, s.N * s.H * s.W * s.Cin);
      const dy = normal(rng, s.N * Math.ceil(s.H / 2) * Math.ceil(s.W / 2) * s.Cout);
      expectLinearGradient(label(s), (v) => dot(dy, shortcutAForward(v, s)), x, shortcutABackward(dy, s));
    }
  });
});

describe('shape checks', () => {
  const s: Conv2dShape = { N: 2, H: 5, W: 4, Cin: 3, Cout: 2, KH: 3, KW: 3, stride: 2, pad: 1 };
  const x = new Float64Array(2 * 5 * 4 * 3);
  const w = new Float64Array(2 * 3 * 3 * 3);
  it('rejects wrong lengths, non-positive sizes, bad padding and odd channel growth in one line naming the tensor', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => conv2dForward(x.subarray(1), w, s), /^conv2dForward x \(2×5×4×3 NHWC\) must have length 120 \(got 119\)$/],
      [() => conv2dForward(x, w.subarray(1), s), /^conv2dForward w \(2×3×3×3 OHWI\) must have length 54 \(got 53\)$/],
      [() => conv2dForward(x, w, s, [1, 2, 3]), /^conv2dForward bias must have length 2 \(got 3\)$/],
      [() => conv2dForward(x, w, { ...s, Cin: 0 }), /^conv2dForward Cin must be a positive integer \(got 0\)$/],
      [() => conv2dForward(x, w, { ...s, stride: 1.5 }), /^conv2dForward stride must be a positive integer \(got 1\.5\)$/],
      [() => conv2dForward(x, w, { ...s, pad: 3 }), /^conv2dForward pad must be a non-negative integer below the kernel size 3×3 \(got 3\)$/],
      [() => conv2dForward(x, w, { ...s, pad: -1 }), /pad must be a non-negative integer/],
      [() => conv2dForward(new Float64Array(6), w, { ...s, H: 1, W: 1, pad: 0 }), /^conv2dForward input 1×1 padded by 0 is smaller than the 3×3 kernel$/],
      [() => conv2dBackward(new Float64Array(5), x, w, s), /^conv2dBackward dy \(2×3×2×2 NHWC\) must have length 24 \(got 5\)$/],
      [() => ohwiFromOihw(w, { Cout: 2, Cin: 3, KH: 3, KW: 2 }), /^ohwiFromOihw w \(2×3×3×2 OIHW\) must have length 36 \(got 54\)$/],
      [() => globalAvgPoolForward(x, { N: 2, H: 5, W: 4, C: 2 }), /^globalAvgPoolForward x \(2×5×4×2 NHWC\) must have length 80 \(got 120\)$/],
      [() => globalAvgPoolBackward([1], { N: 1, H: 0, W: 4, C: 1 }), /^globalAvgPoolBackward H must be a positive integer \(got 0\)$/],
      [() => shortcutAForward(x, { N: 2, H: 5, W: 4, Cin: 3, Cout: 6 }), /^shortcutAForward Cout − Cin must be even and non-negative .* \(got Cin 3, Cout 6\)$/],
      [() => shortcutAForward(x, { N: 2, H: 5, W: 4, Cin: 3, Cout: 1 }), /^shortcutAForward Cout − Cin must be even and non-negative/],
      [() => shortcutABackward(new Float64Array(10), { N: 2, H: 5, W: 4, Cin: 3, Cout: 5 }), /^shortcutABackward dy \(2×3×2×5 NHWC\) must have length 60 \(got 10\)$/],
    ];
    for (const [f, msg] of cases) expect(f).toThrow(msg);
    for (const [f] of cases) expect(f).toThrow(RangeError);
  });
});
