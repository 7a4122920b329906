// Per-layer statistics, batch-norm modes, hand cases and deep-network phenomena of the reference network.
import { describe, expect, it } from 'vitest';
import { activateGrad, maxActivationGrad, netForwardBackward, netLoss } from '../../src/reference/index.ts';
import type { BlockParams, NetParams, NetSpec } from '../../src/reference/index.ts';
import { expectClose } from './fd.ts';
import { seeded, normal } from './rng.ts';
import type { Rng } from './rng.ts';

function spec(over: Partial<NetSpec>): NetSpec {
  return { inputDim: 2, outputDim: 2, width: 3, depth: 2, activation: 'relu', norm: 'none', residual: 'none', task: 'classification', ...over };
}

/** Weights N(0, std(fan_in, fan_out)²), zero biases, fresh norm parameters, ReZero α. */
function initParams(s: NetSpec, rng: Rng, std: (fanIn: number, fanOut: number) => number, alpha = 0): NetParams {
  const blocks = Array.from({ length: s.depth }, (_, l): BlockParams => {
    const fan = l === 0 ? s.inputDim : s.width;
    const block: BlockParams = { weight: normal(rng, s.width * fan, std(fan, s.width)), bias: new Float64Array(s.width) };
    if (s.norm !== 'none') {
      block.gamma = new Float64Array(s.width).fill(1);
      block.beta = new Float64Array(s.width);
    }
    if (s.residual === 'rezero') block.alpha = alpha;
    return block;
  });
  return { blocks, head: { weight: normal(rng, s.outputDim * s.width, std(s.width, s.outputDim)), bias: new Float64Array(s.outputDim) } };
}

const xavier = (fanIn: number, fanOut: number): number => Math.sqrt(2 / (fanIn + fanOut));
const he = (fanIn: number): number => Math.sqrt(2 / fanIn);

function labels(rng: Rng, B: number, C: number): Float64Array {
  return Float64Array.from({ length: B }, () => Math.floor(rng() * C));
}

function frob(a: ArrayLike<number>): number {
  return Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));
}

describe('reference network: hand cases', () => {
  it('one relu unit, regression: every value and gradient by hand', () => {
    // z = 2·3 + 1 = 7, a = 7, logit = 0.5·7 - 1 = 2.5, loss = (2.5 - 1)² = 2.25, dlogit = 3.
    const s = spec({ inputDim: 1, outputDim: 1, width: 1, depth: 1, task: 'regression' });
    const params: NetParams = { blocks: [{ weight: Float64Array.of(3), bias: Float64Array.of(1) }], head: { weight: Float64Array.of(0.5), bias: Float64Array.of(-1) } };
    const r = netForwardBackward(s, params, [2], [1], 1);
    expect(r.loss).toBe(2.25);
    expect(Array.from(r.grads.head.weight)).toEqual([21]);
    expect(Array.from(r.grads.head.bias)).toEqual([3]);
    expect(Array.from(r.grads.blocks[0]!.weight)).toEqual([3]);
    expect(Array.from(r.grads.blocks[0]!.bias)).toEqual([1.5]);
    expect(r.stats.deltaNorm).toEqual([1.5, 3]);
    expect(r.stats.actMean).toEqual([7, 2.5]);
    expect(r.correct).toBe(0);
    expect(netLoss(s, params, [2], [1], 1)).toBe(2.25);
  });

  it('identity skips add the block input back; ReZero with α = 0 makes later blocks inert', () => {
    const rng = seeded(5);
    const s = spec({ depth: 3, width: 4, activation: 'tanh', residual: 'rezero' });
    const params = initParams(s, rng, xavier, 0);
    const x = normal(rng, 5 * 2);
    const r = netForwardBackward(s, params, x, labels(rng, 5, 2), 5);
    expect(Array.from(r.cache[2]!.h)).toEqual(Array.from(r.cache[0]!.h));
    for (const l of [1, 2]) {
      expect(frob(r.grads.blocks[l]!.weight)).toBe(0);
      expect(Math.abs(r.grads.blocks[l]!.alpha!)).toBeGreaterThan(1e-3);
    }
    expect(r.grads.blocks[0]!.alpha).toBe(0); // the first block has no skip: its α is unused
    const id = netForwardBackward({ ...s, residual: 'identity' }, params, x, labels(rng, 5, 2), 5);
    const { a, h } = id.cache[1]!;
    expectClose('h_2 = h_1 + a_2', h, Array.from(a, (v, i) => v + id.cache[0]!.h[i]!), 1e-15);
    expect(id.grads.blocks[1]!.alpha).toBeUndefined();
  });

  it('rejects parameters that do not fit the spec, naming the field', () => {
    const s = spec({ residual: 'rezero' });
    const params = initParams(s, seeded(1), xavier);
    const x = new Float64Array(4);
    expect(() => netForwardBackward(s, { ...params, blocks: [params.blocks[0]!] }, x, [0, 1], 2)).toThrow(/params\.blocks/);
    const noAlpha = { ...params, blocks: [params.blocks[0]!, { weight: params.blocks[1]!.weight, bias: params.blocks[1]!.bias }] };
    expect(() => netForwardBackward(s, noAlpha, x, [0, 1], 2)).toThrow(/blocks\[1\]\.alpha/);
    expect(() => netForwardBackward({ ...s, norm: 'layer' }, params, x, [0, 1], 2)).toThrow(/gamma and beta/);
    expect(() => netForwardBackward(s, params, x, [0, 1, 1], 2)).toThrow(/class ids/);
    expect(() => netForwardBackward(s, params, [1, 2, 3], [0, 1], 2)).toThrow(/x \(2×2\)/);
  });
});

