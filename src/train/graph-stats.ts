/**
 * The per-row statistics of a logged step over a layer graph (DESIGN.md, "Per-layer statistics"): ‖∂L/∂z‖ of
 * every row, and the moments, saturation and dead units of its activations. Built once with the step.
 */
import type { BufferRange, Dispatch } from '../gpu/kernel.ts';
import { upload, zeros } from '../gpu/transfer.ts';
import { columnSegments } from '../kernels/linear.ts';
import { SEGMENT_WORDS, segmentNorms, splitSumSquares, sumSquares, type SegmentPlan } from '../kernels/reduce.ts';
import { layerStats, type StatsLayer } from '../kernels/stats.ts';
import { producers, type Graph, type StatsRow } from '../model/graph/graph.ts';
import type { GraphNetwork } from '../model/graph/graph-network.ts';
import { backwardOwners, forwardOwners, segmentRows } from './layer-timing.ts';
import type { StatsShape } from './stats-layout.ts';

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Where the logged backward's bias gradients leave their columns' sums of dz² (shaders/linear.wgsl): for each
 * row whose weight is a linear with a bias, by that linear's node. Each run of consecutive such rows is one
 * segment plan over the shared partials buffer, finished by one segmentNorms.
 */
export interface DzColumnSums {
  readonly partials: ReadonlyMap<number, { partials: BufferRange; base: number }>;
  readonly runs: readonly { rows: readonly number[]; plan: SegmentPlan }[];
  readonly buffer: BufferRange;
}

export function dzColumnSums(net: GraphNetwork): DzColumnSums {
  const g = net.plan.graph;
  const runs: { rows: number[]; cols: number[] }[] = [];
  g.rows.forEach((r, row) => {
    const n = g.nodes[r.node]!;
    if (n.kind !== 'linear' || !n.bias || n.output !== r.z) return;
    const last = runs.at(-1);
    const cols = g.tensors[r.z]!.shape.at(-1)!;
    if (last && last.rows.at(-1) === row - 1) {
      last.rows.push(row);
      last.cols.push(cols);
    } else runs.push({ rows: [row], cols: [cols] });
  });
  const total = runs.reduce((sum, r) => sum + r.cols.reduce((a, b) => a + b, 0), 0);
  const buffer = zeros(net.ctx, 3 * Math.max(1, total), 'dz column norms');
  const partials = new Map<number, { partials: BufferRange; base: number }>();
  let base = 0;
  const plans = runs.map((run) => {
    const first = base;
    run.rows.forEach((row, i) => {
      partials.set(g.rows[row]!.node, { partials: buffer, base });
      base += run.cols[i]!;
    });
    const plan = columnSegments(run.cols);
    // The run's triples start at `first` in the shared buffer.
    for (let k = 0; k < run.rows.length; k++) plan.table[k * SEGMENT_WORDS + 2]! += first;
    return { rows: run.rows, plan: { ...plan, units: base } };
  });
  return { partials, runs: plans, buffer };
}

/**
 * ‖∂L/∂z‖ of every row into `out`: rows with a bias from the logged backward's column sums, the others by one
 * sumSquares per run of consecutive rows whose gradients share a buffer chunk.
 */
export async function deltaNorms(net: GraphNetwork, sums: DzColumnSums, out: BufferRange): Promise<Dispatch[]> {
  const list: Dispatch[] = [];
  const covered = new Set<number>();
  for (const run of sums.runs) {
    const segs = upload(net.ctx, run.plan.table, 'dz segments');
    list.push(await segmentNorms(net.ctx, { plan: run.plan, segs, partials: sums.buffer, out, outBase: run.rows[0]! }));
    for (const r of run.rows) covered.add(r);
  }
  const groups = new Map<string, { range: BufferRange; segments: { offset: number; length: number }[]; rows: number[] }>();
  net.plan.graph.rows.forEach((r, row) => {
    if (covered.has(row)) return;
    const v = net.plan.schedule.grad.get(r.z);
    if (v === undefined) throw new Error(`row ${r.name}: the loss does not reach its output`);
    const c = net.valueChunk(v);
    const group = groups.get(c.key) ?? { range: c.range, segments: [], rows: [] };
    group.segments.push({ offset: c.offset, length: net.plan.placement.slots[v]!.slot.bytes / 4 });
    group.rows.push(row);
    groups.set(c.key, group);
  });
  for (const group of groups.values()) {
    // sumSquares writes segment s to out[outBase + s]: runs of consecutive rows share a call.
    let start = 0;
    while (start < group.rows.length) {
      let end = start + 1;
      while (end < group.rows.length && group.rows[end] === group.rows[end - 1]! + 1) end++;
      list.push(...(await sumSquares(net.ctx, { x: group.range, segments: group.segments.slice(start, end), out, outBase: group.rows[start]! })));
      start = end;
    }
  }
  return list;
}

type Chunk = ReturnType<GraphNetwork['valueChunk']>;

/** One pass of the residual split over the blocks whose values share a pair of buffer chunks. */
interface SplitCall {
  /** ∂L/∂x's chunk, and S's. */
  readonly x: Chunk;
  readonly sub: Chunk;
  readonly segments: { offset: number; length: number; subOffset: number }[];
  /** Where the call's ‖S‖ and ‖B‖ start in the residual section (one slot a block each). */
  readonly skipBase: number;
  readonly branchBase: number;
}

