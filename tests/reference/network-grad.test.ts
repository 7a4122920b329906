// Finite-difference checks of every parameter gradient of the whole reference network.
import { describe, expect, it } from 'vitest';
import { cloneParams, netForward, netForwardBackward, netLoss } from '../../src/reference/index.ts';
import type { BlockParams, NetOptions, NetParams, NetSpec } from '../../src/reference/index.ts';
import { numericGradient } from './fd.ts';
import { seeded, normal, uniform } from './rng.ts';
import type { Rng } from './rng.ts';

const TOL = 1e-6;
// Pre-activations stay this far from relu's kink, far beyond the 4th-order stencil's reach
// (parameters move by ≤ 2e-4·max(1, |p|)).
const KINK_MARGIN = 0.02;

interface Case {
  spec: NetSpec;
  B: number;
  train?: boolean;
}

function optsOf(c: Case): NetOptions {
  return c.train === undefined ? {} : { train: c.train };
}

function small(over: Partial<NetSpec>): NetSpec {
  return { inputDim: 3, outputDim: 3, width: 4, depth: 3, activation: 'tanh', norm: 'none', residual: 'none', task: 'classification', ...over };
}

/** Random, well-conditioned parameters: W ~ N(0, 1/fan_in), nonzero α, γ near 1, random running stats. */
function randomParams(spec: NetSpec, rng: Rng): NetParams {
  const blocks = Array.from({ length: spec.depth }, (_, l): BlockParams => {
    const fan = l === 0 ? spec.inputDim : spec.width;
    const block: BlockParams = { weight: normal(rng, spec.width * fan, 1 / Math.sqrt(fan)), bias: normal(rng, spec.width, 0.3) };
    if (spec.norm !== 'none') {
      block.gamma = uniform(rng, spec.width, 0.5, 1.5);
      block.beta = normal(rng, spec.width, 0.3);
    }
    if (spec.norm === 'batch') {
      block.runningMean = normal(rng, spec.width, 0.3);
      block.runningVar = uniform(rng, spec.width, 0.5, 2);
    }
    if (spec.residual === 'rezero') block.alpha = (rng() < 0.5 ? -1 : 1) * (0.3 + 0.5 * rng());
    return block;
  });
  return { blocks, head: { weight: normal(rng, spec.outputDim * spec.width, 1 / Math.sqrt(spec.width)), bias: normal(rng, spec.outputDim, 0.3) } };
}

interface Problem {
  params: NetParams;
  x: Float64Array;
  y: Float64Array;
}

function makeProblem(c: Case, seed: number): Problem {
  const rng = seeded(seed);
  const { spec, B } = c;
  const params = randomParams(spec, rng);
  const x = normal(rng, B * spec.inputDim);
  const y =
    spec.task === 'classification'
      ? Float64Array.from({ length: B }, () => Math.floor(rng() * spec.outputDim))
      : normal(rng, B * spec.outputDim);
  return { params, x, y };
}

function minAbsPreActivation(c: Case, p: Problem): number {
  const { blocks } = netForward(c.spec, p.params, p.x, c.B, optsOf(c));
  return Math.min(...blocks.flatMap((b) => Array.from(b.u, Math.abs)));
}

/** The first seed whose pre-activations all keep KINK_MARGIN from 0 (only relu-family nets need it). */
function kinkFreeProblem(c: Case): Problem {
  const kinked = c.spec.activation === 'relu' || c.spec.activation === 'leaky_relu';
  for (let seed = 1; seed < 500; seed++) {
    const p = makeProblem(c, seed);
    if (!kinked || minAbsPreActivation(c, p) >= KINK_MARGIN) return p;
  }
  throw new Error('no seed keeps the pre-activations away from the kink');
}

function sampleIndices(rng: Rng, n: number, k = 10): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  const picked = new Set<number>();
  while (picked.size < k) picked.add(Math.floor(rng() * n));
  return [...picked];
}

/** A parameter entry: how to read it and how to write it in a (cloned) parameter set. */
interface Entry {
  label: string;
  get: (p: NetParams) => number;
  set: (p: NetParams, v: number) => void;
  analytic: number;
}

function arrayEntries(label: string, arr: (p: NetParams) => Float64Array, grad: Float64Array, indices: number[]): Entry[] {
  return indices.map((i) => ({ label: `${label}[${i}]`, get: (p) => arr(p)[i]!, set: (p, v) => void (arr(p)[i] = v), analytic: grad[i]! }));
}

