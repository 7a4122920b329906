// Backward pass of the float64 reference network: every parameter's gradient, the per-layer
// statistics, and the forward values, for checking the GPU step against (DESIGN.md, "The canonical network").
import { activationBackward } from './activations.ts';
import { batchNormBackward } from './batch-norm.ts';
import { layerNormBackward } from './layer-norm.ts';
import { matmul } from './matmul.ts';
import { alphaOf, netForward, netLossOf } from './network-forward.ts';
import type { BlockState, NormState } from './network-forward.ts';
import { layerStats } from './network-stats.ts';
import { fanIn, hasSkip } from './network-types.ts';
import type { BlockGrads, BlockParams, NetOptions, NetParams, NetResult, NetSpec } from './network-types.ts';

interface LinearGrads {
  weight: Float64Array;
  bias: Float64Array;
  dInput: Float64Array | null;
}

/** Gradients of out = input·Wᵀ + b for dOut [B×N], input [B×K], W [N×K]; dInput only when asked for. */
function linearBackward(dOut: Float64Array, input: Float64Array, weight: Float64Array, B: number, N: number, K: number, needInput: boolean): LinearGrads {
  const dWeight = matmul(dOut, input, N, K, B, { transA: true });
  const dBias = new Float64Array(N);
  for (let i = 0; i < dOut.length; i++) dBias[i % N]! += dOut[i]!;
  return { weight: dWeight, bias: dBias, dInput: needInput ? matmul(dOut, weight, B, K, N) : null };
}

interface NormGradsOut {
  dz: Float64Array;
  gamma?: Float64Array;
  beta?: Float64Array;
}

/**
 * Eval-mode batch norm is a fixed per-column affine map u = (z - μ_run)·rstd_run·γ + β, so the
 * running statistics carry no gradient: dz = du·γ·rstd_run.
 */
function batchNormEvalBackward(du: Float64Array, z: Float64Array, F: number, gamma: Float64Array, norm: NormState): Required<NormGradsOut> {
  const dz = new Float64Array(du.length);
  const dgamma = new Float64Array(F);
  const dbeta = new Float64Array(F);
  for (let i = 0; i < du.length; i++) {
    const j = i % F;
    const xhat = (z[i]! - norm.mean[j]!) * norm.rstd[j]!;
    dz[i] = du[i]! * gamma[j]! * norm.rstd[j]!;
    dgamma[j]! += du[i]! * xhat;
    dbeta[j]! += du[i]!;
  }
  return { dz, gamma: dgamma, beta: dbeta };
}

function normBackward(spec: NetSpec, block: BlockParams, state: BlockState, du: Float64Array, B: number, train: boolean): NormGradsOut {
  if (spec.norm === 'none' || !state.norm) return { dz: du };
  const gamma = block.gamma!;
  const { mean, rstd } = state.norm;
  if (spec.norm === 'batch' && !train) return batchNormEvalBackward(du, state.z, spec.width, gamma, state.norm);
  const backward = spec.norm === 'layer' ? layerNormBackward : batchNormBackward;
  const { dx, dgamma, dbeta } = backward(du, state.z, B, spec.width, gamma, mean, rstd);
  return { dz: dx, gamma: dgamma, beta: dbeta };
}

interface BlockBackward {
  grads: BlockGrads;
  dz: Float64Array;
  /** ∂L/∂h_{l-1}; null for the first block (nothing upstream needs it). */
  dhPrev: Float64Array | null;
}

/** Back through h = [h_prev +] α·φ(N(h_prev·Wᵀ + b)) given dh = ∂L/∂h_l. */
function blockBackward(spec: NetSpec, block: BlockParams, state: BlockState, l: number, hPrev: Float64Array, dh: Float64Array, B: number, train: boolean): BlockBackward {
  const skip = hasSkip(spec, l);
  const alpha = skip ? alphaOf(spec, block) : 1;
  const da = skip ? Float64Array.from(dh, (v) => alpha * v) : dh;
  const du = activationBackward(spec.activation, state.u, da);
  const norm = normBackward(spec, block, state, du, B, train);
  const lin = linearBackward(norm.dz, hPrev, block.weight, B, spec.width, fanIn(spec, l), l > 0);
  const grads: BlockGrads = { weight: lin.weight, bias: lin.bias };
  if (norm.gamma) grads.gamma = norm.gamma;
  if (norm.beta) grads.beta = norm.beta;
  if (spec.residual === 'rezero') {
    // ∂L/∂α = Σ dh ⊙ a; the first block has no skip, so an α it carries is unused (gradient 0).
    let dAlpha = 0;
    if (skip) for (let i = 0; i < dh.length; i++) dAlpha += dh[i]! * state.a[i]!;
    if (skip || block.alpha !== undefined) grads.alpha = dAlpha;
  }
  let dhPrev = lin.dInput;
  if (dhPrev && skip) for (let i = 0; i < dhPrev.length; i++) dhPrev[i]! += dh[i]!;
  return { grads, dz: norm.dz, dhPrev };
}

/**
 * Forward, loss and backward of the whole network in float64, with the per-layer statistics the GPU
 * step reports (all but updateRatio, which depends on the optimizer). params are never mutated; batch
 * norm's updated running statistics come back in newRunningStats (train mode only).
 */
export function netForwardBackward(
  spec: NetSpec,
  params: NetParams,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  B: number,
  opts: NetOptions = {},
): NetResult {
  const train = opts.train ?? true;
  const forward = netForward(spec, params, x, B, opts);
  const { loss, dlogits, correct } = netLossOf(spec, forward.logits, y, B);
  const input = Float64Array.from(x);
  const hOf = (l: number): Float64Array => (l === 0 ? input : forward.blocks[l - 1]!.h);
  const D = spec.depth;
  const head = linearBackward(dlogits, hOf(D), params.head.weight, B, spec.outputDim, spec.width, true);
  const blockGrads: BlockGrads[] = new Array<BlockGrads>(D);
  const deltas: Float64Array[] = new Array<Float64Array>(D);
  let dh = head.dInput!;
  for (let l = D - 1; l >= 0; l--) {
    const back = blockBackward(spec, params.blocks[l]!, forward.blocks[l]!, l, hOf(l), dh, B, train);
    blockGrads[l] = back.grads;
    deltas[l] = back.dz;
    if (back.dhPrev) dh = back.dhPrev;
  }
  const grads = { blocks: blockGrads, head: { weight: head.weight, bias: head.bias } };
  const stats = layerStats(spec, params, forward, grads, deltas, dlogits);
  const cache = forward.blocks.map(({ z, u, a, h }) => ({ z, u, a, h }));
  const result: NetResult = { loss, correct, logits: forward.logits, grads, stats, cache };
  if (forward.newRunningStats) result.newRunningStats = forward.newRunningStats;
  return result;
}