/**
 * The residual split's layout: liveness spreads consecutive blocks' gradients over several arenas, so the blocks
 * are grouped by the chunks their two values live in (one pass per group, not per block), and block k's ‖S‖ and
 * ‖B‖ land at `skip[k]` and `branch[k]` of the residual section.
 */
export function residualSplitPlan(net: GraphNetwork): { calls: SplitCall[]; skip: number[]; branch: number[] } {
  const splits = net.plan.schedule.splits;
  const groups = new Map<string, { x: Chunk; sub: Chunk; blocks: { k: number; seg: SplitCall['segments'][number] }[] }>();
  splits.forEach((s, k) => {
    const length = net.plan.placement.slots[s.skip]!.slot.bytes / 4;
    const [S, T] = [net.valueChunk(s.skip), net.valueChunk(s.total)];
    const key = `${T.key} ${S.key}`;
    const g = groups.get(key) ?? { x: T, sub: S, blocks: [] };
    g.blocks.push({ k, seg: { offset: T.offset, length, subOffset: S.offset } });
    groups.set(key, g);
  });
  const skip = new Array<number>(splits.length);
  const branch = new Array<number>(splits.length);
  const calls: SplitCall[] = [];
  let base = 0;
  for (const g of groups.values()) {
    const n = g.blocks.length;
    g.blocks.forEach(({ k }, i) => {
      skip[k] = base + i;
      branch[k] = base + n + i;
    });
    calls.push({ x: g.x, sub: g.sub, segments: g.blocks.map((b) => b.seg), skipBase: base, branchBase: base + n });
    base += 2 * n;
  }
  return { calls, skip, branch };
}

/** The residual split (residualSplitPlan's layout) into `out`: three dispatches per pair of chunks, whatever the depth. */
export async function residualSplitNorms(net: GraphNetwork, out: BufferRange): Promise<Dispatch[]> {
  const list: Dispatch[] = [];
  for (const c of residualSplitPlan(net).calls) list.push(...(await splitSumSquares(net.ctx, { x: c.x.range, sub: c.sub.range, segments: c.segments, out, skipBase: c.skipBase, branchBase: c.branchBase })));
  return list;
}

/** actMean, actStd of each row's h, saturation and dead units of its u: one pair of dispatches per buffer and shape. */
export async function layerStatistics(net: GraphNetwork, out: BufferRange): Promise<Dispatch[]> {
  const g = net.plan.graph;
  const B = net.plan.shape.batch;
  const groups = new Map<string, { act: StatsRow['activation']; rows: number; cols: number; hFromU: boolean; h: BufferRange; u: BufferRange; layers: StatsLayer[] }>();
  g.rows.forEach((r, slot) => {
    const h = net.valueChunk(net.plan.schedule.act[r.h]!);
    const u = net.valueChunk(net.plan.schedule.act[r.u]!);
    const cols = g.tensors[r.u]!.shape.at(-1)!;
    const rows = (B * size(g.tensors[r.u]!.shape)) / cols;
    const hFromU = hIsActivationOfU(g, r);
    const key = `${h.key}|${u.key}|${rows}x${cols}|${r.activation}|${hFromU}`;
    const group = groups.get(key) ?? { act: r.activation, rows, cols, hFromU, h: h.range, u: u.range, layers: [] };
    group.layers.push({ h: h.offset, u: u.offset, slot });
    groups.set(key, group);
  });
  const list: Dispatch[] = [];
  for (const gr of groups.values()) list.push(...(await layerStats(net.ctx, gr.act, { rows: gr.rows, cols: gr.cols }, gr.layers, { h: gr.h, u: gr.u, out }, gr.hFromU)));
  return list;
}

/** Whether a row's h is φ(u) (the stats kernel then recomputes it), rather than, say, a residual sum after φ. */
function hIsActivationOfU(g: Graph, r: StatsRow): boolean {
  if (r.h === r.u) return r.activation === 'linear';
  const producer = producers(g).get(r.h);
  return producer?.kind === 'activation' && producer.input === r.u && producer.activation === r.activation;
}

/** The statistics' view of a graph: each row's weight, output size and units. */
export function graphStatsShape(net: GraphNetwork): StatsShape {
  const { graph, shape } = net.plan;
  const rows = graph.rows.map((r) => {
    const s = graph.tensors[r.u]!.shape;
    return { elements: shape.batch * size(s), units: s.at(-1)! };
  });
  const timeSteps = graph.nodes.flatMap((n) => (n.kind === 'recurrent' ? [graph.tensors[n.saved.hs]!.shape[0]!] : []));
  const split = net.plan.schedule.splits.length ? residualSplitPlan(net) : null;
  const { steps, backward } = net.plan.schedule;
  const layerSegments = { forward: segmentRows(forwardOwners(graph, steps)), backward: segmentRows(backwardOwners(graph, steps, backward)) };
  return {
    params: net.plan.paramList.map((p) => (p.row === undefined ? {} : { row: p.row })),
    rows,
    batch: shape.batch,
    task: graph.task,
    ...(timeSteps.length ? { timeSteps } : {}),
    ...(split ? { residual: { skip: split.skip, branch: split.branch } } : {}),
    layerSegments,
  };
}
