// Per-layer statistics of one step (DESIGN.md, "Per-layer statistics"), computed from the reference
// network's forward values and gradients. updateRatio is left out: it depends on the optimizer.
import { activateGrad } from './activations.ts';
import type { Activation } from './activations.ts';
import type { NetForward } from './network-forward.ts';
import type { LayerStats, NetGrads, NetParams, NetSpec } from './network-types.ts';

/** An entry of u is saturated when φ'(u) < SATURATION_FRACTION · max φ'. */
export const SATURATION_FRACTION = 0.1;

/** gelu'' = pdf(u)·(2 - u²), so gelu' peaks at u = √2, where it is ≈ 1.1289. */
const GELU_MAX_GRAD = activateGrad('gelu', Math.SQRT2);

/**
 * max φ' for the activations whose saturation is measured, null for the rest (their φ' has no
 * saturating tail: linear and the relu family).
 */
export function maxActivationGrad(kind: Activation): number | null {
  switch (kind) {
    case 'sigmoid':
      return activateGrad('sigmoid', 0);
    case 'tanh':
      return activateGrad('tanh', 0);
    case 'gelu':
      return GELU_MAX_GRAD;
    default:
      return null;
  }
}

export function frobenius(a: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * a[i]!;
  return Math.sqrt(sum);
}

/** Mean and population standard deviation over every entry (two passes). */
export function meanStd(a: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]!;
  const mean = sum / a.length;
  let sq = 0;
  for (let i = 0; i < a.length; i++) sq += (a[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(sq / a.length) };
}

/** Fraction of entries of u with φ'(u) below SATURATION_FRACTION · max φ' (0 for activations without a measure). */
export function saturatedFraction(kind: Activation, u: ArrayLike<number>): number {
  const max = maxActivationGrad(kind);
  if (max === null) return 0;
  const threshold = SATURATION_FRACTION * max;
  let count = 0;
  for (let i = 0; i < u.length; i++) if (activateGrad(kind, u[i]!) < threshold) count++;
  return count / u.length;
}

/**
 * Fraction of the F units (columns of u, B×F) whose φ'(u) is 0 for every sample. Only relu's
 * derivative can be 0 (leaky_relu's never is), so every other activation gives 0.
 */
export function deadFraction(kind: Activation, u: ArrayLike<number>, F: number): number {
  if (kind !== 'relu') return 0;
  const B = u.length / F;
  let dead = 0;
  for (let j = 0; j < F; j++) {
    let alive = false;
    for (let b = 0; b < B && !alive; b++) alive = activateGrad(kind, u[b * F + j]!) !== 0;
    if (!alive) dead++;
  }
  return dead / F;
}

/** depth + 1 entries each: blocks from the input side, then the head (logits; saturated and dead 0). */
export function layerStats(
  spec: NetSpec,
  params: NetParams,
  forward: NetForward,
  grads: NetGrads,
  deltas: readonly Float64Array[],
  dlogits: Float64Array,
): LayerStats {
  const stats: LayerStats = { gradNorm: [], deltaNorm: [], weightNorm: [], actMean: [], actStd: [], saturated: [], dead: [] };
  const push = (gW: Float64Array, delta: Float64Array, W: Float64Array, act: Float64Array, saturated: number, dead: number): void => {
    const { mean, std } = meanStd(act);
    stats.gradNorm.push(frobenius(gW));
    stats.deltaNorm.push(frobenius(delta));
    stats.weightNorm.push(frobenius(W));
    stats.actMean.push(mean);
    stats.actStd.push(std);
    stats.saturated.push(saturated);
    stats.dead.push(dead);
  };
  forward.blocks.forEach((block, l) => {
    const u = block.u;
    const sat = saturatedFraction(spec.activation, u);
    push(grads.blocks[l]!.weight, deltas[l]!, params.blocks[l]!.weight, block.h, sat, deadFraction(spec.activation, u, spec.width));
  });
  push(grads.head.weight, dlogits, params.head.weight, forward.logits, 0, 0);
  return stats;
}
