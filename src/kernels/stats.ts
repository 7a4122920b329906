import type { KernelContext } from '../gpu/context.ts';
import type { BufferRange, Dispatch, KernelSpec } from '../gpu/kernel.ts';
import { upload } from '../gpu/transfer.ts';
import { ACTIVATION_IDS, type Activation } from './activation.ts';
import { SHADERS } from './shaders.ts';

const WG = 64;
/** Floats per layer in the output: Σh, Σh², saturated count, dead units. */
export const LAYER_STATS_FLOATS = 4;

/** max φ' of each activation; a unit is saturated where φ'(u) < 0.1 of it (sigmoid, tanh, gelu only). */
const MAX_GRAD: Partial<Record<Activation, number>> = {
  sigmoid: 0.25,
  tanh: 1,
  // gelu's derivative peaks at u = √2: Φ(√2) + √2·φ(√2).
  gelu: 1.1289285,
};

export function saturationThreshold(act: Activation): number {
  const m = MAX_GRAD[act];
  return m === undefined ? 0 : 0.1 * m;
}

export function layerStatsSpec(act: Activation, countDead: boolean): KernelSpec<'h' | 'u' | 'table' | 'out' | 'params'> {
  return {
    shader: SHADERS.stats,
    entry: 'layer_stats',
    bindings: [
      ['h', 'read'],
      ['u', 'read'],
      ['table', 'read'],
      ['out', 'rw'],
      ['params', 'uniform'],
    ],
    constants: { WG, ACT: ACTIVATION_IDS[act], SAT_THRESHOLD: saturationThreshold(act), COUNT_DEAD: +countDead },
  };
}

export interface StatsLayer {
  /** Float offsets of h_l and u_l within the bound h and u ranges. */
  h: number;
  u: number;
  /** Where the layer's four floats go in `out` (index, not offset). */
  slot: number;
}

/** One workgroup per layer: moments of h, saturation and dead units of u. Build time only (uploads a table). */
export async function layerStats(
  ctx: KernelContext,
  act: Activation,
  shape: { rows: number; cols: number },
  layers: readonly StatsLayer[],
  t: { h: BufferRange; u: BufferRange; out: BufferRange },
): Promise<Dispatch> {
  const table = new Uint32Array(layers.length * 4);
  layers.forEach((l, i) => table.set([l.h, l.u, l.slot, 0], i * 4));
  const maxSlot = Math.max(...layers.map((l) => l.slot));
  if (t.out.size < (maxSlot + 1) * LAYER_STATS_FLOATS * 4) throw new RangeError(`layerStats: out too small for slot ${maxSlot}`);
  const spec = layerStatsSpec(act, act === 'relu');
  const ranges = { ...t, table: upload(ctx, table, 'layer stats table'), params: ctx.paramBlock([shape.rows, shape.cols, layers.length, 0]) };
  return ctx.dispatch('layer stats', spec, ranges, [layers.length, 1, 1]);
}
