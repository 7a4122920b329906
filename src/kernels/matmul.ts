import type { KernelContext } from '../gpu/context.ts';
import { dispatch2d } from '../gpu/dispatch.ts';
import type { BufferRange, Dispatch, KernelSpec } from '../gpu/kernel.ts';
import { ACTIVATION_IDS, type Activation } from './activation.ts';
import { SHADERS } from './shaders.ts';
import { DEFAULT_TILING, type MatmulTiling, type TilingChoice } from './tunables.ts';

/** Shape of C = op(A)·op(B): op(A) is M×K, op(B) is K×N; A is stored K×M when transA, B is N×K when transB. */
export interface MatmulShape {
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
}

/**
 * What happens to each v = (A·B)[m,n] on its way out. Each kind names the tensors it needs, so a
 * fused op cannot be asked for without its operands.
 *  - plain:        c = v (+ bias[n]) (+ addend)
 *  - activate:     c = z = v + bias?; out2 = φ(z), or addend + α·φ(z) with a residual (forward block)
 *  - activateGrad: v += addend?; c = v (when kept); out2 = α·v·φ'(aux) (backward through the previous block)
 *  - weightGrad:   c = v, and out2[m] = Σ_k op(A)[m][k], summed by the invocations of C's first column block from the
 *                  op(A) they load (dW = dzᵀ·h with db = Σ dz: one dispatch for a linear layer's two gradients).
 *                  With `normsBase` (a logged step) they also leave row m's Blue sums of squares in
 *                  norms[3·(normsBase + m)..], linear.wgsl's bias_grad_norms partials for ‖∂L/∂z‖
 *                  (shaders/row_norms.wgsl; it needs a ninth storage binding: see `rowNormsSupported`).
 */
export type MatmulEpilogue =
  | { kind: 'plain'; bias?: boolean; add?: boolean }
  | { kind: 'activate'; act: Activation; bias: boolean; residual: 'none' | 'fixed' | 'alpha' }
  | { kind: 'activateGrad'; act: Activation; add: boolean; keepC: boolean; alpha: boolean }
  | { kind: 'weightGrad'; normsBase?: number };

export interface MatmulTensors {
  a: BufferRange;
  b: BufferRange;
  c?: BufferRange;
  bias?: BufferRange;
  addend?: BufferRange;
  aux?: BufferRange;
  out2?: BufferRange;
  alpha?: BufferRange;
  /** weightGrad with normsBase: the Σ dz² partials of a logged step. */
  norms?: BufferRange;
}

/** The bindings of every kernel on the GEMM core (shaders/gemm_fns.wgsl): matmul's and conv's alike. */
export type GemmBinding = 'a' | 'b' | 'c' | 'bias' | 'addend' | 'aux' | 'out2' | 'alpha' | 'params';
type Binding = GemmBinding | 'norms';
export const GEMM_BINDINGS: KernelSpec<GemmBinding>['bindings'] = [
  ['a', 'read'],
  ['b', 'read'],
  ['c', 'rw'],
  ['bias', 'read'],
  ['addend', 'read'],
  ['aux', 'read'],
  ['out2', 'rw'],
  ['alpha', 'read'],
  ['params', 'uniform'],
];
const NORMS_BINDINGS: KernelSpec<Binding>['bindings'] = [...GEMM_BINDINGS, ['norms', 'rw']];

/** Whether a device can run the weight gradient with its Σ dz² partials (nine storage buffers in one stage). */
export function rowNormsSupported(limits: GPUSupportedLimits): boolean {
  return limits.maxStorageBuffersPerShaderStage >= NORMS_BINDINGS.filter(([, k]) => k !== 'uniform').length;
}

/** The override constants an epilogue compiles to (see the header of shaders/gemm_fns.wgsl). */
export function epilogueConstants(e: MatmulEpilogue): Record<string, number> {
  switch (e.kind) {
    case 'plain':
      return { HAS_BIAS: +!!e.bias, ADD: e.add ? 1 : 0, WRITE_C: 1, EPI: 0, ACT: 0, HAS_ALPHA: 0, ROW_SUMS: 0 };
    case 'weightGrad':
      return { HAS_BIAS: 0, ADD: 0, WRITE_C: 1, EPI: 0, ACT: 0, HAS_ALPHA: 0, ROW_SUMS: 1 };
    case 'activate':
      return {
        HAS_BIAS: +e.bias,
        ADD: e.residual === 'none' ? 0 : 2,
        WRITE_C: 1,
        EPI: 1,
        ACT: ACTIVATION_IDS[e.act],
        HAS_ALPHA: +(e.residual === 'alpha'),
        ROW_SUMS: 0,
      };
    case 'activateGrad':
      return { HAS_BIAS: 0, ADD: +e.add, WRITE_C: +e.keepC, EPI: 2, ACT: ACTIVATION_IDS[e.act], HAS_ALPHA: +e.alpha, ROW_SUMS: 0 };
  }
}

export function tilingConstants(t: MatmulTiling): Record<string, number> {
  switch (t.variant) {
    case 'naive':
      return {};
    case 'reg':
      return { WG_X: t.wgX, WG_Y: t.wgY };
    case 'vec4':
      return { WG_X: t.wgX, WG_Y: t.wgY, COLS: t.cols, ROWS: t.rows ?? 1 };
    case 'tiled':
      return { TILE_M: t.tileM, TILE_N: t.tileN, TILE_K: t.tileK };
  }
}

