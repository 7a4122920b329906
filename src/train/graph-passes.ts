/**
 * The step program of a layer graph: the forward walk over its nodes, the loss, the backward walk of the
 * schedule (src/model/graph/schedule.ts) in reverse with every gradient handed on or added in, and the
 * per-row statistics. Each node kind's kernels are called in one place here, forward and backward.
 */
import type { BufferRange, Dispatch } from '../gpu/kernel.ts';
import { activationBackward, activationForward, activationResidualForward } from '../kernels/activation.ts';
import { conv2d, convOutput, type ConvShape } from '../kernels/conv.ts';
import { gatherLabels, gatherRows } from '../kernels/data.ts';
import { alphaGrad, biasGrad } from '../kernels/linear.ts';
import { meanSquaredError, softmaxCrossEntropy } from '../kernels/loss.ts';
import { matmul } from '../kernels/matmul.ts';
import { batchNormBackward, batchNormForwardEval, batchNormForwardTrain, layerNormBackward, layerNormForward } from '../kernels/norm.ts';
import { avgPoolBackward, avgPoolForward, type PoolShape } from '../kernels/pool.ts';
import { sumSquares } from '../kernels/reduce.ts';
import { shortcutBackward, shortcutForward, type ShortcutShape } from '../kernels/shortcut.ts';
import { layerStats, type StatsLayer } from '../kernels/stats.ts';
import { convTilingFor, isCpuAdapter, type TilingChoice } from '../kernels/tunables.ts';
import type { Graph, LayerNode, StatsRow, TensorId } from '../model/graph/graph.ts';
import type { PlannedParam } from '../model/graph/graph-plan.ts';
import type { GraphNetwork } from '../model/graph/graph-network.ts';
import type { NodeBackward } from '../model/graph/schedule.ts';
import { EvalProgram } from './eval.ts';
import type { StepPasses, StepProgram } from './step.ts';
import type { StatsShape } from './stats-layout.ts';

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A node's parameters by role. */
function paramsOf(net: GraphNetwork, node: number): Partial<Record<PlannedParam['role'], PlannedParam>> {
  return Object.fromEntries(net.plan.paramList.filter((p) => p.node === node).map((p) => [p.role, p]));
}

function convShape(g: Graph, n: Extract<LayerNode, { kind: 'conv2d' }>, batch: number): ConvShape {
  const [H, W, Cin] = g.tensors[n.input]!.shape as [number, number, number];
  const k = n.geometry.kernel;
  return { batch, H, W, Cin, Cout: g.tensors[n.output]!.shape.at(-1)!, KH: k, KW: k, stride: n.geometry.stride, pad: n.geometry.pad };
}

function shortcutShape(g: Graph, n: Extract<LayerNode, { kind: 'shortcut' }>, batch: number): ShortcutShape {
  const [H, W, Cin] = g.tensors[n.input]!.shape as [number, number, number];
  return { batch, H, W, Cin, Cout: g.tensors[n.output]!.shape.at(-1)! };
}

function poolShape(g: Graph, t: TensorId, batch: number): PoolShape {
  const [H, W, C] = g.tensors[t]!.shape as [number, number, number];
  return { batch, H, W, C };
}

/** Rows × columns of a norm: every position of the batch by channel (batch norm), or samples by features (layer norm). */
function normDims(g: Graph, t: TensorId, batch: number): { rows: number; cols: number } {
  const shape = g.tensors[t]!.shape;
  const cols = shape.at(-1)!;
  return { rows: (batch * size(shape)) / cols, cols };
}

export class GraphPasses {
  private readonly g: Graph;
  private readonly B: number;
  private readonly convTiling;

  constructor(
    private readonly net: GraphNetwork,
    private readonly tiling?: TilingChoice,
  ) {
    this.g = net.plan.graph;
    this.B = net.plan.shape.batch;
    this.convTiling = convTilingFor(isCpuAdapter(net.ctx.gpu.adapter));
  }

  private act(t: TensorId): BufferRange {
    return this.net.value(this.net.plan.schedule.act[t]!);
  }