function allEntries(c: Case, p: Problem, rng: Rng): Entry[] {
  const { grads } = netForwardBackward(c.spec, p.params, p.x, p.y, c.B, optsOf(c));
  const entries: Entry[] = [];
  grads.blocks.forEach((g, l) => {
    const blk = (q: NetParams): BlockParams => q.blocks[l]!;
    entries.push(...arrayEntries(`blocks[${l}].weight`, (q) => blk(q).weight, g.weight, sampleIndices(rng, g.weight.length)));
    entries.push(...arrayEntries(`blocks[${l}].bias`, (q) => blk(q).bias, g.bias, sampleIndices(rng, g.bias.length, g.bias.length)));
    if (g.gamma) entries.push(...arrayEntries(`blocks[${l}].gamma`, (q) => blk(q).gamma!, g.gamma, sampleIndices(rng, g.gamma.length)));
    if (g.beta) entries.push(...arrayEntries(`blocks[${l}].beta`, (q) => blk(q).beta!, g.beta, sampleIndices(rng, g.beta.length)));
    if (g.alpha !== undefined) {
      entries.push({ label: `blocks[${l}].alpha`, get: (q) => blk(q).alpha!, set: (q, v) => void (blk(q).alpha = v), analytic: g.alpha });
    }
  });
  entries.push(...arrayEntries('head.weight', (q) => q.head.weight, grads.head.weight, sampleIndices(rng, grads.head.weight.length)));
  entries.push(...arrayEntries('head.bias', (q) => q.head.bias, grads.head.bias, sampleIndices(rng, grads.head.bias.length, 99)));
  return entries;
}

function numericOf(c: Case, p: Problem, e: Entry): number {
  const q = cloneParams(p.params);
  const loss = (v: Float64Array): number => {
    e.set(q, v[0]!);
    return netLoss(c.spec, q, p.x, p.y, c.B, optsOf(c));
  };
  return numericGradient(loss, [e.get(p.params)])[0]!;
}

/**
 * Relative error |a - n| / max(|a|, |n|, floor), floor = 1e-3 of the largest analytic entry, so an entry far
 * below the network's gradient scale is judged against that scale. Train-mode batch norm subtracts the batch
 * mean, which cancels the linear bias exactly: those gradients must be ~0 on both sides.
 */
function checkCase(c: Case): number {
  const p = kinkFreeProblem(c);
  const entries = allEntries(c, p, seeded(99));
  const scale = Math.max(...entries.map((e) => Math.abs(e.analytic)));
  const zeroBias = c.spec.norm === 'batch' && (c.train ?? true);
  for (const e of entries) {
    const n = numericOf(c, p, e);
    if (zeroBias && /^blocks\[\d+\]\.bias/.test(e.label)) {
      expect(Math.abs(e.analytic), `${e.label} analytic (batch norm cancels the bias)`).toBeLessThan(1e-14 * scale);
      expect(Math.abs(n), `${e.label} numeric (batch norm cancels the bias)`).toBeLessThan(1e-9 * scale);
      continue;
    }
    const err = Math.abs(e.analytic - n) / Math.max(Math.abs(e.analytic), Math.abs(n), 1e-3 * scale);
    expect(err, `${e.label}: analytic ${e.analytic} vs numeric ${n}`).toBeLessThanOrEqual(TOL);
  }
  return entries.length;
}

const CASES: [string, Case][] = [
  ['tanh/none/none', { spec: small({ activation: 'tanh' }), B: 4 }],
  ['sigmoid/batch/none', { spec: small({ activation: 'sigmoid', norm: 'batch', depth: 4, width: 5 }), B: 5 }],
  ['relu/layer/identity', { spec: small({ activation: 'relu', norm: 'layer', residual: 'identity', depth: 4 }), B: 4 }],
  ['gelu/batch/rezero (α ≠ 0)', { spec: small({ activation: 'gelu', norm: 'batch', residual: 'rezero', depth: 4, width: 5 }), B: 5 }],
  ['leaky_relu/none/rezero', { spec: small({ activation: 'leaky_relu', residual: 'rezero', width: 5 }), B: 4 }],
  ['linear/layer/none', { spec: small({ activation: 'linear', norm: 'layer', width: 3 }), B: 4 }],
  ['relu/batch/identity', { spec: small({ activation: 'relu', norm: 'batch', residual: 'identity', width: 5 }), B: 5 }],
  ['sigmoid/none/identity', { spec: small({ activation: 'sigmoid', residual: 'identity', depth: 4 }), B: 4 }],
  ['regression tanh/batch/identity', { spec: small({ task: 'regression', outputDim: 2, norm: 'batch', residual: 'identity', width: 5 }), B: 5 }],
  ['regression gelu/layer/rezero', { spec: small({ task: 'regression', outputDim: 2, activation: 'gelu', norm: 'layer', residual: 'rezero', depth: 4 }), B: 4 }],
  ['batch norm eval mode sigmoid/batch/rezero', { spec: small({ activation: 'sigmoid', norm: 'batch', residual: 'rezero', width: 5 }), B: 4, train: false }],
  ['batch norm eval mode relu/batch/none, B = 1', { spec: small({ activation: 'relu', norm: 'batch' }), B: 1, train: false }],
];

describe('reference network gradients match central differences of netLoss', () => {
  it.each(CASES)('%s', (_, c) => {
    expect(checkCase(c)).toBeGreaterThan(10 * c.spec.depth);
  });

  it('the relu cases really stay clear of the kink', () => {
    for (const [, c] of CASES.filter(([, k]) => k.spec.activation === 'relu')) {
      expect(minAbsPreActivation(c, kinkFreeProblem(c))).toBeGreaterThanOrEqual(KINK_MARGIN);
    }
  });
});
