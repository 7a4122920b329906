/**
 * Mean-field theory beside a run (src/stats/mean-field.ts): for a plain MLP (no norm, no skips) with an init that
 * has a σ_w² and σ_b², what the theory predicts — χ₁, q*, ξ_c and the 6ξ_c trainable depth for the config line and
 * the page, and the per-block curves the depth chart draws beside the measured ones. Null for any other net.
 */
import { meanField, meanFieldParamsOf, meanFieldProfile, inputQ, type MeanFieldPoint } from './mean-field.ts';
import type { ModelConfig } from '../model/config-types.ts';
import type { StepRecord } from './record.ts';

/** The theory's numbers for one run: its σ², the input's mean square and q1 they give, and the fixed point's. */
export type RunTheory = MeanFieldPoint & {
  activation: ModelConfig['activation'];
  sigmaW2: number;
  sigmaB2: number;
  /** E[x²] over the training inputs' entries: the first block's q1 = σ_w²·E[x²] + σ_b². */
  inputMeanSquare: number;
  q1: number;
};

export function runTheory(model: ModelConfig, inputMeanSquare: number): RunTheory | null {
  const p = meanFieldParamsOf(model);
  if (!p || !(inputMeanSquare >= 0) || !Number.isFinite(inputMeanSquare)) return null;
  const q1 = inputQ(p, inputMeanSquare);
  return { ...p, inputMeanSquare, q1, ...meanField(p, q1) };
}

/** Per-layer curves (blocks, then NaN for the head, which the theory does not cover). */
export interface TheoryCurves {
  /** ‖∂L/∂z_l‖ relative to the last block's. */
  deltaRatio: number[];
  /** The predicted spread of h_l's entries. */
  actStd: number[];
}

export function theoryCurves(t: RunTheory, depth: number): TheoryCurves {
  const p = meanFieldProfile(t, depth, t.q1);
  return { deltaRatio: [...p.deltaRatio, NaN], actStd: [...p.actStd, NaN] };
}

/**
 * ‖∂L/∂z_l‖ as the theory predicts it for a record: the decay toward the input it predicts, scaled to the record's
 * own last block (the theory says how the signal changes with depth, not how large the loss makes it).
 */
export function predictedDeltaNorm(c: TheoryCurves, r: Pick<StepRecord, 'deltaNorm'>): number[] | undefined {
  const top = r.deltaNorm[c.deltaRatio.length - 2];
  if (r.deltaNorm.length !== c.deltaRatio.length || top === undefined || !(top > 0)) return undefined;
  return c.deltaRatio.map((x) => x * top);
}

/** E[x²] over the entries of up to the first `rows` training inputs (rows × dim floats). */
export function inputMeanSquare(x: Float32Array, dim: number, rows = 1024): number {
  const n = Math.min(x.length, rows * dim);
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i]! * x[i]!;
  return n ? s / n : 1;
}

const num = (v: number, digits = 3) => (Number.isFinite(v) ? (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en') : v.toPrecision(digits)) : v > 0 ? '∞' : '—');

/** One line of words: the phase, χ₁, q*, ξ_c and the trainable depth against the net's own. */
export function theoryWords(t: RunTheory, depth: number): string {
  const trainable = Number.isFinite(t.trainableDepth) ? (depth <= t.trainableDepth ? `within it` : `past it`) : 'no limit from signal propagation';
  const phase = t.phase === 'critical' ? 'at the edge of chaos' : `${t.phase} phase`;
  return `${phase}: χ₁ = ${num(t.chi1)}, q* = ${num(t.qStar)}, ξ_c = ${num(t.xiC)} layers, trainable to about 6ξ_c = ${num(t.trainableDepth)}; this net's ${depth} blocks are ${trainable}`;
}