  /** The batch for index slot k of a submit (train), or eval chunk k (test). */
  async gather(k: number, split: 'train' | 'test'): Promise<Dispatch[]> {
    const { net, B } = this;
    const { plan } = net;
    const index = split === 'train' ? net.r('index', plan.index[k]!) : net.r('evalIndex', plan.evalIndex[k]!);
    const [xs, ys] = split === 'train' ? (['trainX', 'trainY'] as const) : (['testX', 'testY'] as const);
    const x = await gatherRows(net.ctx, B, plan.shape.inputFloats, { index, src: net.r(xs, plan.data[xs]), dst: this.act(this.g.input) });
    const y = { index, src: net.r(ys, plan.data[ys]), dst: net.r('batchY', plan.batchY) };
    const labels = this.g.task === 'classification' ? await gatherLabels(net.ctx, B, y) : await gatherRows(net.ctx, B, plan.shape.targetFloats, y);
    return [x, labels];
  }

  /** Every node forward; in eval mode batch norm reads its running statistics. */
  async forward(mode: 'train' | 'eval'): Promise<Dispatch[]> {
    const out: Dispatch[] = [];
    for (const [i, n] of this.g.nodes.entries()) out.push(...(await this.nodeForward(i, n, mode)));
    return out;
  }

  private async nodeForward(i: number, n: LayerNode, mode: 'train' | 'eval'): Promise<Dispatch[]> {
    const { net, g, B } = this;
    const ctx = net.ctx;
    const p = paramsOf(net, i);
    const x = this.act(n.input);
    const y = this.act(n.output);
    const elements = B * size(g.tensors[n.output]!.shape);
    switch (n.kind) {
      case 'linear': {
        const shape = { M: B, N: g.tensors[n.output]!.shape.at(-1)!, K: size(g.tensors[n.input]!.shape), transB: true };
        return [await matmul(ctx, shape, { kind: 'plain', bias: n.bias }, { a: x, b: net.p(p.weight!), c: y, ...(p.bias ? { bias: net.p(p.bias) } : {}) }, this.tiling)];
      }
      case 'conv2d': {
        const t = { a: x, b: net.p(p.weight!), c: y, ...(p.bias ? { bias: net.p(p.bias) } : {}) };
        return [await conv2d(ctx, convShape(g, n, B), 'forward', t, { bias: n.bias, tiling: this.convTiling })];
      }
      case 'norm': {
        const { rows, cols } = normDims(g, n.input, B);
        const saved = net.plan.schedule.saved.get(i)!;
        const t = { x, gamma: net.p(p.gamma!), beta: net.p(p.beta!), y, mean: net.value(saved.mean), rstd: net.value(saved.rstd) };
        if (n.norm === 'layer') return [await layerNormForward(ctx, rows, cols, t)];
        const [runningMean, runningVar] = ['running_mean', 'running_var'].map((role) => net.b(net.plan.buffers.find((b) => b.node === i && b.role === role)!));
        if (mode === 'train') return [await batchNormForwardTrain(ctx, rows, cols, { ...t, runningMean: runningMean!, runningVar: runningVar! })];
        return [await batchNormForwardEval(ctx, rows, cols, { x, gamma: t.gamma, beta: t.beta, y, runningMean: runningMean!, runningVar: runningVar! })];
      }
      case 'activation':
        return [await activationForward(ctx, n.activation, elements, { u: x, out: y })];
      case 'add':
        return [await activationResidualForward(ctx, 'linear', elements, { u: x, prev: this.act(n.skip), out: y, ...(p.alpha ? { alpha: net.p(p.alpha) } : {}) })];
      case 'shortcut':
        return [await shortcutForward(ctx, shortcutShape(g, n, B), { x, y })];
      case 'pool':
        return [await avgPoolForward(ctx, poolShape(g, n.input, B), { x, y })];
    }
  }

  /** Loss value and correct count into `out`, ∂L/∂logits into the schedule's dlogits. */
  async loss(out: BufferRange): Promise<Dispatch[]> {
    const { net, g, B } = this;
    const C = size(g.tensors[g.output]!.shape);
    const common = { dlogits: net.value(net.plan.schedule.dlogits), rowStats: net.r('rowStats', net.plan.rowStats), out };
    const labels = net.r('batchY', net.plan.batchY);
    if (g.task === 'classification') return softmaxCrossEntropy(net.ctx, B, C, { logits: this.act(g.output), labels, ...common });
    const { dlogits, ...rest } = common;
    return meanSquaredError(net.ctx, B, C, { pred: this.act(g.output), target: labels, dpred: dlogits, ...rest });
  }

