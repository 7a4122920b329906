import type { KernelContext } from '../gpu/context.ts';
import { dispatch1d } from '../gpu/dispatch.ts';
import type { BufferRange, Dispatch, KernelSpec } from '../gpu/kernel.ts';
import { SHADERS } from './shaders.ts';

export type Activation = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'gelu';

/** Ids of the ACT_* constants in shaders/activation_fns.wgsl. */
export const ACTIVATION_IDS: Readonly<Record<Activation, number>> = {
  linear: 0,
  sigmoid: 1,
  tanh: 2,
  relu: 3,
  leaky_relu: 4,
  gelu: 5,
};

const WG = 256;
type Binding = 'u' | 'dy' | 'out' | 'params' | 'alpha';

export function activationSpec(
  direction: 'forward' | 'backward' | 'residual_forward',
  act: Activation,
  hasAlpha = false,
): KernelSpec<Binding> {
  return {
    shader: SHADERS.activation,
    entry: `activation_${direction}`,
    bindings: [
      ['u', 'read'],
      ['dy', 'read'],
      ['out', 'rw'],
      ['params', 'uniform'],
      ['alpha', 'read'],
    ],
    constants: { WG, ACT: ACTIVATION_IDS[act], HAS_ALPHA: +hasAlpha },
  };
}

function checkLength(what: string, r: BufferRange, n: number): void {
  if (r.size < n * 4) throw new RangeError(`activation: ${what} holds ${r.size / 4} floats, needs ${n}`);
}

/** out = φ(u) over n elements. */
export async function activationForward(
  ctx: KernelContext,
  act: Activation,
  n: number,
  t: { u: BufferRange; out: BufferRange },
): Promise<Dispatch> {
  checkLength('u', t.u, n);
  checkLength('out', t.out, n);
  const ranges = { u: t.u, out: t.out, params: ctx.paramBlock([n]) };
  return ctx.dispatch(`${act} forward`, activationSpec('forward', act), ranges, dispatch1d(n, WG));
}

/** out = dy ⊙ φ'(u) over n elements, times α[0] with `alpha` (the gradient into a rezero branch). */
export async function activationBackward(
  ctx: KernelContext,
  act: Activation,
  n: number,
  t: { u: BufferRange; dy: BufferRange; out: BufferRange; alpha?: BufferRange },
): Promise<Dispatch> {
  for (const k of ['u', 'dy', 'out'] as const) checkLength(k, t[k], n);
  const ranges = { ...t, params: ctx.paramBlock([n]) };
  return ctx.dispatch(`${act} backward`, activationSpec('backward', act, !!t.alpha), ranges, dispatch1d(n, WG));
}

/** out = prev + α·φ(u) over n elements (a residual block after its norm layer); α fixed at 1 without `alpha`. */
export async function activationResidualForward(
  ctx: KernelContext,
  act: Activation,
  n: number,
  t: { u: BufferRange; prev: BufferRange; out: BufferRange; alpha?: BufferRange },
): Promise<Dispatch> {
  for (const k of ['u', 'prev', 'out'] as const) checkLength(k, t[k], n);
  const ranges = { u: t.u, dy: t.prev, out: t.out, params: ctx.paramBlock([n]), ...(t.alpha ? { alpha: t.alpha } : {}) };
  const spec = activationSpec('residual_forward', act, !!t.alpha);
  return ctx.dispatch(`${act} residual forward`, spec, ranges, dispatch1d(n, WG));
}
