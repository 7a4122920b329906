import { describe, expect, it } from 'vitest';
import { adamStep, adamwStep, momentumStep, sgdStep } from '../../src/reference/index.ts';
import type { OptimizerHyper } from '../../src/reference/index.ts';
import { expectClose } from './fd.ts';
import { seeded, normal, uniform } from './rng.ts';

const H: OptimizerHyper = { lr: 0.1, momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
const P = [1, -2];
const G = [0.5, 0.25];

describe('sgd', () => {
  it('steps p - lr·(g + wd·p) (hand case)', () => {
    // g' = [0.5 + 0.01, 0.25 - 0.02] = [0.51, 0.23]
    expectClose('p', sgdStep(P, G, H), [1 - 0.051, -2 - 0.023], 1e-15);
  });
});

describe('sgd with momentum', () => {
  it('v = μv + g′, p - lr·v (hand case)', () => {
    // v = 0.9·[0.2, -0.1] + [0.51, 0.23] = [0.69, 0.14]
    const { p, v } = momentumStep(P, G, [0.2, -0.1], H);
    expectClose('v', v, [0.69, 0.14], 1e-15);
    expectClose('p', p, [1 - 0.069, -2 - 0.014], 1e-15);
  });

  it('first step from v = 0 equals plain SGD, as in torch', () => {
    const { p, v } = momentumStep(P, G, [0, 0], H);
    expectClose('v', v, [0.51, 0.23], 1e-15);
    expectClose('p', p, sgdStep(P, G, H), 1e-15);
  });
});

describe('adam', () => {
  const h0 = { ...H, weightDecay: 0 };

  it('first step moves each parameter by ≈ lr·sign(g)', () => {
    const rng = seeded(41);
    const p = normal(rng, 32);
    const g = normal(rng, 32);
    const zeros = new Float64Array(32);
    const out = adamStep(p, g, zeros, zeros, 1, h0);
    const moved = Float64Array.from(out.p, (v, i) => p[i]! - v);
    expectClose('Δp', moved, Float64Array.from(g, (x) => h0.lr * Math.sign(x)), 1e-5);
    expectClose('m', out.m, Float64Array.from(g, (x) => 0.1 * x), 1e-14);
    expectClose('v', out.v, Float64Array.from(g, (x) => 0.001 * x * x), 1e-14);
  });

  it('applies bias correction with the step count (hand case, t = 3)', () => {
    // m = 0.9·0.01 + 0.1·(-0.2) = -0.011; v = 0.999·0.0004 + 0.001·0.04 = 0.0004396
    // m̂ = -0.011/(1 - 0.9³) = -0.011/0.271; v̂ = 0.0004396/(1 - 0.999³) = 0.0004396/0.002997001
    // p = 0.5 - 0.01·m̂/(√v̂ + 1e-8) = 0.50105983433484674 (30-digit arithmetic)
    const out = adamStep([0.5], [-0.2], [0.01], [0.0004], 3, { ...h0, lr: 0.01 });
    expectClose('m', out.m, [-0.011], 1e-14);
    expectClose('v', out.v, [0.0004396], 1e-14);
    expectClose('p', out.p, [0.50105983433484674], 1e-14);
  });

  it('adds weight decay to the gradient (L2), unlike AdamW (hand case, wd = 1, t = 1)', () => {
    // g' = g + p = [1.005, -1.99]: both steps have the sign of g', size lr·|g'|/(|g'| + eps).
    const h = { ...H, weightDecay: 1 };
    const out = adamStep(P, [0.005, 0.01], [0, 0], [0, 0], 1, h);
    expectClose('p', out.p, [1 - 0.099999999004975134, -2 + 0.09999999949748744], 1e-14);
  });

  it('rejects a step count below 1 and mismatched state', () => {
    expect(() => adamStep([1], [1], [0], [0], 0, h0)).toThrow(/t must be an integer ≥ 1/);
    expect(() => adamStep([1, 2], [1, 2], [0], [0, 0], 1, h0)).toThrow(/adamStep m \(same length as p\) must have length 2/);
  });

  it('does not mutate its inputs', () => {
    const p = new Float64Array([1]);
    const m = new Float64Array([0.5]);
    const v = new Float64Array([0.5]);
    adamStep(p, [1], m, v, 2, H);
    expect([p[0], m[0], v[0]]).toEqual([1, 0.5, 0.5]);
  });
});

describe('adamw', () => {
  it('decays p·(1 - lr·wd) first, then steps with g alone (hand case, wd = 1, t = 1)', () => {
    // p·(1 - 0.1) = [0.9, -1.8]; then Adam with g = [0.005, 0.01] moves both by -lr·g/(g + eps).
    const h = { ...H, weightDecay: 1 };
    const out = adamwStep(P, [0.005, 0.01], [0, 0], [0, 0], 1, h);
    expectClose('p', out.p, [0.9 - 0.099999800000399999, -1.8 - 0.0999999000001], 1e-14);
  });

  it('equals Adam when weight decay is zero', () => {
    const rng = seeded(43);
    const [p, g, m] = [normal(rng, 8), normal(rng, 8), normal(rng, 8, 0.1)];
    const v = uniform(rng, 8, 0, 0.01);
    const h = { ...H, weightDecay: 0 };
    const a = adamStep(p, g, m, v, 5, h);
    const w = adamwStep(p, g, m, v, 5, h);
    expectClose('p', w.p, a.p, 0);
    expectClose('m', w.m, a.m, 0);
    expectClose('v', w.v, a.v, 0);
  });
});