describe('reference network: per-layer statistics', () => {
  it('have depth + 1 entries and agree with the gradients, weights and cached activations', () => {
    const rng = seeded(11);
    const s = spec({ depth: 4, width: 5, inputDim: 3, outputDim: 3, activation: 'gelu', norm: 'layer', residual: 'identity' });
    const params = initParams(s, rng, he);
    const r = netForwardBackward(s, params, normal(rng, 6 * 3), labels(rng, 6, 3), 6);
    for (const key of Object.keys(r.stats) as (keyof typeof r.stats)[]) expect(r.stats[key], key).toHaveLength(s.depth + 1);
    const acts = [...r.cache.map((c) => c.h), r.logits];
    const mean = (a: Float64Array): number => a.reduce((t, v) => t + v, 0) / a.length;
    expectClose('gradNorm', r.stats.gradNorm, [...r.grads.blocks.map((g) => frob(g.weight)), frob(r.grads.head.weight)], 1e-14);
    expectClose('weightNorm', r.stats.weightNorm, [...params.blocks.map((b) => frob(b.weight)), frob(params.head.weight)], 1e-14);
    expectClose('actMean', r.stats.actMean, acts.map(mean), 1e-12, 1e-15);
    expectClose('actStd', r.stats.actStd, acts.map((a) => Math.sqrt(a.reduce((t, v) => t + (v - mean(a)) ** 2, 0) / a.length)), 1e-12);
    expect(r.stats.saturated[s.depth]).toBe(0);
    expect(r.stats.dead).toEqual(new Array(s.depth + 1).fill(0));
  });

  it('deltaNorm is ‖∂L/∂z‖: with B = 1, ∂L/∂z is the bias gradient itself', () => {
    const rng = seeded(12);
    const s = spec({ depth: 3, width: 4, activation: 'sigmoid', norm: 'layer', residual: 'identity', task: 'regression' });
    const params = initParams(s, rng, xavier);
    const r = netForwardBackward(s, params, normal(rng, 2), normal(rng, 2), 1);
    expectClose('deltaNorm', r.stats.deltaNorm, [...r.grads.blocks.map((g) => frob(g.bias)), frob(r.grads.head.bias)], 1e-14);
  });

  it('saturated counts entries of u with φ′ < 0.1·max φ′ (gelu′ peaks at ≈ 1.1289)', () => {
    const grid = Array.from({ length: 20001 }, (_, i) => -10 + i * 1e-3);
    expect(maxActivationGrad('gelu')!).toBeCloseTo(Math.max(...grid.map((u) => activateGrad('gelu', u))), 7);
    expect(maxActivationGrad('gelu')!).toBeCloseTo(1.1289, 4);
    expect(maxActivationGrad('sigmoid')).toBe(0.25);
    expect(maxActivationGrad('tanh')).toBe(1);
    // One block, width 2, W = [1, 10]ᵀ, x = [0.1, -1]: u = [0.1, 1, -1, -10].
    const s = spec({ inputDim: 1, width: 2, depth: 1 });
    const params: NetParams = { blocks: [{ weight: Float64Array.of(1, 10), bias: new Float64Array(2) }], head: { weight: new Float64Array(4), bias: new Float64Array(2) } };
    const sat = (activation: NetSpec['activation']): number => netForwardBackward({ ...s, activation }, params, [0.1, -1], [0, 1], 2).stats.saturated[0]!;
    expect(sat('sigmoid')).toBe(0.25); // σ′(-10) ≈ 4.5e-5 < 0.025; σ′(±1) ≈ 0.197
    expect(sat('tanh')).toBe(0.25); // sech²(u) < 0.1 only for |u| > 1.82
    expect(sat('gelu')).toBe(0.5); // gelu′(-1) ≈ -0.083 and gelu′(-10) ≈ 0 are below 0.113
    expect(sat('relu')).toBe(0);
  });

  it('dead counts a relu unit only when φ′ = 0 for every sample of the batch', () => {
    // Unit 0: u = x₀ - 0.5 (alive for one sample only); unit 1: u = -1 (dead); unit 2: u = 0 (relu′(0) = 0, dead).
    const s = spec({ inputDim: 1, width: 3, depth: 1 });
    const weight = Float64Array.of(1, 0, 0);
    const params: NetParams = { blocks: [{ weight, bias: Float64Array.of(-0.5, -1, 0) }], head: { weight: normal(seeded(3), 6), bias: new Float64Array(2) } };
    const x = [0, 0.2, 1, 0.4];
    expect(netForwardBackward(s, params, x, [0, 1, 0, 1], 4).stats.dead).toEqual([2 / 3, 0]);
    expect(netForwardBackward(s, params, [0, 0.2], [0, 1], 2).stats.dead).toEqual([1, 0]);
    expect(netForwardBackward({ ...s, activation: 'leaky_relu' }, params, x, [0, 1, 0, 1], 4).stats.dead).toEqual([0, 0]);
  });
});

