/**
 * The passes of a layer graph: the forward walk over its nodes, the loss, the backward walk of the schedule
 * (src/model/graph/schedule.ts) in reverse with every gradient handed on or added in (the per-row statistics are
 * graph-stats.ts's; graph-programs.ts assembles them into the step and eval programs). Each node kind's kernels are
 * called in one place here, forward and backward.
 */
import type { BufferRange, Dispatch } from '../gpu/kernel.ts';
import { activationBackward, activationForward, activationResidualForward } from '../kernels/activation.ts';
import { conv2d, convOutput, type ConvShape } from '../kernels/conv.ts';
import { gatherImagesU8, gatherLabels, gatherRows } from '../kernels/data.ts';
import { alphaGrad, biasGrad } from '../kernels/linear.ts';
import { meanSquaredError, softmaxCrossEntropy } from '../kernels/loss.ts';
import { matmul, rowNormsSupported } from '../kernels/matmul.ts';
import { batchNormBackward, batchNormForwardEval, batchNormForwardTrain, layerNormBackward, layerNormForward } from '../kernels/norm.ts';
import { avgPoolBackward, avgPoolForward, type PoolShape } from '../kernels/pool.ts';
import { rnnLastForward, type RnnShape } from '../kernels/rnn.ts';
import { rnnLayerBackward, rnnLayerForward, type RnnLayerTensors } from '../kernels/rnn-layer.ts';
import { shortcutBackward, shortcutForward, type ShortcutShape } from '../kernels/shortcut.ts';
import { convTilingFor, isCpuAdapter, type TilingChoice } from '../kernels/tunables.ts';
import type { Graph, LayerNode, StatsRow, TensorId } from '../model/graph/graph.ts';
import type { NodeParams } from '../model/graph/graph-plan.ts';
import type { GraphNetwork } from '../model/graph/graph-network.ts';
import type { OpBackward } from '../model/graph/schedule.ts';
import type { StepOp } from '../model/graph/fuse.ts';
import type { DzColumnSums } from './graph-stats.ts';

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A node's parameters by role. */
function paramsOf(net: GraphNetwork, node: number): NodeParams {
  return net.plan.nodeParams.get(node) ?? {};
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

type Recurrent = Extract<LayerNode, { kind: 'recurrent' }>;

function rnnShape(g: Graph, n: Recurrent, batch: number): RnnShape {
  const [T, H] = g.tensors[n.saved.hs]!.shape as [number, number];
  return { cell: n.cell, nonlinearity: n.nonlinearity, B: batch, T, in: g.tensors[n.input]!.shape.at(-1)!, H };
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

  /** A recurrent layer's weights, input and what its forward saves. */
  private rnnTensors(node: number, n: Recurrent): RnnLayerTensors {
    const p = paramsOf(this.net, node);
    const { net } = this;
    const { hs, gates, state } = n.saved;
    return { x: this.act(n.input), wIh: net.p(p.weight_ih!), wHh: net.p(p.weight_hh!), bIh: net.p(p.bias_ih!), bHh: net.p(p.bias_hh!), pre: this.act(gates), hs: this.act(hs), state: state === null ? undefined : this.act(state) };
  }

  /**
   * The batch for index slot k of a submit (train), or eval chunk k (test); 'fit' evaluates training samples through
   * an index buffer of the caller's (`fitIndex`), gathered as the test set is (no crop or flip).
   */
  async gather(k: number, split: 'train' | 'test' | 'fit', fitIndex?: BufferRange): Promise<Dispatch[]> {
    const { net, B } = this;
    const { plan } = net;
    const index = split === 'fit' ? fitIndex! : split === 'train' ? net.r('index', plan.index[k]!) : net.r('evalIndex', plan.evalIndex[k]!);
    const [xs, ys] = split === 'test' ? (['testX', 'testY'] as const) : (['trainX', 'trainY'] as const);
    const t = { index, src: net.r(xs, plan.data[xs]), dst: this.act(this.g.input) };
    const images = plan.shape.byteImages;
    // Image bytes are normalized as they are gathered; only training batches are cropped and flipped.
    const x = images
      ? await gatherImagesU8(net.ctx, B, { H: images.H, W: images.W, C: images.C }, t, { augment: split === 'train' && images.augment !== null, pad: images.augment?.pad ?? 0, mean: images.mean, std: images.std })
      : await gatherRows(net.ctx, B, plan.shape.inputFloats, t);
    const y = { index, src: net.r(ys, plan.data[ys]), dst: net.r('batchY', plan.batchY) };
    const labels = this.g.task === 'classification' ? await gatherLabels(net.ctx, B, y) : await gatherRows(net.ctx, B, plan.shape.targetFloats, y);
    return [x, labels];
  }

  /** Every node forward; in eval mode batch norm reads its running statistics. */
  async forward(mode: 'train' | 'eval'): Promise<Dispatch[]> {
    return (await this.forwardOps(mode)).flat();
  }

  /** The forward dispatches op by op (the fusion pass's ops), for timing them row by row. */
  async forwardOps(mode: 'train' | 'eval'): Promise<Dispatch[][]> {
    const out: Dispatch[][] = [];
    for (const op of this.net.plan.schedule.steps) {
      if (op.kind === 'node') out.push(await this.nodeForward(op.node, this.g.nodes[op.node]!, mode));
      else out.push([await this.fusedForward(op)]);
    }
    return out;
  }

  /** dense: one matmul writes z and φ(z) (or skip + α·φ(z)); actAdd: one kernel writes skip + α·φ(u). */
  private async fusedForward(op: Exclude<StepOp, { kind: 'node' }>): Promise<Dispatch> {
    const { net, g, B } = this;
    const f = fusedParts(g, op);
    const alpha = f.alpha ? { alpha: net.p(paramsOf(net, f.alpha).alpha!) } : {};
    const skip = f.skip === null ? {} : { addend: this.act(f.skip) };
    if (op.kind === 'actAdd') {
      const n = B * size(g.tensors[f.out]!.shape);
      return activationResidualForward(net.ctx, f.act, n, { u: this.act(f.pre), prev: this.act(f.skip!), out: this.act(f.out), ...alpha });
    }
    const linear = g.nodes[op.linear] as Extract<LayerNode, { kind: 'linear' }>;
    const p = paramsOf(net, op.linear);
    const shape = { M: B, N: g.tensors[linear.output]!.shape.at(-1)!, K: size(g.tensors[linear.input]!.shape), transB: true };
    const residual = f.skip === null ? 'none' : f.alpha ? 'alpha' : 'fixed';
    const t = { a: this.act(linear.input), b: net.p(p.weight!), c: this.act(f.pre), out2: this.act(f.out), ...(p.bias ? { bias: net.p(p.bias) } : {}), ...skip, ...alpha };
    return matmul(net.ctx, shape, { kind: 'activate', act: f.act, bias: linear.bias, residual }, t, this.tiling);
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
      case 'recurrent': {
        const s = rnnShape(g, n, B);
        const list = await rnnLayerForward(ctx, s, this.rnnTensors(i, n), { tiling: this.tiling });
        if (n.output !== n.saved.hs) list.push(await rnnLastForward(ctx, s, { hs: this.act(n.saved.hs), last: y }));
        return list;
      }
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

  /**
   * The schedule's backward ops in order: node backwards and the sums of gradient contributions. With `sums` (a
   * logged step), the bias gradient of every row that has one also leaves its columns' sums of dz² there, for
   * ‖∂L/∂z‖ without another pass over dz (deltaNorms in graph-stats.ts finishes them). Recurrent layers write
   * ‖∂L/∂h_t‖ of every step to `timeDelta` (layer k's T values from k·T on) in every step: it costs the tail nothing.
   */
  async backward(timeDelta: BufferRange | null, sums?: DzColumnSums): Promise<Dispatch[]> {
    return (await this.backwardOps(timeDelta, sums)).flat();
  }

  /** The backward dispatches op by op (the schedule's backward ops), for timing them row by row. */
  async backwardOps(timeDelta: BufferRange | null, sums?: DzColumnSums): Promise<Dispatch[][]> {
    const out: Dispatch[][] = [];
    const { net } = this;
    for (const op of net.plan.schedule.backward) {
      if (op.kind === 'sum') {
        const n = net.plan.placement.slots[op.out]!.slot.bytes / 4;
        out.push([await activationResidualForward(net.ctx, 'linear', n, { u: net.value(op.a), prev: net.value(op.b), out: net.value(op.out) })]);
      } else out.push(await this.opBackward(op, timeDelta, sums));
    }
    return out;
  }

  private async opBackward(b: OpBackward, timeDelta: BufferRange | null, sums?: DzColumnSums): Promise<Dispatch[]> {
    const { net, g, B } = this;
    const op = net.plan.schedule.steps[b.op]!;
    if (op.kind === 'node') return this.nodeBackward(b, op.node, timeDelta, sums);
    const ctx = net.ctx;
    const f = fusedParts(g, op);
    const n = B * size(g.tensors[f.out]!.shape);
    const list: Dispatch[] = [];
    const alpha = f.alpha ? paramsOf(net, f.alpha).alpha! : null;
    // ∂L/∂α = Σ dy ⊙ φ(pre); the kernel recomputes φ rather than read a φ(pre) the forward never wrote.
    if (alpha && b.dy !== null) list.push(await alphaGrad(ctx, f.act, n, { dh: net.value(b.dy), u: this.act(f.pre), dalpha: net.g(alpha) }));
    const scale = alpha ? { alpha: net.p(alpha) } : {};
    if (op.kind === 'actAdd') {
      const w = b.writes[0];
      if (w !== null && w !== undefined) list.push(await activationBackward(ctx, f.act, n, { u: this.act(f.pre), dy: net.value(b.dy!), out: net.value(w), ...scale }));
      return list;
    }
    if (!b.preFused) list.push(await activationBackward(ctx, f.act, n, { u: this.act(f.pre), dy: net.value(b.dy!), out: net.value(b.pre!), ...scale }));
    list.push(...(await this.linearBackward(b, op.linear, net.value(b.pre!), sums)));
    return list;
  }

  /** dW, db and the gradient handed down (with the producer's α·φ′ when the schedule fused it here). */
  private async linearBackward(b: OpBackward, node: number, dz: BufferRange, sums?: DzColumnSums): Promise<Dispatch[]> {
    const { net, g, B } = this;
    const ctx = net.ctx;
    const n = g.nodes[node] as Extract<LayerNode, { kind: 'linear' }>;
    const p = paramsOf(net, node);
    const [N, K] = [g.tensors[n.output]!.shape.at(-1)!, size(g.tensors[n.input]!.shape)];
    const norms = sums?.partials.get(node);
    // db = Σ dz comes from the weight gradient's own matmul, and on a logged step each column's Σ dz² partials for
    // ‖∂L/∂z‖ too, where the device has the binding that takes (else a logged step keeps the bias kernel for them).
    const fused = p.bias !== undefined && (!norms || rowNormsSupported(ctx.limits));
    const dw = { a: dz, b: this.act(n.input), c: net.g(p.weight!), ...(fused ? { out2: net.g(p.bias!), ...(norms ? { norms: norms.partials } : {}) } : {}) };
    const epilogue = fused ? ({ kind: 'weightGrad', ...(norms ? { normsBase: norms.base } : {}) } as const) : ({ kind: 'plain' } as const);
    const list = [await matmul(ctx, { M: N, N: K, K: B, transA: true }, epilogue, dw, this.tiling)];
    if (p.bias && !fused) list.push(await biasGrad(ctx, B, N, { dz, db: net.g(p.bias), ...(norms ? { norms } : {}) }));
    const w = b.writes[0] ?? null;
    const add = b.addends[0] ?? null;
    const addend = add === null ? {} : { addend: net.value(add) };
    if (b.epilogue) {
      const producer = fusedParts(g, net.plan.schedule.steps[b.epilogue.producer]!);
      const alpha = producer.alpha ? paramsOf(net, producer.alpha).alpha! : null;
      const e = { kind: 'activateGrad', act: producer.act, add: add !== null, keepC: w !== null, alpha: !!alpha } as const;
      const t = { a: dz, b: net.p(p.weight!), aux: net.value(b.epilogue.aux), out2: net.value(b.epilogue.out), ...(w === null ? {} : { c: net.value(w) }), ...addend, ...(alpha ? { alpha: net.p(alpha) } : {}) };
      list.push(await matmul(ctx, { M: B, N: K, K: N }, e, t, this.tiling));
    } else if (w !== null) {
      list.push(await matmul(ctx, { M: B, N: K, K: N }, { kind: 'plain', add: add !== null }, { a: dz, b: net.p(p.weight!), c: net.value(w), ...addend }, this.tiling));
    }
    return list;
  }

  private async nodeBackward(op: OpBackward, node: number, timeDelta: BufferRange | null, sums?: DzColumnSums): Promise<Dispatch[]> {
    const { net, g, B } = this;
    const ctx = net.ctx;
    const n = g.nodes[node]!;
    const p = paramsOf(net, node);
    const dy = net.value(op.dy!);
    const x = this.act(n.input);
    const write = (j: number): BufferRange | null => (op.writes[j] === null ? null : net.value(op.writes[j]!));
    const addend = (j: number): BufferRange | undefined => (op.addends[j] === null ? undefined : net.value(op.addends[j]!));
    /** For kernels that always write their input gradient. */
    const dx = (): BufferRange => {
      const w = write(0);
      if (!w) throw new Error(`a ${n.kind} node may not read the graph's input directly (node ${node})`);
      return w;
    };
    const elements = B * size(g.tensors[n.output]!.shape);
    switch (n.kind) {
      case 'linear':
        return this.linearBackward(op, node, dy, sums);
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
        const saved = net.plan.schedule.saved.get(node)!;
        const t = { dy, x, gamma: net.p(p.gamma!), mean: net.value(saved.mean), rstd: net.value(saved.rstd), dx: dx(), dgamma: net.g(p.gamma!), dbeta: net.g(p.beta!) };
        return n.norm === 'layer' ? layerNormBackward(ctx, rows, cols, t) : [await batchNormBackward(ctx, rows, cols, t)];
      }
      case 'activation':
        return op.writes[0] === null ? [] : [await activationBackward(ctx, n.activation, elements, { u: x, dy, out: dx() })];
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
      case 'recurrent': {
        const s = rnnShape(g, n, B);
        const r = op.recurrent!;
        if (!timeDelta) throw new Error(`recurrent layer ${n.layer}: the backward pass needs somewhere to write ‖∂L/∂h_t‖`);
        const grads = {
          dhExt: dy,
          dgIh: net.value(r.dgIh),
          dgHh: r.dgHh === null ? undefined : net.value(r.dgHh),
          scratch: net.value(r.scratch),
          dWIh: net.g(p.weight_ih!),
          dWHh: net.g(p.weight_hh!),
          dbIh: net.g(p.bias_ih!),
          dbHh: net.g(p.bias_hh!),
          norms: timeDelta,
          dX: write(0) ?? undefined,
        };
        const ext = n.output === n.saved.hs ? 'all' : 'last';
        return rnnLayerBackward(ctx, s, this.rnnTensors(node, n), grads, { ext, bptt: n.bptt, normsBase: n.layer * s.T, tiling: this.tiling });
      }
    }
  }
}

/** A fused op's parts: φ, the tensor it reads, the skip and α's node (if any), the tensor it writes. */
function fusedParts(g: Graph, op: StepOp): { act: StatsRow['activation']; pre: TensorId; skip: TensorId | null; alpha: number | null; out: TensorId } {
  if (op.kind === 'node') {
    const n = g.nodes[op.node]!;
    if (n.kind !== 'activation') throw new Error(`node ${op.node} (${n.kind}) applies no φ`);
    return { act: n.activation, pre: n.input, skip: null, alpha: null, out: n.output };
  }
  const a = g.nodes[op.act] as Extract<LayerNode, { kind: 'activation' }>;
  const add = op.add === null ? null : (g.nodes[op.add] as Extract<LayerNode, { kind: 'add' }>);
  const pre = op.kind === 'dense' ? g.nodes[op.linear]!.output : a.input;
  return { act: a.activation, pre, skip: add ? add.skip : null, alpha: add?.alpha === 'learned' ? op.add : null, out: add ? add.output : a.output };
}