  /** The schedule's backward ops in order: node backwards and the sums of gradient contributions. */
  async backward(): Promise<Dispatch[]> {
    const out: Dispatch[] = [];
    const { net } = this;
    for (const op of net.plan.schedule.backward) {
      if (op.kind === 'sum') {
        const n = net.plan.placement.slots[op.out]!.slot.bytes / 4;
        out.push(await activationResidualForward(net.ctx, 'linear', n, { u: net.value(op.a), prev: net.value(op.b), out: net.value(op.out) }));
      } else out.push(...(await this.nodeBackward(op)));
    }
    return out;
  }

  private async nodeBackward(op: NodeBackward): Promise<Dispatch[]> {
    const { net, g, B } = this;
    const ctx = net.ctx;
    const n = g.nodes[op.node]!;
    const p = paramsOf(net, op.node);
    const dy = net.value(op.dy);
    const x = this.act(n.input);
    const write = (j: number): BufferRange | null => (op.writes[j] === null ? null : net.value(op.writes[j]!));
    const addend = (j: number): BufferRange | undefined => (op.addends[j] === null ? undefined : net.value(op.addends[j]!));
    /** For kernels that always write their input gradient. */
    const dx = (): BufferRange => {
      const w = write(0);
      if (!w) throw new Error(`a ${n.kind} node may not read the graph's input directly (node ${op.node})`);
      return w;
    };
    const elements = B * size(g.tensors[n.output]!.shape);
    switch (n.kind) {
      case 'linear': {
        const [N, K] = [g.tensors[n.output]!.shape.at(-1)!, size(g.tensors[n.input]!.shape)];
        const list = [await matmul(ctx, { M: N, N: K, K: B, transA: true }, { kind: 'plain' }, { a: dy, b: x, c: net.g(p.weight!) }, this.tiling)];
        if (p.bias) list.push(await biasGrad(ctx, B, N, { dz: dy, db: net.g(p.bias) }));
        const w = write(0);
        const add = addend(0);
        if (w) list.push(await matmul(ctx, { M: B, N: K, K: N }, { kind: 'plain', add: !!add }, { a: dy, b: net.p(p.weight!), c: w, ...(add ? { addend: add } : {}) }, this.tiling));
        return list;
      }
      case 'conv2d': {
        const shape = convShape(g, n, B);
        const list = [await conv2d(ctx, shape, 'weights', { a: dy, b: x, c: net.g(p.weight!) }, { tiling: this.convTiling })];
        if (p.bias) {
          const { Ho, Wo } = convOutput(shape);
          list.push(await biasGrad(ctx, B * Ho * Wo, shape.Cout, { dz: dy, db: net.g(p.bias) }));
        }
        const w = write(0);
        const add = addend(0);
        if (w) list.push(await conv2d(ctx, shape, 'input', { a: dy, b: net.p(p.weight!), c: w, ...(add ? { addend: add } : {}) }, { add: !!add, tiling: this.convTiling }));
        return list;
      }
      case 'norm': {
        const { rows, cols } = normDims(g, n.input, B);
        const saved = net.plan.schedule.saved.get(op.node)!;
        const t = { dy, x, gamma: net.p(p.gamma!), mean: net.value(saved.mean), rstd: net.value(saved.rstd), dx: dx(), dgamma: net.g(p.gamma!), dbeta: net.g(p.beta!) };
        return n.norm === 'layer' ? layerNormBackward(ctx, rows, cols, t) : [await batchNormBackward(ctx, rows, cols, t)];
      }
      case 'activation':
        return [await activationBackward(ctx, n.activation, elements, { u: x, dy, out: dx() })];
      case 'add': {
        if (!p.alpha) return [];
        // ∂L/∂α = Σ dy ⊙ branch; the branch's gradient is α·dy (its skip's is dy itself, handed on by the schedule).
        const alpha = net.p(p.alpha);
        const list = [await alphaGrad(ctx, 'linear', elements, { dh: dy, u: x, dalpha: net.g(p.alpha) })];
        const w = write(1);
        if (w) list.push(await activationBackward(ctx, 'linear', elements, { u: x, dy, out: w, alpha }));
        return list;
      }
      case 'shortcut':
        return [await shortcutBackward(ctx, shortcutShape(g, n, B), { dy, dx: dx() })];
      case 'pool':
        return [await avgPoolBackward(ctx, poolShape(g, n.input, B), { dy, dx: dx() })];
    }
  }

