import type { KernelContext } from '../gpu/context.ts';
import { dispatch1d } from '../gpu/dispatch.ts';
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

/** Rows (input pixels) and input channels one conv_input_reg invocation owns: an 8×8 block of dx (as shaders/conv.wgsl hard-codes). */
export const INPUT_BLOCK = { rows: 8, cols: 8 } as const;

/**
 * conv_input_reg's grid (shaders/conv.wgsl). A stride s splits the input pixels into s² parity classes
 * (iy mod s, ix mod s), each laid out as batch × Hc rows of Wc pixels, Hc = ⌈H/s⌉ and Wc = ⌈W/s⌉ (a class of
 * an odd size holds fewer; its missing pixels are computed and dropped). Each row is cut into runs of
 * INPUT_BLOCK.rows pixels (`blocks` runs per class; a run never spans two rows, so its pixels' windows share
 * dy), and each run into `lanes` invocations of INPUT_BLOCK.cols channels.
 */
export function convInputGrid(s: ConvShape): { classes: number; Hc: number; Wc: number; blocks: number; lanes: number; invocations: number } {
  const [Hc, Wc] = [Math.ceil(s.H / s.stride), Math.ceil(s.W / s.stride)];
  const blocks = s.batch * Hc * Math.ceil(Wc / INPUT_BLOCK.rows);
  const lanes = Math.ceil(s.Cin / INPUT_BLOCK.cols);
  const classes = s.stride * s.stride;
  return { classes, Hc, Wc, blocks, lanes, invocations: classes * blocks * lanes };
}

/** Output pixels and output channels one conv_forward_reg invocation owns: an 8×8 block of y (as shaders/conv.wgsl hard-codes). */
export const FORWARD_BLOCK = { rows: 8, cols: 8 } as const;

/**
 * conv_forward_reg's grid (shaders/conv.wgsl): batch × Ho rows of Wo output pixels, each row cut into runs of
 * FORWARD_BLOCK.rows pixels (`blocks` runs in all; a run never spans two rows, so its pixels' windows share
 * their rows of x), and each run into `lanes` invocations of FORWARD_BLOCK.cols output channels.
 */
export function convForwardGrid(s: ConvShape): { blocks: number; lanes: number; invocations: number } {
  const { Ho, Wo } = convOutput(s);
  const blocks = s.batch * Ho * Math.ceil(Wo / FORWARD_BLOCK.rows);
  const lanes = Math.ceil(s.Cout / FORWARD_BLOCK.cols);
  return { blocks, lanes, invocations: blocks * lanes };
}

/** Workgroups for a pass: the matmul core's 2-D grid of blocks, or conv_forward_reg's and conv_input_reg's flat ones. */
export function convWorkgroups(s: ConvShape, pass: ConvPass, t: MatmulTiling): [number, number, number] {
  const tiling = convTiling(t);
  if (pass === 'forward' && tiling.variant === 'reg') return dispatch1d(convForwardGrid(s).invocations, tiling.wgX * tiling.wgY);
  if (pass === 'input' && tiling.variant === 'reg') return dispatch1d(convInputGrid(s).invocations, tiling.wgX * tiling.wgY);
  const g = convGemm(s, pass);
  return matmulWorkgroups(g.M, g.N, tiling);
}

/**
 * The tilings a pass can use: naive and tiled run the GEMM core on im2col loaders; reg runs the register-blocked
 * kernels written for convolutions (no division in their inner loops): conv_forward_reg (8×8 blocks), conv_input_reg
 * (8×8 blocks, only the taps a stride reaches) and conv_reg for the weight gradient; vec4 reads dense rows, which
 * im2col is not, and becomes reg.
 */
export function convTiling(t: MatmulTiling): MatmulTiling {
  return t.variant === 'vec4' ? { variant: 'reg', wgX: t.wgX, wgY: t.wgY } : t;
}

/**
 * How many taps along x conv_input_reg and conv_forward_reg read from one window of dy or x (their INPUT_RUN and
 * FORWARD_RUN): 3 when the taps along x come in runs of three that each read consecutive pixels (stride 1, a
 * kernel width that is a multiple of 3: the ResNets' 3×3), else 1. (At stride 2 an input-gradient class has 1 or
 * 2 taps along x, and the forward pass's 8 pixels read every second input pixel.)
 */
export function tapRun(s: Pick<ConvShape, 'stride' | 'KW'>): 1 | 3 {
  return s.stride === 1 && s.KW % 3 === 0 ? 3 : 1;
}

const REG_ENTRY: Record<ConvPass, string> = { forward: 'conv_forward_reg', input: 'conv_input_reg', weights: 'conv_reg' };
const RUN_CONSTANT: Partial<Record<ConvPass, string>> = { forward: 'FORWARD_RUN', input: 'INPUT_RUN' };

/** The kernel of a pass; `shape` sets conv_forward_reg's FORWARD_RUN and conv_input_reg's INPUT_RUN (the 3×3, stride 1 default otherwise). */
export function convSpec(pass: ConvPass, epilogue: MatmulEpilogue, tiling: MatmulTiling, shape: Pick<ConvShape, 'stride' | 'KW'> = { stride: 1, KW: 3 }): KernelSpec<GemmBinding> {
  const t = convTiling(tiling);
  const run = t.variant === 'reg' ? RUN_CONSTANT[pass] : undefined;
  return {
    shader: SHADERS.conv,
    entry: t.variant === 'reg' ? REG_ENTRY[pass] : `gemm_${t.variant}`,
    bindings: GEMM_BINDINGS,
    constants: { MODE: MODE[pass], ...epilogueConstants(epilogue), ...tilingConstants(t), ...(run ? { [run]: tapRun(shape) } : {}) },
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
  const grid = convInputGrid(s);
  const lanesBlocks = pass === 'forward' ? convForwardGrid(s) : grid;
  ranges.params = ctx.paramBlock([g.M, g.N, g.K, s.batch, s.H, s.W, s.Cin, Ho, Wo, s.Cout, s.KH, s.KW, s.stride, s.pad, grid.Hc, grid.Wc, lanesBlocks.lanes, lanesBlocks.blocks]);
  const tiling = convTiling(opts.tiling ?? DEFAULT_TILING);
  const epilogue: MatmulEpilogue = { kind: 'plain', bias: !!opts.bias, add: !!opts.add };
  const label = `conv2d ${pass} ${s.KH}×${s.KW}/${s.stride} ${s.H}×${s.W}×${s.Cin}→${Ho}×${Wo}×${s.Cout} batch ${s.batch}`;
  return ctx.dispatch(label, convSpec(pass, epilogue, tiling, s), ranges, convWorkgroups(s, pass, tiling));
}