export function matmulSpec(shape: MatmulShape, epilogue: MatmulEpilogue, tiling: MatmulTiling): KernelSpec<Binding> {
  const norms = epilogue.kind === 'weightGrad' && epilogue.normsBase !== undefined;
  return {
    shader: norms ? SHADERS.matmulNorms : SHADERS.matmul,
    entry: tiling.variant === 'vec4' ? 'matmul_vec4' : `gemm_${tiling.variant}`,
    bindings: norms ? NORMS_BINDINGS : GEMM_BINDINGS,
    constants: {
      TRANS_A: +!!shape.transA,
      TRANS_B: +!!shape.transB,
      ...epilogueConstants(epilogue),
      ...tilingConstants(tiling),
    },
  };
}

/** Workgroups covering C for a tiling: naive 16×16 elements, reg (4·wgX)×(4·wgY), tiled tileN×tileM. */
export function matmulWorkgroups(M: number, N: number, t: MatmulTiling): [number, number, number] {
  switch (t.variant) {
    case 'naive':
      return dispatch2d(M, N, 16, 16);
    case 'reg':
      return dispatch2d(M, N, 4 * t.wgY, 4 * t.wgX);
    case 'vec4':
      return dispatch2d(M, N, 4 * (t.rows ?? 1) * t.wgY, 4 * t.cols * t.wgX);
    case 'tiled':
      return dispatch2d(M, N, t.tileM, t.tileN);
  }
}

/**
 * Whether matmul_vec4 can read both operands as vec4s: the dimension each is contiguous in must be a
 * multiple of 4 (A: K, or M when transposed; B: N, or K when transposed).
 */
export function vec4Aligned(s: MatmulShape): boolean {
  const aDim = s.transA ? s.M : s.K;
  const bDim = s.transB ? s.K : s.N;
  return aDim % 4 === 0 && bDim % 4 === 0;
}

/** The tiling that will actually run: vec4 falls back to reg on shapes it cannot read as vec4s. */
export function effectiveTiling(shape: MatmulShape, t: MatmulTiling): MatmulTiling {
  return t.variant === 'vec4' && !vec4Aligned(shape) ? { variant: 'reg', wgX: t.wgX, wgY: t.wgY } : t;
}

/** Which tensors an epilogue reads or writes besides A and B, and how many floats each holds. */
function requiredTensors(s: MatmulShape, e: MatmulEpilogue): [keyof MatmulTensors, number][] {
  const mn = s.M * s.N;
  const need: [keyof MatmulTensors, number][] = [
    ['a', s.M * s.K],
    ['b', s.K * s.N],
  ];
  if (e.kind !== 'activateGrad' || e.keepC) need.push(['c', mn]);
  if ((e.kind === 'plain' || e.kind === 'activate') && e.bias) need.push(['bias', s.N]);
  const adds = e.kind === 'plain' || e.kind === 'activateGrad' ? !!e.add : e.kind === 'activate' && e.residual !== 'none';
  if (adds) need.push(['addend', mn]);
  if (e.kind === 'weightGrad') need.push(['out2', s.M]);
  else if (e.kind !== 'plain') need.push(['out2', mn]);
  if (e.kind === 'weightGrad' && e.normsBase !== undefined) need.push(['norms', 3 * (e.normsBase + s.M)]);
  if (e.kind === 'activateGrad') need.push(['aux', mn]);
  if ((e.kind === 'activate' && e.residual === 'alpha') || (e.kind === 'activateGrad' && e.alpha)) need.push(['alpha', 1]);
  return need;
}

/** One fused matmul dispatch. Throws a RangeError naming the tensor when a buffer is missing or short. */
export async function matmul(
  ctx: KernelContext,
  shape: MatmulShape,
  epilogue: MatmulEpilogue,
  t: MatmulTensors,
  choice: TilingChoice = DEFAULT_TILING,
): Promise<Dispatch> {
  const { M, N, K } = shape;
  const tiling = effectiveTiling(shape, typeof choice === 'function' ? choice(shape) : choice);
  if (![M, N, K].every((d) => Number.isInteger(d) && d >= 1)) {
    throw new RangeError(`matmul: M, N, K must be integers ≥ 1 (got ${M}, ${N}, ${K})`);
  }
  if (epilogue.kind === 'weightGrad' && epilogue.normsBase !== undefined && !rowNormsSupported(ctx.limits)) {
    throw new RangeError(`matmul: the weight gradient with norms needs 9 storage buffers per stage; this device offers ${ctx.limits.maxStorageBuffersPerShaderStage}`);
  }
  const base = epilogue.kind === 'weightGrad' ? (epilogue.normsBase ?? 0) : 0;
  const ranges: Partial<Record<Binding, BufferRange>> = { params: ctx.paramBlock([M, N, K, base]) };
  for (const [name, floats] of requiredTensors(shape, epilogue)) {
    const r = t[name];
    if (!r) throw new RangeError(`matmul (${epilogue.kind}): tensor ${name} is required`);
    if (r.size < floats * 4) throw new RangeError(`matmul: ${name} holds ${r.size / 4} floats, needs ${floats}`);
    ranges[name] = r;
  }
  const label = `matmul ${M}×${K}·${K}×${N} ${epilogue.kind}`;
  return ctx.dispatch(label, matmulSpec(shape, epilogue, tiling), ranges, matmulWorkgroups(M, N, tiling));
}