  /** ‖∂L/∂z‖ of every row into `out` (one sumSquares per buffer chunk the gradients sit in). */
  async deltaNorms(out: BufferRange): Promise<Dispatch[]> {
    const { net } = this;
    const groups = new Map<string, { range: BufferRange; segments: { offset: number; length: number }[]; rows: number[] }>();
    this.g.rows.forEach((r, row) => {
      const v = net.plan.schedule.grad.get(r.z);
      if (v === undefined) throw new Error(`row ${r.name}: the loss does not reach its output`);
      const c = net.valueChunk(v);
      const group = groups.get(c.key) ?? { range: c.range, segments: [], rows: [] };
      group.segments.push({ offset: c.offset, length: net.plan.placement.slots[v]!.slot.bytes / 4 });
      group.rows.push(row);
      groups.set(c.key, group);
    });
    const list: Dispatch[] = [];
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

  /** actMean, actStd of each row's h, saturation and dead units of its u. */
  async layerStatistics(out: BufferRange): Promise<Dispatch[]> {
    const { net, g, B } = this;
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
}

/** Whether a row's h is φ(u) (the stats kernel then recomputes it), rather than, say, a residual sum after φ. */
function hIsActivationOfU(g: Graph, r: StatsRow): boolean {
  if (r.h === r.u) return r.activation === 'linear';
  const producer = g.nodes.find((n) => n.output === r.h);
  return producer?.kind === 'activation' && producer.input === r.u && producer.activation === r.activation;
}

/** The statistics' view of a graph: each row's weight, output size and units. */
export function graphStatsShape(net: GraphNetwork): StatsShape {
  const { graph, shape } = net.plan;
  const rows = graph.rows.map((r) => {
    const s = graph.tensors[r.u]!.shape;
    return { elements: shape.batch * size(s), units: s.at(-1)! };
  });
  return { params: net.plan.paramList.map((p) => (p.row === undefined ? {} : { row: p.row })), rows, batch: shape.batch, task: graph.task };
}

/** The whole step for StepProgram.create. */
export async function recordGraphStep(net: GraphNetwork, program: StepProgram, tiling?: TilingChoice): Promise<StepPasses> {
  const passes = new GraphPasses(net, tiling);
  const { stats } = program;
  const gather: Dispatch[][] = [];
  for (let k = 0; k < net.plan.shape.stepsPerSubmit; k++) gather.push(await passes.gather(k, 'train'));
  const forward = await passes.forward('train');
  const loss = await passes.loss(program.out(stats.loss));
  const backward = await passes.backward();
  const norms = await program.gradNorms(net.grads, net.plan.paramList);
  const statistics = [...(await passes.deltaNorms(program.out(stats.dzSums))), ...(await passes.layerStatistics(program.out(stats.layer)))];
  const update = await program.updates({ params: net.params, grads: net.grads, m: net.m, v: net.v }, net.plan.paramList);
  return { gather, forward, loss, backward, backwardLogged: backward, norms, statistics, update };
}

/** Test-set loss and accuracy over the graph: gather, forward with batch norm on its running statistics, loss, per chunk. */
export async function recordGraphEval(net: GraphNetwork, tiling?: TilingChoice): Promise<EvalProgram> {
  const { plan, ctx } = net;
  const passes = new GraphPasses(net, tiling);
  const lossOut = ctx.createBuffer('eval loss', 256, GPUBufferUsage.STORAGE);
  const forward = await passes.forward('eval');
  const loss = await passes.loss({ buffer: lossOut, offset: 0, size: 256 });
  const chunks: Dispatch[][] = [];
  for (let k = 0; k < plan.evalIndex.length; k++) chunks.push([...(await passes.gather(k, 'test')), ...forward, ...loss]);
  EvalProgram.writeIndices(ctx, net.io.evalIndex.buffers, plan.evalIndex, plan.shape.batch, plan.shape.testSamples);
  return EvalProgram.fromChunks(ctx, chunks, net.r('rowStats', plan.rowStats), { batch: plan.shape.batch, testSamples: plan.shape.testSamples, task: plan.graph.task });
}
