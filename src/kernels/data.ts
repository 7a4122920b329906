import type { KernelContext } from '../gpu/context.ts';
import { dispatch1d } from '../gpu/dispatch.ts';
import type { BufferRange, Dispatch, KernelSpec } from '../gpu/kernel.ts';
import { SHADERS } from './shaders.ts';

const WG = 256;
type Binding = 'index' | 'src' | 'dst' | 'params';

export function gatherSpec(entry: 'gather_rows' | 'gather_labels'): KernelSpec<Binding> {
  return {
    shader: SHADERS.data,
    entry,
    bindings: [
      ['index', 'read'],
      ['src', 'read'],
      ['dst', 'rw'],
      ['params', 'uniform'],
    ],
    constants: { WG },
  };
}

/** dst[i, :] = src[index[i], :] for B rows of `cols` floats. */
export async function gatherRows(
  ctx: KernelContext,
  B: number,
  cols: number,
  t: { index: BufferRange; src: BufferRange; dst: BufferRange },
): Promise<Dispatch> {
  if (t.dst.size < B * cols * 4) throw new RangeError(`gatherRows: dst holds ${t.dst.size / 4} floats, needs ${B * cols}`);
  if (t.index.size < B * 4) throw new RangeError(`gatherRows: index holds ${t.index.size / 4} entries, needs ${B}`);
  return ctx.dispatch('gather rows', gatherSpec('gather_rows'), { ...t, params: ctx.paramBlock([B, cols]) }, dispatch1d(B * cols, WG));
}

/** dst[i] = src[index[i]] for B u32 class ids. */
export async function gatherLabels(
  ctx: KernelContext,
  B: number,
  t: { index: BufferRange; src: BufferRange; dst: BufferRange },
): Promise<Dispatch> {
  if (t.dst.size < B * 4) throw new RangeError(`gatherLabels: dst holds ${t.dst.size / 4} entries, needs ${B}`);
  return ctx.dispatch('gather labels', gatherSpec('gather_labels'), { ...t, params: ctx.paramBlock([B, 1]) }, dispatch1d(B, WG));
}
