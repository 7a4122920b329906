import type { KernelContext } from '../gpu/context.ts';
import { dispatch1d } from '../gpu/dispatch.ts';
import type { BufferRange, Dispatch, KernelSpec } from '../gpu/kernel.ts';
import { upload, zeros } from '../gpu/transfer.ts';
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

type Pass = 'layer_columns' | 'layer_columns4' | 'layer_totals';
type Binding = 'h' | 'u' | 'h4' | 'u4' | 'table' | 'params' | 'partials' | 'columns' | 'out';

/** `hFromU`: h = φ(u) in these layers (no residual), so the pass reads u alone and recomputes h. */
export function layerStatsSpec(act: Activation, countDead: boolean, pass: Pass = 'layer_columns4', hFromU = false): KernelSpec<Binding> {
  const constants = { WG, ACT: ACTIVATION_IDS[act], SAT_THRESHOLD: saturationThreshold(act), COUNT_DEAD: +countDead, H_FROM_U: +hFromU };
  if (pass === 'layer_totals') {
    const bindings: KernelSpec<Binding>['bindings'] = [
      ['columns', 'read'],
      ['out', 'rw'],
      ['table', 'read'],
      ['params', 'uniform'],
    ];
    return { shader: SHADERS.stats, entry: pass, bindings, constants };
  }
  const bindings: KernelSpec<Binding>['bindings'] = [
    [pass === 'layer_columns4' ? 'h4' : 'h', 'read'],
    [pass === 'layer_columns4' ? 'u4' : 'u', 'read'],
    ['table', 'read'],
    ['params', 'uniform'],
    ['partials', 'rw'],
  ];
  return { shader: SHADERS.stats, entry: pass, bindings, constants };
}

export interface StatsLayer {
  /** Float offsets of h_l and u_l within the bound h and u ranges. */
  h: number;
  u: number;
  /** Where the layer's four floats go in `out` (index, not offset). */
  slot: number;
}

/**
 * Moments of h, saturation and dead units of u for every layer in `layers`, as two dispatches: one
 * invocation per (layer, column group), then one per layer. With `hFromU` the layers' h is φ(u) (no
 * residual) and is recomputed rather than read. Build time only (uploads a table, allocates the column
 * partials).
 */
export async function layerStats(
  ctx: KernelContext,
  act: Activation,
  shape: { rows: number; cols: number },
  layers: readonly StatsLayer[],
  t: { h: BufferRange; u: BufferRange; out: BufferRange },
  hFromU = false,
): Promise<Dispatch[]> {
  const table = new Uint32Array(layers.length * 4);
  layers.forEach((l, i) => table.set([l.h, l.u, l.slot, 0], i * 4));
  const maxSlot = Math.max(...layers.map((l) => l.slot));
  if (t.out.size < (maxSlot + 1) * LAYER_STATS_FLOATS * 4) throw new RangeError(`layerStats: out too small for slot ${maxSlot}`);
  const quads = shape.cols % 4 === 0 && layers.every((l) => l.h % 4 === 0 && l.u % 4 === 0);
  const groups = quads ? shape.cols / 4 : shape.cols;
  const partials = zeros(ctx, layers.length * groups * 4, 'layer stats columns');
  const common = { table: upload(ctx, table, 'layer stats table'), params: ctx.paramBlock([shape.rows, shape.cols, layers.length, groups]) };
  const countDead = act === 'relu';
  const columns = quads ? 'layer_columns4' : 'layer_columns';
  return [
    await ctx.dispatch('layer stats', layerStatsSpec(act, countDead, columns, hFromU), { h: t.h, u: t.u, h4: t.h, u4: t.u, partials, ...common }, dispatch1d(layers.length * groups, WG)),
    await ctx.dispatch('layer stats totals', layerStatsSpec(act, countDead, 'layer_totals'), { columns: partials, out: t.out, ...common }, dispatch1d(layers.length, WG)),
  ];
}
