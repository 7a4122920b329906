import type { BufferRange, Dispatch } from '../gpu/kernel.ts';
import { activationForward, activationResidualForward } from '../kernels/activation.ts';
import { gatherLabels, gatherRows } from '../kernels/data.ts';
import { alphaGrad, biasGrad } from '../kernels/linear.ts';
import { meanSquaredError, softmaxCrossEntropy } from '../kernels/loss.ts';
import { matmul, type MatmulEpilogue } from '../kernels/matmul.ts';
import { batchNormBackward, batchNormForwardEval, batchNormForwardTrain, layerNormBackward, layerNormForward } from '../kernels/norm.ts';
import type { TilingChoice } from '../kernels/tunables.ts';
import type { Network } from '../model/network.ts';
import { parity, type BlockPlan } from '../model/plan.ts';

// The training step's dispatches, block by block, as DESIGN.md's canonical network defines them.
// Arena names follow src/model/plan.ts: per-layer activations alternate between h0/h1, dz0/dz1, … by
// layer parity so that no dispatch reads and writes the same buffer.

const residualKind = (net: Network, b: BlockPlan): 'none' | 'fixed' | 'alpha' =>
  !b.residual ? 'none' : net.plan.shape.residual === 'rezero' ? 'alpha' : 'fixed';

/** Gather a batch from the uploaded training set (step slot k) or test set (eval chunk k). */
export async function gatherPass(net: Network, k: number, split: 'train' | 'test' = 'train'): Promise<Dispatch[]> {
  const { plan } = net;
  const s = plan.shape;
  const index = split === 'train' ? net.r('index', plan.index[k]!) : net.r('evalIndex', plan.evalIndex[k]!);
  const [xa, ya] = split === 'train' ? (['trainX', 'trainY'] as const) : (['testX', 'testY'] as const);
  const [xs, ys] = split === 'train' ? [plan.data.trainX, plan.data.trainY] : [plan.data.testX, plan.data.testY];
  const x = await gatherRows(net.ctx, s.batch, s.inputDim, { index, src: net.r(xa, xs), dst: net.r('batchX', plan.batchX) });
  const yArgs = { index, src: net.r(ya, ys), dst: net.r('batchY', plan.batchY) };
  const y = s.task === 'classification' ? await gatherLabels(net.ctx, s.batch, yArgs) : await gatherRows(net.ctx, s.batch, s.outputDim, yArgs);
  return [x, y];
}

/** h_l for every block, then the logits. In eval mode batch norm uses its running statistics. */
export async function forwardPass(net: Network, tiling?: TilingChoice, mode: 'train' | 'eval' = 'train'): Promise<Dispatch[]> {
  const { plan, ctx } = net;
  const s = plan.shape;
  const out: Dispatch[] = [];
  for (const [l, b] of plan.blocks.entries()) {
    const input = l === 0 ? net.r('batchX', plan.batchX) : net.r(`h${parity(l - 1)}`, plan.blocks[l - 1]!.h);
    const h = net.r(`h${parity(l)}`, b.h);
    const z = net.r('z', b.z);
    const shape = { M: s.batch, N: s.width, K: b.fanIn, transB: true };
    const weights = { a: input, b: net.p(b.weight), bias: net.p(b.bias), c: z };
    const alpha = b.alpha ? { alpha: net.p(b.alpha) } : {};
    if (s.norm === 'none') {
      const e: MatmulEpilogue = { kind: 'activate', act: s.activation, bias: true, residual: residualKind(net, b) };
      out.push(await matmul(ctx, shape, e, { ...weights, out2: h, ...(b.residual ? { addend: input } : {}), ...alpha }, tiling));
      continue;
    }
    out.push(await matmul(ctx, shape, { kind: 'plain', bias: true }, weights, tiling));
    const u = net.r('u', b.u);
    const norm = { x: z, gamma: net.p(b.gamma!), beta: net.p(b.beta!), y: u, mean: net.r('normStats', b.mean!), rstd: net.r('normStats', b.rstd!) };
    const running = s.norm === 'batch' ? { runningMean: net.r('running', b.runningMean!), runningVar: net.r('running', b.runningVar!) } : undefined;
    if (!running) out.push(await layerNormForward(ctx, s.batch, s.width, norm));
    else if (mode === 'train') out.push(await batchNormForwardTrain(ctx, s.batch, s.width, { ...norm, ...running }));
    else out.push(await batchNormForwardEval(ctx, s.batch, s.width, { x: z, gamma: norm.gamma, beta: norm.beta, y: u, ...running }));
    const n = s.batch * s.width;
    if (b.residual) out.push(await activationResidualForward(ctx, s.activation, n, { u, prev: input, out: h, ...alpha }));
    else out.push(await activationForward(ctx, s.activation, n, { u, out: h }));
  }
  const last = plan.blocks[s.depth - 1]!;
  const head = { M: s.batch, N: s.outputDim, K: s.width, transB: true };
  const t = { a: net.r(`h${parity(s.depth - 1)}`, last.h), b: net.p(plan.head.weight), bias: net.p(plan.head.bias), c: net.r('logits', plan.logits) };
  out.push(await matmul(ctx, head, { kind: 'plain', bias: true }, t, tiling));
  return out;
}

/** Loss value, correct count and ∂L/∂logits. `out` receives [loss, correct]. */
export async function lossPass(net: Network, out: BufferRange): Promise<Dispatch[]> {
  const { plan, ctx } = net;
  const s = plan.shape;
  const common = { dlogits: net.r('dlogits', plan.dlogits), rowStats: net.r('rowStats', plan.rowStats), out };
  if (s.task === 'classification') {
    return softmaxCrossEntropy(ctx, s.batch, s.outputDim, { logits: net.r('logits', plan.logits), labels: net.r('batchY', plan.batchY), ...common });
  }
  const { dlogits, ...rest } = common;
  return meanSquaredError(ctx, s.batch, s.outputDim, { pred: net.r('logits', plan.logits), target: net.r('batchY', plan.batchY), dpred: dlogits, ...rest });
}

