import type { KernelContext } from '../gpu/context.ts';
import { dispatch1d } from '../gpu/dispatch.ts';
import type { BufferRange, Dispatch, KernelSpec } from '../gpu/kernel.ts';
import { ACTIVATION_IDS, type Activation } from './activation.ts';
import { SEGMENT_WORDS, type SegmentPlan } from './reduce.ts';
import { SHADERS } from './shaders.ts';

const WG = 64;
type Binding = 'x' | 'y' | 'out' | 'params' | 'norms';

export function linearSpec(entry: 'bias_grad' | 'bias_grad_norms' | 'alpha_grad', act: Activation = 'linear'): KernelSpec<Binding> {
  const bindings: KernelSpec<Binding>['bindings'] = [
    ['x', 'read'],
    ['y', 'read'],
    ['out', 'rw'],
    ['params', 'uniform'],
    ...(entry === 'bias_grad_norms' ? [['norms', 'rw'] as const] : []),
  ];
  return { shader: SHADERS.linear, entry, bindings, constants: { WG, ACT: ACTIVATION_IDS[act] } };
}

function need(what: string, r: BufferRange, floats: number): void {
  if (r.size < floats * 4) throw new RangeError(`${what} holds ${r.size / 4} floats, needs ${floats}`);
}

/**
 * db[j] = Σ_i dz[i][j] over B rows of `cols`. With `norms`, column j's Blue sums of dz² (three floats,
 * shaders/sumsq_fns.wgsl) also go to norms.partials at triple base + j, for segmentNorms to finish.
 */
export async function biasGrad(
  ctx: KernelContext,
  B: number,
  cols: number,
  t: { dz: BufferRange; db: BufferRange; norms?: { partials: BufferRange; base: number } },
): Promise<Dispatch> {
  need('biasGrad: dz', t.dz, B * cols);
  need('biasGrad: db', t.db, cols);
  if (!t.norms) return ctx.dispatch('bias grad', linearSpec('bias_grad'), { x: t.dz, out: t.db, params: ctx.paramBlock([B, cols, 0]) }, dispatch1d(cols, WG));
  need('biasGrad: norms', t.norms.partials, 3 * (t.norms.base + cols));
  const ranges = { x: t.dz, out: t.db, norms: t.norms.partials, params: ctx.paramBlock([B, cols, t.norms.base]) };
  return ctx.dispatch('bias grad with norms', linearSpec('bias_grad_norms'), ranges, dispatch1d(cols, WG));
}

/**
 * The segment table (shaders/reduce.wgsl) that turns biasGrad's column partials into one norm per layer:
 * layer l's columns are the triples from Σ_{k<l} cols[k] on.
 */
export function columnSegments(cols: readonly number[]): SegmentPlan {
  const table = new Uint32Array(cols.length * SEGMENT_WORDS);
  let first = 0;
  cols.forEach((c, l) => {
    table.set([0, c, first, c], l * SEGMENT_WORDS);
    first += c;
  });
  return { table, segments: cols.length, units: first, aligned: false };
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
  const ranges = { x: t.dh, y: t.u, out: t.dalpha, params: ctx.paramBlock([n, 1, 0]) };
  return ctx.dispatch('alpha grad', linearSpec('alpha_grad', act), ranges, [1, 1, 1]);
}
