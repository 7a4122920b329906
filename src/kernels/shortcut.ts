import type { KernelContext } from '../gpu/context.ts';
import { dispatch1d } from '../gpu/dispatch.ts';
import type { BufferRange, Dispatch, KernelSpec } from '../gpu/kernel.ts';
import { SHADERS } from './shaders.ts';

/** An option-A shortcut from N×H×W×Cin to N×⌈H/2⌉×⌈W/2⌉×Cout (Cout − Cin even and ≥ 0). */
export interface ShortcutShape {
  batch: number;
  H: number;
  W: number;
  Cin: number;
  Cout: number;
}

const WG = 256;
type Binding = 'src' | 'dst' | 'params';

export function shortcutSpec(direction: 'forward' | 'backward', add = false): KernelSpec<Binding> {
  return {
    shader: SHADERS.shortcut,
    entry: `shortcut_${direction}`,
    bindings: [
      ['src', 'read'],
      ['dst', 'rw'],
      ['params', 'uniform'],
    ],
    constants: { WG, ADD: +add },
  };
}

/** The shortcut's output size and its parameter block. */
export function shortcutGeometry(s: ShortcutShape): { Ho: number; Wo: number; padC: number; inFloats: number; outFloats: number } {
  for (const [k, v] of Object.entries(s)) if (!Number.isInteger(v) || v < 1) throw new RangeError(`shortcut: ${k} must be an integer ≥ 1 (got ${v})`);
  const extra = s.Cout - s.Cin;
  if (extra < 0 || extra % 2 !== 0) throw new RangeError(`shortcut: Cout − Cin must be even and ≥ 0 (got ${s.Cin} → ${s.Cout})`);
  const [Ho, Wo] = [Math.ceil(s.H / 2), Math.ceil(s.W / 2)];
  return { Ho, Wo, padC: extra / 2, inFloats: s.batch * s.H * s.W * s.Cin, outFloats: s.batch * Ho * Wo * s.Cout };
}

function check(what: string, r: BufferRange, floats: number): void {
  if (r.size < floats * 4) throw new RangeError(`shortcut: ${what} holds ${r.size / 4} floats, needs ${floats}`);
}

function params(ctx: KernelContext, s: ShortcutShape): BufferRange {
  const g = shortcutGeometry(s);
  return ctx.paramBlock([s.batch, s.H, s.W, s.Cin, g.Ho, g.Wo, s.Cout, g.padC]);
}

/** y = every second pixel of x, its channels zero-padded to Cout. */
export async function shortcutForward(ctx: KernelContext, s: ShortcutShape, t: { x: BufferRange; y: BufferRange }): Promise<Dispatch> {
  const g = shortcutGeometry(s);
  check('x', t.x, g.inFloats);
  check('y', t.y, g.outFloats);
  const ranges = { src: t.x, dst: t.y, params: params(ctx, s) };
  return ctx.dispatch(`shortcut ${s.H}×${s.W}×${s.Cin}→${s.Cout} forward`, shortcutSpec('forward'), ranges, dispatch1d(g.outFloats, WG));
}

/** dx at the pixels and channels the shortcut read, 0 elsewhere; `add` accumulates into dx. */
export async function shortcutBackward(ctx: KernelContext, s: ShortcutShape, t: { dy: BufferRange; dx: BufferRange }, add = false): Promise<Dispatch> {
  const g = shortcutGeometry(s);
  check('dy', t.dy, g.outFloats);
  check('dx', t.dx, g.inFloats);
  const ranges = { src: t.dy, dst: t.dx, params: params(ctx, s) };
  return ctx.dispatch(`shortcut ${s.H}×${s.W}×${s.Cin}→${s.Cout} backward`, shortcutSpec('backward', add), ranges, dispatch1d(g.inFloats, WG));
}
