import type { KernelContext } from '../gpu/context.ts';
import { dispatch1d } from '../gpu/dispatch.ts';
import type { BufferRange, Dispatch, KernelSpec } from '../gpu/kernel.ts';
import { SHADERS } from './shaders.ts';

/** NHWC images pooled to N×C. */
export interface PoolShape {
  batch: number;
  H: number;
  W: number;
  C: number;
}

const WG = 256;
type Binding = 'src' | 'dst' | 'params';

export function poolSpec(direction: 'forward' | 'backward', add = false): KernelSpec<Binding> {
  return {
    shader: SHADERS.pool,
    entry: `avg_pool_${direction}`,
    bindings: [
      ['src', 'read'],
      ['dst', 'rw'],
      ['params', 'uniform'],
    ],
    constants: { WG, ADD: +add },
  };
}

function check(s: PoolShape, what: string, r: BufferRange, floats: number): void {
  for (const [k, v] of Object.entries(s)) if (!Number.isInteger(v) || v < 1) throw new RangeError(`avg pool: ${k} must be an integer ≥ 1 (got ${v})`);
  if (r.size < floats * 4) throw new RangeError(`avg pool: ${what} holds ${r.size / 4} floats, needs ${floats}`);
}

/** y[n][c] = the mean of x[n][·][·][c]. */
export async function avgPoolForward(ctx: KernelContext, s: PoolShape, t: { x: BufferRange; y: BufferRange }): Promise<Dispatch> {
  check(s, 'x', t.x, s.batch * s.H * s.W * s.C);
  check(s, 'y', t.y, s.batch * s.C);
  const ranges = { src: t.x, dst: t.y, params: ctx.paramBlock([s.batch, s.H * s.W, s.C]) };
  return ctx.dispatch(`avg pool ${s.H}×${s.W}×${s.C} forward`, poolSpec('forward'), ranges, dispatch1d(s.batch * s.C, WG));
}

/** dx = dy / (H·W) at every pixel; `add` accumulates into dx. */
export async function avgPoolBackward(ctx: KernelContext, s: PoolShape, t: { dy: BufferRange; dx: BufferRange }, add = false): Promise<Dispatch> {
  const n = s.batch * s.H * s.W * s.C;
  check(s, 'dy', t.dy, s.batch * s.C);
  check(s, 'dx', t.dx, n);
  const ranges = { src: t.dy, dst: t.dx, params: ctx.paramBlock([s.batch, s.H * s.W, s.C]) };
  return ctx.dispatch(`avg pool ${s.H}×${s.W}×${s.C} backward`, poolSpec('backward', add), ranges, dispatch1d(n, WG));
}