/**
 * Where ∂L/∂u of block l goes: the du scratch before a norm layer, else straight into dz (u = z).
 */
function gradTarget(net: Network, l: number): BufferRange {
  const b = net.plan.blocks[l]!;
  return net.plan.du ? net.r(`du${parity(l)}`, net.plan.du[parity(l)]!) : net.r(`dz${parity(l)}`, b.dz);
}

/** dh_{l} and du_{l} from the gradient arriving from above (the head's or block l+1's). */
async function gradIntoBlock(net: Network, l: number, from: { dz: BufferRange; W: BufferRange; K: number; addDh: boolean }, tiling?: TilingChoice): Promise<Dispatch> {
  const { plan, ctx } = net;
  const s = plan.shape;
  const b = plan.blocks[l]!;
  // dh_l is kept when block l adds its input back (the next matmul down adds it) or has a learnable α.
  const keepC = b.residual;
  const e: MatmulEpilogue = { kind: 'activateGrad', act: s.activation, add: from.addDh, keepC, alpha: !!b.alpha };
  const dh = net.r(`dh${parity(l)}`, plan.dh[parity(l)]);
  const t = {
    a: from.dz,
    b: from.W,
    ...(keepC ? { c: dh } : {}),
    ...(from.addDh ? { addend: net.r(`dh${parity(l + 1)}`, plan.dh[parity(l + 1)]) } : {}),
    aux: net.r(s.norm === 'none' ? 'z' : 'u', b.u),
    out2: gradTarget(net, l),
    ...(b.alpha ? { alpha: net.p(b.alpha) } : {}),
  };
  return matmul(ctx, { M: s.batch, N: s.width, K: from.K }, e, t, tiling);
}

/**
 * Every parameter gradient, from ∂L/∂logits down to block 0: `plain` for an unlogged step; `logged` the
 * same dispatches, except that each bias gradient also leaves its columns' sums of dz² in `dzNorms`
 * (block l's from triple l·width on, the head's after the last block's) for ‖∂L/∂z‖.
 */
export async function backwardPass(net: Network, tiling?: TilingChoice, dzNorms?: BufferRange): Promise<{ plain: Dispatch[]; logged: Dispatch[] }> {
  const { plan, ctx } = net;
  const s = plan.shape;
  const plainList: Dispatch[] = [];
  const loggedList: Dispatch[] = [];
  const out = { push: (...d: Dispatch[]) => (plainList.push(...d), loggedList.push(...d)) };
  const biasGrads = async (rows: number, cols: number, t: { dz: BufferRange; db: BufferRange }, base: number) => {
    plainList.push(await biasGrad(ctx, rows, cols, t));
    loggedList.push(dzNorms ? await biasGrad(ctx, rows, cols, { ...t, norms: { partials: dzNorms, base } }) : plainList.at(-1)!);
  };
  const D = s.depth;
  const dlogits = net.r('dlogits', plan.dlogits);
  const hLast = net.r(`h${parity(D - 1)}`, plan.blocks[D - 1]!.h);
  out.push(await matmul(ctx, { M: s.outputDim, N: s.width, K: s.batch, transA: true }, { kind: 'plain' }, { a: dlogits, b: hLast, c: net.g(plan.head.weight) }, tiling));
  await biasGrads(s.batch, s.outputDim, { dz: dlogits, db: net.g(plan.head.bias) }, D * s.width);
  out.push(await gradIntoBlock(net, D - 1, { dz: dlogits, W: net.p(plan.head.weight), K: s.outputDim, addDh: false }, tiling));
  for (let l = D - 1; l >= 0; l--) {
    const b = plan.blocks[l]!;
    const dz = net.r(`dz${parity(l)}`, b.dz);
    const u = net.r(s.norm === 'none' ? 'z' : 'u', b.u);
    if (b.alpha) out.push(await alphaGrad(ctx, s.activation, s.batch * s.width, { dh: net.r(`dh${parity(l)}`, plan.dh[parity(l)]), u, dalpha: net.g(b.alpha) }));
    if (s.norm !== 'none') {
      const t = {
        dy: gradTarget(net, l),
        x: net.r('z', b.z),
        gamma: net.p(b.gamma!),
        mean: net.r('normStats', b.mean!),
        rstd: net.r('normStats', b.rstd!),
        dx: dz,
        dgamma: net.g(b.gamma!),
        dbeta: net.g(b.beta!),
      };
      if (s.norm === 'layer') out.push(...(await layerNormBackward(ctx, s.batch, s.width, t)));
      else out.push(await batchNormBackward(ctx, s.batch, s.width, t));
    }
    const input = l === 0 ? net.r('batchX', plan.batchX) : net.r(`h${parity(l - 1)}`, plan.blocks[l - 1]!.h);
    out.push(await matmul(ctx, { M: s.width, N: b.fanIn, K: s.batch, transA: true }, { kind: 'plain' }, { a: dz, b: input, c: net.g(b.weight) }, tiling));
    await biasGrads(s.batch, s.width, { dz, db: net.g(b.bias) }, l * s.width);
    if (l > 0) out.push(await gradIntoBlock(net, l - 1, { dz, W: net.p(b.weight), K: s.width, addDh: b.residual }, tiling));
  }
  return { plain: plainList, logged: loggedList };
}
