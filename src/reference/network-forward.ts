// Forward pass and loss of the float64 reference network (DESIGN.md, "The canonical network").
import { activationForward } from './activations.ts';
import { batchNormForwardEval, batchNormForwardTrain } from './batch-norm.ts';
import { checkLength } from './checks.ts';
import { layerNormForward } from './layer-norm.ts';
import { meanSquaredError, softmaxCrossEntropy } from './losses.ts';
import { matmul } from './matmul.ts';
import { checkNet, fanIn, hasSkip } from './network-types.ts';
import type { BlockCache, BlockParams, NetOptions, NetParams, NetSpec, RunningStats } from './network-types.ts';

/** PyTorch's default eps for LayerNorm and BatchNorm1d. */
export const NORM_EPS = 1e-5;
/** PyTorch BatchNorm1d: running ← (1 - m)·running + m·batch stat. */
export const BN_MOMENTUM = 0.1;

/** What backward needs about N beyond z: the statistics it normalized with (per row or per column). */
export interface NormState {
  mean: Float64Array;
  rstd: Float64Array;
}

export interface BlockState extends BlockCache {
  norm?: NormState;
}

export interface NetForward {
  blocks: BlockState[];
  logits: Float64Array;
  newRunningStats?: RunningStats[];
}

/** out = input·Wᵀ + b for input [B×K] and W [N×K] (PyTorch's nn.Linear). */
export function linear(input: ArrayLike<number>, weight: ArrayLike<number>, bias: ArrayLike<number>, B: number, N: number, K: number): Float64Array {
  const out = matmul(input, weight, B, N, K, { transB: true });
  for (let i = 0; i < out.length; i++) out[i]! += bias[i % N]!;
  return out;
}

/** PyTorch's fresh BatchNorm1d buffers when a block carries none. */
export function runningStatsOf(block: BlockParams, F: number): RunningStats {
  return {
    mean: block.runningMean ?? new Float64Array(F),
    var: block.runningVar ?? new Float64Array(F).fill(1),
  };
}

interface NormOutput {
  u: Float64Array;
  norm?: NormState;
  running?: RunningStats;
}

function normForward(spec: NetSpec, block: BlockParams, z: Float64Array, B: number, train: boolean): NormOutput {
  const F = spec.width;
  // checkNet guarantees γ and β whenever norm ≠ none.
  const gamma = block.gamma!;
  const beta = block.beta!;
  switch (spec.norm) {
    case 'none':
      return { u: z };
    case 'layer': {
      const { y, mean, rstd } = layerNormForward(z, B, F, gamma, beta, NORM_EPS);
      return { u: y, norm: { mean, rstd } };
    }
    case 'batch': {
      const stats = runningStatsOf(block, F);
      if (!train) {
        const u = batchNormForwardEval(z, B, F, gamma, beta, stats.mean, stats.var, NORM_EPS);
        return { u, norm: { mean: stats.mean, rstd: Float64Array.from(stats.var, (v) => 1 / Math.sqrt(v + NORM_EPS)) } };
      }
      const out = batchNormForwardTrain(z, B, F, gamma, beta, stats.mean, stats.var, BN_MOMENTUM, NORM_EPS);
      return { u: out.y, norm: { mean: out.mean, rstd: out.rstd }, running: { mean: out.runningMean, var: out.runningVar } };
    }
  }
}

/** The residual scale α_l: 1 for identity skips, the learnable scalar for ReZero. */
export function alphaOf(spec: NetSpec, block: BlockParams): number {
  return spec.residual === 'rezero' ? block.alpha! : 1;
}

function blockForward(spec: NetSpec, block: BlockParams, l: number, hPrev: Float64Array, B: number, train: boolean): { state: BlockState; running?: RunningStats } {
  const z = linear(hPrev, block.weight, block.bias, B, spec.width, fanIn(spec, l));
  const { u, norm, running } = normForward(spec, block, z, B, train);
  const a = activationForward(spec.activation, u);
  let h = a;
  if (hasSkip(spec, l)) {
    const alpha = alphaOf(spec, block);
    h = Float64Array.from(a, (ai, i) => hPrev[i]! + alpha * ai);
  }
  const state: BlockState = norm ? { z, u, a, h, norm } : { z, u, a, h };
  return running ? { state, running } : { state };
}

/** Runs every block and the head; batch norm uses batch statistics when train (default), running ones otherwise. */
export function netForward(spec: NetSpec, params: NetParams, x: ArrayLike<number>, B: number, opts: NetOptions = {}): NetForward {
  checkNet(spec, params, x, B);
  const train = opts.train ?? true;
  const blocks: BlockState[] = [];
  const running: RunningStats[] = [];
  let h: Float64Array = Float64Array.from(x);
  params.blocks.forEach((block, l) => {
    const out = blockForward(spec, block, l, h, B, train);
    blocks.push(out.state);
    if (out.running) running.push(out.running);
    h = out.state.h;
  });
  const logits = linear(h, params.head.weight, params.head.bias, B, spec.outputDim, spec.width);
  return running.length > 0 ? { blocks, logits, newRunningStats: running } : { blocks, logits };
}

/** Mean softmax cross-entropy (y = B class ids) or mean squared error over all B·outputDim elements. */
export function netLossOf(spec: NetSpec, logits: Float64Array, y: ArrayLike<number>, B: number): { loss: number; dlogits: Float64Array; correct: number } {
  if (spec.task === 'classification') {
    checkLength(y, B, `y (${B} class ids for classification)`);
    return softmaxCrossEntropy(logits, y, B, spec.outputDim);
  }
  checkLength(y, B * spec.outputDim, `y (${B}×${spec.outputDim} targets for regression)`);
  const { loss, dpred } = meanSquaredError(logits, y, B, spec.outputDim);
  return { loss, dlogits: dpred, correct: 0 };
}

/** The loss alone (forward only), for finite differences. */
export function netLoss(spec: NetSpec, params: NetParams, x: ArrayLike<number>, y: ArrayLike<number>, B: number, opts: NetOptions = {}): number {
  const { logits } = netForward(spec, params, x, B, opts);
  return netLossOf(spec, logits, y, B).loss;
}
