import type { KernelContext } from '../gpu/context.ts';
import type { BufferRange, Dispatch, KernelSpec } from '../gpu/kernel.ts';
import { epilogueConstants, GEMM_BINDINGS, matmulWorkgroups, tilingConstants, type GemmBinding, type MatmulEpilogue } from './matmul.ts';
import { SHADERS } from './shaders.ts';
import { DEFAULT_TILING, type MatmulTiling } from './tunables.ts';

/**
 * A 2-D convolution: NHWC images, OHWI weights (w[co][ky][kx][ci]), zero padding `pad` on every side.
 * Ho = ⌊(H + 2·pad − KH) / stride⌋ + 1, and likewise Wo.
 */
export interface ConvShape {
  batch: number;
  H: number;
  W: number;
  Cin: number;
  Cout: number;
  KH: number;
  KW: number;
  stride: number;
  pad: number;
}

/** The three products of shaders/conv.wgsl (its MODE). */
export type ConvPass = 'forward' | 'input' | 'weights';
const MODE: Record<ConvPass, number> = { forward: 0, input: 1, weights: 2 };

/** Output height and width of a convolution. */
export function convOutput(s: ConvShape): { Ho: number; Wo: number } {
  return { Ho: Math.floor((s.H + 2 * s.pad - s.KH) / s.stride) + 1, Wo: Math.floor((s.W + 2 * s.pad - s.KW) / s.stride) + 1 };
}

/** The GEMM each pass is: C[M×N] over a reduction of K, and the floats of A, B and C it reads and writes. */
export function convGemm(s: ConvShape, pass: ConvPass): { M: number; N: number; K: number; a: number; b: number; c: number } {
  const { Ho, Wo } = convOutput(s);
  const x = s.batch * s.H * s.W * s.Cin;
  const y = s.batch * Ho * Wo * s.Cout;
  const w = s.Cout * s.KH * s.KW * s.Cin;
  switch (pass) {
    case 'forward':
      return { M: s.batch * Ho * Wo, N: s.Cout, K: s.KH * s.KW * s.Cin, a: x, b: w, c: y };
    case 'input':
      return { M: s.batch * s.H * s.W, N: s.Cin, K: s.KH * s.KW * s.Cout, a: y, b: w, c: x };
    case 'weights':
      return { M: s.Cout, N: s.KH * s.KW * s.Cin, K: s.batch * Ho * Wo, a: y, b: x, c: w };
  }
}

/** Refuses a shape no convolution has, naming the field. */
export function checkConvShape(s: ConvShape): void {
  for (const [name, v] of Object.entries(s)) {
    const min = name === 'pad' ? 0 : 1;
    if (!Number.isInteger(v) || v < min) throw new RangeError(`conv2d: ${name} must be an integer ≥ ${min} (got ${v})`);
  }
  if (s.pad >= s.KH || s.pad >= s.KW) throw new RangeError(`conv2d: pad ${s.pad} must be smaller than the kernel (${s.KH}×${s.KW})`);
  const { Ho, Wo } = convOutput(s);
  if (Ho < 1 || Wo < 1) throw new RangeError(`conv2d: a ${s.KH}×${s.KW} kernel does not fit a ${s.H}×${s.W} image with pad ${s.pad}`);
}

/**
 * The tilings a pass can use: naive and tiled run the GEMM core on im2col loaders; reg runs conv_reg, the
 * register-blocked kernel written for convolutions (no division in its inner loop); vec4 reads dense rows,
 * which im2col is not, and becomes reg.
 */
export function convTiling(t: MatmulTiling): MatmulTiling {
  return t.variant === 'vec4' ? { variant: 'reg', wgX: t.wgX, wgY: t.wgY } : t;
}

export function convSpec(pass: ConvPass, epilogue: MatmulEpilogue, tiling: MatmulTiling): KernelSpec<GemmBinding> {
  const t = convTiling(tiling);
  return {
    shader: SHADERS.conv,
    entry: t.variant === 'reg' ? 'conv_reg' : `gemm_${t.variant}`,
    bindings: GEMM_BINDINGS,
    constants: { MODE: MODE[pass], ...epilogueConstants(epilogue), ...tilingConstants(t) },
  };
}

/** What a conv pass reads and writes: A and B as the header of shaders/conv.wgsl says, C the result. */
export interface ConvTensors {
  a: BufferRange;
  b: BufferRange;
  c: BufferRange;
  bias?: BufferRange;
  addend?: BufferRange;
}

/**
 * One pass of a convolution as a dispatch: `forward` (a = x, b = w → y), `input` (a = dy, b = w → dx) or
 * `weights` (a = dy, b = x → dw). The epilogue is plain: a bias on the forward pass, an addend to
 * accumulate into a gradient that already holds another path's share.
 */
export async function conv2d(
  ctx: KernelContext,
  shape: ConvShape,
  pass: ConvPass,
  t: ConvTensors,
  opts: { bias?: boolean; add?: boolean; tiling?: MatmulTiling } = {},
): Promise<Dispatch> {
  checkConvShape(shape);
  if (opts.bias && pass !== 'forward') throw new RangeError(`conv2d ${pass}: a bias belongs to the forward pass`);
  const g = convGemm(shape, pass);
  const need: [keyof ConvTensors, number][] = [
    ['a', g.a],
    ['b', g.b],
    ['c', g.c],
  ];
  if (opts.bias) need.push(['bias', g.N]);
  if (opts.add) need.push(['addend', g.c]);
  const ranges: Partial<Record<GemmBinding, BufferRange>> = {};
  for (const [name, floats] of need) {
    const r = t[name];
    if (!r) throw new RangeError(`conv2d ${pass}: tensor ${name} is required`);
    if (r.size < floats * 4) throw new RangeError(`conv2d ${pass}: ${name} holds ${r.size / 4} floats, needs ${floats}`);
    ranges[name] = r;
  }
  const { Ho, Wo } = convOutput(shape);
  const s = shape;
  ranges.params = ctx.paramBlock([g.M, g.N, g.K, s.batch, s.H, s.W, s.Cin, Ho, Wo, s.Cout, s.KH, s.KW, s.stride, s.pad]);
  const tiling = convTiling(opts.tiling ?? DEFAULT_TILING);
  const epilogue: MatmulEpilogue = { kind: 'plain', bias: !!opts.bias, add: !!opts.add };
  const label = `conv2d ${pass} ${s.KH}×${s.KW}/${s.stride} ${s.H}×${s.W}×${s.Cin}→${Ho}×${Wo}×${s.Cout} batch ${s.batch}`;
  return ctx.dispatch(label, convSpec(pass, epilogue, tiling), ranges, matmulWorkgroups(g.M, g.N, tiling));
}
