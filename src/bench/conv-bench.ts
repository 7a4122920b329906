import type { KernelContext } from '../gpu/context.ts';
import { Rng } from '../math/prng.ts';
import { readF32, upload, zeros } from '../gpu/transfer.ts';
import { conv2d, convGemm, convOutput, type ConvPass, type ConvShape } from '../kernels/conv.ts';
import { MATMUL_TILINGS, type MatmulTilingName } from '../kernels/tunables.ts';
import type { BenchResult } from './result.ts';
import { sampledRelErr } from './kernel-bench.ts';
import { timeDispatches, timedResult } from './timing.ts';

/** The implicit-GEMM variants the suite times: register-blocked (CPU adapters) and workgroup-tiled (GPUs). */
export const CONV_VARIANTS: Record<string, MatmulTilingName> = {
  reg: 'reg16x8',
  tiled: 'tiled64',
};

export interface ConvCase {
  label: string;
  shape: ConvShape;
}

const conv3 = (H: number, Cin: number, Cout: number, stride: number): ConvShape => ({ batch: 128, H, W: H, Cin, Cout, KH: 3, KW: 3, stride, pad: 1 });

/** The 3×3 convolutions of the CIFAR ResNets at batch 128: each stage's, and the stride-2 ones entering stages 2 and 3. */
export const CONV_CASES: ConvCase[] = [
  { label: 'b128-32x32x16', shape: conv3(32, 16, 16, 1) },
  { label: 'b128-16x16x32', shape: conv3(16, 32, 32, 1) },
  { label: 'b128-8x8x64', shape: conv3(8, 64, 64, 1) },
  { label: 'b128-32x32x16-s2', shape: conv3(32, 16, 32, 2) },
  { label: 'b128-16x16x32-s2', shape: conv3(16, 32, 64, 2) },
];

export const CONV_PASSES: readonly ConvPass[] = ['forward', 'input', 'weights'];

const SAMPLES = 1024;
const TOLERANCE = 1e-4;

/** One entry of a pass's result (in our layouts: NHWC, OHWI) in float64, straight from the definition of the convolution. */
export function convEntry(s: ConvShape, pass: ConvPass, x: Float32Array, w: Float32Array, dy: Float32Array, i: number): number {
  const { Ho, Wo } = convOutput(s);
  const xAt = (n: number, y: number, xx: number, c: number) => x[((n * s.H + y) * s.W + xx) * s.Cin + c]!;
  const wAt = (co: number, ky: number, kx: number, ci: number) => w[((co * s.KH + ky) * s.KW + kx) * s.Cin + ci]!;
  const dyAt = (n: number, y: number, xx: number, c: number) => dy[((n * Ho + y) * Wo + xx) * s.Cout + c]!;
  const inside = (y: number, xx: number) => y >= 0 && xx >= 0 && y < s.H && xx < s.W;
  let acc = 0;
  if (pass === 'forward') {
    const [co, p] = [i % s.Cout, Math.floor(i / s.Cout)];
    const [ox, oy, n] = [p % Wo, Math.floor(p / Wo) % Ho, Math.floor(p / (Wo * Ho))];
    for (let ky = 0; ky < s.KH; ky++) {
      for (let kx = 0; kx < s.KW; kx++) {
        const [iy, ix] = [oy * s.stride + ky - s.pad, ox * s.stride + kx - s.pad];
        if (inside(iy, ix)) for (let ci = 0; ci < s.Cin; ci++) acc += xAt(n, iy, ix, ci) * wAt(co, ky, kx, ci);
      }
    }
  } else if (pass === 'input') {
    const [ci, p] = [i % s.Cin, Math.floor(i / s.Cin)];
    const [ix, iy, n] = [p % s.W, Math.floor(p / s.W) % s.H, Math.floor(p / (s.W * s.H))];
    for (let ky = 0; ky < s.KH; ky++) {
      for (let kx = 0; kx < s.KW; kx++) {
        const [ty, tx] = [iy + s.pad - ky, ix + s.pad - kx];
        if (ty < 0 || tx < 0 || ty % s.stride || tx % s.stride || ty / s.stride >= Ho || tx / s.stride >= Wo) continue;
        for (let co = 0; co < s.Cout; co++) acc += dyAt(n, ty / s.stride, tx / s.stride, co) * wAt(co, ky, kx, ci);
      }
    }
  } else {
    const [ci, kk, co] = [i % s.Cin, Math.floor(i / s.Cin) % (s.KH * s.KW), Math.floor(i / (s.Cin * s.KH * s.KW))];
    const [ky, kx] = [Math.floor(kk / s.KW), kk % s.KW];
    for (let n = 0; n < s.batch; n++) {
      for (let oy = 0; oy < Ho; oy++) {
        for (let ox = 0; ox < Wo; ox++) {
          const [iy, ix] = [oy * s.stride + ky - s.pad, ox * s.stride + kx - s.pad];
          if (inside(iy, ix)) acc += dyAt(n, oy, ox, co) * xAt(n, iy, ix, ci);
        }
      }
    }
  }
  return acc;
}

/** Seeded inputs for one pass (x NHWC, w OHWI, dy), the GEMM it is, and the generator the check samples with. */
export function convInputs(s: ConvShape, pass: ConvPass): { g: ReturnType<typeof convGemm>; rng: Rng; x: Float32Array; w: Float32Array; dy: Float32Array } {
  const g = convGemm(s, pass);
  const { Ho, Wo } = convOutput(s);
  const rng = new Rng(g.M * 31 + g.N * 7 + g.K);
  const randn = (n: number) => rng.fill(new Float32Array(n), () => rng.normal()) as Float32Array;
  return { g, rng, x: randn(s.batch * s.H * s.W * s.Cin), w: randn(s.Cout * s.KH * s.KW * s.Cin), dy: randn(s.batch * Ho * Wo * s.Cout) };
}

/** One pass of one ResNet convolution: checked on sampled entries against float64, then timed. */
export async function benchConv(ctx: KernelContext, variant: string, pass: ConvPass, c: ConvCase): Promise<BenchResult> {
  const s = c.shape;
  const { g, rng, x, w, dy } = convInputs(s, pass);
  const [xb, wb, dyb, out] = [upload(ctx, x), upload(ctx, w), upload(ctx, dy), zeros(ctx, g.c)];
  const tiling = MATMUL_TILINGS[CONV_VARIANTS[variant]!];
  const t = pass === 'forward' ? { a: xb, b: wb, c: out } : pass === 'input' ? { a: dyb, b: wb, c: out } : { a: dyb, b: xb, c: out };
  const d = await conv2d(ctx, s, pass, t, { tiling });
  const name = `conv/${variant}-${pass}`;
  const shape = [s.batch, s.H, s.W, s.Cin, s.Cout, s.stride];
  const detail = { case: c.label, pass, gemm: [g.M, g.N, g.K], tiling, checked: `${SAMPLES} sampled entries` };
  const gate = await timeDispatches(ctx, [d], { warmup: 0, iterations: 1 });
  const got = await readF32(ctx, out, g.c);
  const maxRelErr = sampledRelErr(SAMPLES, g.c, rng, (i) => got[i]!, (i) => convEntry(s, pass, x, w, dy, i));
  if (!(maxRelErr <= TOLERANCE)) return { name, shape, ok: false, maxRelErr, detail: { ...detail, tolerance: TOLERANCE } };
  return timedResult(ctx, [d], gate, { name, shape, maxRelErr, flops: 2 * g.M * g.N * g.K, bytes: 4 * (g.a + g.b + g.c), detail });
}
