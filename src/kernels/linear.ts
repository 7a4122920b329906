import type { KernelContext } from '../gpu/context.ts';
import { dispatch1d } from '../gpu/dispatch.ts';
import type { BufferRange, Dispatch, KernelSpec } from '../gpu/kernel.ts';
import { ACTIVATION_IDS, type Activation } from './activation.ts';
import { SHADERS } from './shaders.ts';

const WG = 64;
type Binding = 'x' | 'y' | 'out' | 'params';

export function linearSpec(entry: 'bias_grad' | 'alpha_grad', act: Activation = 'linear'): KernelSpec<Binding> {
  return {
    shader: SHADERS.linear,
    entry,
    bindings: [
      ['x', 'read'],
      ['y', 'read'],
      ['out', 'rw'],
      ['params', 'uniform'],
    ],
    constants: { WG, ACT: ACTIVATION_IDS[act] },
  };
}

function need(what: string, r: BufferRange, floats: number): void {
  if (r.size < floats * 4) throw new RangeError(`${what} holds ${r.size / 4} floats, needs ${floats}`);
}

/** db[j] = Σ_i dz[i][j] over B rows of `cols`. */
export async function biasGrad(ctx: KernelContext, B: number, cols: number, t: { dz: BufferRange; db: BufferRange }): Promise<Dispatch> {
  need('biasGrad: dz', t.dz, B * cols);
  need('biasGrad: db', t.db, cols);
  const ranges = { x: t.dz, out: t.db, params: ctx.paramBlock([B, cols]) };
  return ctx.dispatch('bias grad', linearSpec('bias_grad'), ranges, dispatch1d(cols, WG));
}

/** dα = Σ dh ⊙ φ(u) over n elements (a rezero block's scalar). */
export async function alphaGrad(
  ctx: KernelContext,
  act: Activation,
  n: number,
  t: { dh: BufferRange; u: BufferRange; dalpha: BufferRange },
): Promise<Dispatch> {
  need('alphaGrad: dh', t.dh, n);
  need('alphaGrad: u', t.u, n);
  const ranges = { x: t.dh, y: t.u, out: t.dalpha, params: ctx.paramBlock([n, 1]) };
  return ctx.dispatch('alpha grad', linearSpec('alpha_grad', act), ranges, [1, 1, 1]);
}