describe('reference network: batch norm modes', () => {
  const s = spec({ depth: 2, width: 3, activation: 'tanh', norm: 'batch' });
  const B = 4;
  const rng = seeded(21);
  const params = initParams(s, rng, xavier);
  params.blocks.forEach((b) => {
    b.runningMean = Float64Array.of(0.1, -0.2, 0.3);
    b.runningVar = Float64Array.of(0.5, 1, 2);
  });
  const x = normal(rng, B * 2);
  const y = labels(rng, B, 2);

  it('train mode returns PyTorch running statistics (momentum 0.1, unbiased variance) without mutating params', () => {
    const r = netForwardBackward(s, params, x, y, B);
    expect(r.newRunningStats).toHaveLength(2);
    const z = r.cache[0]!.z;
    const col = (j: number): number[] => [0, 1, 2, 3].map((b) => z[b * 3 + j]!);
    const mean = [0, 1, 2].map((j) => col(j).reduce((t, v) => t + v, 0) / B);
    const unbiased = [0, 1, 2].map((j) => col(j).reduce((t, v) => t + (v - mean[j]!) ** 2, 0) / (B - 1));
    expectClose('running mean', r.newRunningStats![0]!.mean, mean.map((m, j) => 0.9 * params.blocks[0]!.runningMean![j]! + 0.1 * m), 1e-14, 1e-16);
    expectClose('running var', r.newRunningStats![0]!.var, unbiased.map((v, j) => 0.9 * params.blocks[0]!.runningVar![j]! + 0.1 * v), 1e-14);
    expect(Array.from(params.blocks[0]!.runningMean!)).toEqual([0.1, -0.2, 0.3]);
    // Batch statistics make each column of u have mean β = 0.
    for (let j = 0; j < 3; j++) expect(Math.abs([0, 1, 2, 3].reduce((t, b) => t + r.cache[0]!.u[b * 3 + j]!, 0))).toBeLessThan(1e-12);
  });

  it('eval mode normalizes with the running statistics: no new stats, and each sample independent of its batch', () => {
    const r = netForwardBackward(s, params, x, y, B, { train: false });
    expect(r.newRunningStats).toBeUndefined();
    const { z, u } = r.cache[0]!;
    const rm = params.blocks[0]!.runningMean!;
    const rv = params.blocks[0]!.runningVar!;
    expectClose('u', u, Array.from(z, (v, i) => (v - rm[i % 3]!) / Math.sqrt(rv[i % 3]! + 1e-5)), 1e-14, 1e-16);
    const single = netForwardBackward(s, params, x.slice(2, 4), y.slice(1, 2), 1, { train: false });
    expectClose('logits of sample 1 alone', single.logits, r.logits.slice(2, 4), 1e-14);
    expect(netLoss(s, params, x, y, B, { train: false })).toBe(r.loss);
    expect(netLoss(s, params, x, y, B)).not.toBe(r.loss);
  });
});

describe('reference network: depth phenomena', () => {
  const B = 16;
  const deep = (over: Partial<NetSpec>, std: (fanIn: number, fanOut: number) => number, seed: number): number[] => {
    const s = spec({ depth: 30, width: 32, outputDim: 2, ...over });
    const rng = seeded(seed);
    const r = netForwardBackward(s, initParams(s, rng, std), normal(rng, B * 2), labels(rng, B, 2), B);
    expect(r.stats.gradNorm).toHaveLength(31);
    return r.stats.gradNorm;
  };

  const SEEDS = [1, 2, 3, 4, 5];

  it('sigmoid at depth 30 with Xavier init: the first block gets orders of magnitude less gradient than the head', () => {
    for (const seed of SEEDS) {
      const g = deep({ activation: 'sigmoid' }, xavier, seed);
      // σ′ ≤ 1/4 shrinks the signal ≈ 4× per block: the ratio is ~1e-19 at depth 30.
      expect(g[0]! / g[30]!, `seed ${seed}`).toBeLessThan(1e-10);
      expect(g[0]!).toBeLessThan(g[10]!);
      expect(g[10]!).toBeLessThan(g[20]!);
      expect(g[20]!).toBeLessThan(g[30]!);
    }
  });

  it('relu with He init keeps the first block within about an order of magnitude of the last', () => {
    // Width 32 leaves seed-to-seed spread (0.06 to 1 over seeds 1-8), hence the two-order band.
    for (const seed of SEEDS) {
      const g = deep({ activation: 'relu' }, he, seed);
      expect(g[0]! / g[29]!, `seed ${seed}`).toBeGreaterThan(1e-2);
      expect(g[0]! / g[29]!, `seed ${seed}`).toBeLessThan(1e2);
    }
  });
});
