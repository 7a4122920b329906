// One optimizer step each, with torch.optim's update rules. Every function returns new arrays.
import { checkLength } from './checks.ts';

export interface OptimizerHyper {
  lr: number;
  momentum: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export interface AdamState {
  p: Float64Array;
  m: Float64Array;
  v: Float64Array;
}

function checkState(name: string, p: ArrayLike<number>, others: Record<string, ArrayLike<number>>): void {
  for (const [key, a] of Object.entries(others)) checkLength(a, p.length, `${name} ${key} (same length as p)`);
}

/** torch.optim.SGD without momentum: g' = g + wd·p; p ← p - lr·g'. */
export function sgdStep(p: ArrayLike<number>, g: ArrayLike<number>, h: OptimizerHyper): Float64Array {
  checkState('sgdStep', p, { g });
  return Float64Array.from(p, (pi, i) => pi - h.lr * (g[i]! + h.weightDecay * pi));
}

/**
 * torch.optim.SGD with momentum μ (dampening 0, no Nesterov): g' = g + wd·p; v ← μ·v + g'; p ← p - lr·v.
 * Torch sets v = g' on the first step, which equals this update from v = 0.
 */
export function momentumStep(
  p: ArrayLike<number>,
  g: ArrayLike<number>,
  v: ArrayLike<number>,
  h: OptimizerHyper,
): { p: Float64Array; v: Float64Array } {
  checkState('momentumStep', p, { g, v });
  const vNext = Float64Array.from(v, (vi, i) => h.momentum * vi + (g[i]! + h.weightDecay * p[i]!));
  return { p: Float64Array.from(p, (pi, i) => pi - h.lr * vNext[i]!), v: vNext };
}

/** The Adam moment and parameter update for the effective gradient geff(i), in torch's operation order. */
function adamUpdate(
  p: ArrayLike<number>,
  geff: (i: number) => number,
  m: ArrayLike<number>,
  v: ArrayLike<number>,
  t: number,
  h: OptimizerHyper,
): AdamState {
  if (!Number.isInteger(t) || t < 1) throw new RangeError(`Adam step t must be an integer ≥ 1 (got ${t})`);
  const mNext = Float64Array.from(m, (mi, i) => h.beta1 * mi + (1 - h.beta1) * geff(i));
  const vNext = Float64Array.from(v, (vi, i) => h.beta2 * vi + (1 - h.beta2) * geff(i) ** 2);
  const stepSize = h.lr / (1 - h.beta1 ** t);
  const sqrtBias2 = Math.sqrt(1 - h.beta2 ** t);
  const pNext = Float64Array.from(p, (pi, i) => pi - stepSize * (mNext[i]! / (Math.sqrt(vNext[i]!) / sqrtBias2 + h.eps)));
  return { p: pNext, m: mNext, v: vNext };
}

/** torch.optim.Adam (weight decay as L2: g' = g + wd·p). t is the 1-based step. */
export function adamStep(
  p: ArrayLike<number>,
  g: ArrayLike<number>,
  m: ArrayLike<number>,
  v: ArrayLike<number>,
  t: number,
  h: OptimizerHyper,
): AdamState {
  checkState('adamStep', p, { g, m, v });
  return adamUpdate(p, (i) => g[i]! + h.weightDecay * p[i]!, m, v, t, h);
}

/** torch.optim.AdamW: decoupled decay p ← p·(1 - lr·wd) first, then Adam with g itself. */
export function adamwStep(
  p: ArrayLike<number>,
  g: ArrayLike<number>,
  m: ArrayLike<number>,
  v: ArrayLike<number>,
  t: number,
  h: OptimizerHyper,
): AdamState {
  checkState('adamwStep', p, { g, m, v });
  const decayed = Float64Array.from(p, (pi) => pi * (1 - h.lr * h.weightDecay));
  return adamUpdate(decayed, (i) => g[i]!, m, v, t, h);
}
