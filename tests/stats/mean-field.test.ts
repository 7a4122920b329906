import { describe, expect, it } from 'vitest';
import {
  criticalSigmaW2,
  inputQ,
  meanField,
  meanFieldParamsOf,
  meanFieldProfile,
  moments,
  pairMoments,
  qMap,
} from '../../src/stats/mean-field.ts';
import type { MeanFieldParams } from '../../src/stats/mean-field.ts';
import { expectNormal, gaussHermite } from '../../src/stats/gaussian.ts';
import { Rng } from '../../src/math/prng.ts';
import { defaultConfig } from '../../src/model/config.ts';
import type { ActivationName, InitConfig, ModelConfig } from '../../src/model/config.ts';
import { initLayer } from '../../src/model/init.ts';
import { ACTIVATIONS, activate, activateGrad, LEAKY_SLOPE } from '../../src/reference/activations.ts';
import { erfc } from '../../src/reference/erf.ts';

const pdf = (z: number): number => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
const cdf = (z: number): number => 0.5 * erfc(-z / Math.SQRT2);

/**
 * E[f(z)] by the midpoint rule at steps h and h/2 on [−L, L], extrapolated: independent of the module's rules,
 * and no node sits on a kink at 0, so a jump there (relu') costs nothing and a kink O(h⁴).
 */
function midpoint(f: (z: number) => number, h = 4e-3, L = 12): number {
  const sum = (step: number): number => {
    let s = 0;
    for (let i = 0; i < (2 * L) / step; i++) {
      const z = -L + (i + 0.5) * step;
      s += f(z) * pdf(z);
    }
    return s * step;
  };
  // A kink's O(h²) error term is the leading one in h² (Euler–Maclaurin per smooth piece): Richardson removes it.
  return (4 * sum(h / 2) - sum(h)) / 3;
}

/** α of φ(u) = u (u > 0), α·u (u < 0), for the piecewise-linear activations. */
const slopeOf: Partial<Record<ActivationName, number>> = { linear: 1, relu: 0, leaky_relu: LEAKY_SLOPE };

/**
 * [E[φ(u1)φ(u2)], E[φ'(u1)φ'(u2)]] by brute force: nested midpoint sums for smooth φ; for piecewise-linear φ
 * the inner expectation over u2 given z1 in closed form (E[relu(μ + σz)] = μΦ(μ/σ) + σϕ(μ/σ)), the outer by midpoint.
 */
function brutePair(kind: ActivationName, q: number, c: number): [number, number] {
  const k = Math.sqrt(q);
  const spread = k * Math.sqrt(1 - c * c);
  const alpha = slopeOf[kind];
  if (alpha !== undefined) {
    const inner = (mean: number): [number, number] => {
      const t = mean / spread;
      return [alpha * mean + (1 - alpha) * (mean * cdf(t) + spread * pdf(t)), alpha + (1 - alpha) * cdf(t)];
    };
    const phiPhi = midpoint((z) => activate(kind, k * z) * inner(c * k * z)[0]);
    const dd = midpoint((z) => activateGrad(kind, k * z) * inner(c * k * z)[1]);
    return [phiPhi, dd];
  }
  // Smooth φ: the plain midpoint rule converges geometrically, so a coarse grid suffices.
  const sum = (f: (z: number) => number): number => {
    let s = 0;
    for (let z = -9.975; z < 10; z += 0.05) s += f(z) * pdf(z) * 0.05;
    return s;
  };
  const inner = (g: (u: number) => number, mean: number): number => sum((z) => g(mean + spread * z));
  const phiPhi = sum((z) => activate(kind, k * z) * inner((u) => activate(kind, u), c * k * z));
  const dd = sum((z) => activateGrad(kind, k * z) * inner((u) => activateGrad(kind, u), c * k * z));
  return [phiPhi, dd];
}

/** |got − want| / max(|want|, floor) < tol: floor is the quantity's scale where it may be 0 (an odd φ's mean). */
function expectRel(label: string, got: number, want: number, tol: number, floor = 1e-300): void {
  const err = Math.abs(got - want) / Math.max(Math.abs(want), floor);
  expect(err, `${label}: got ${got}, want ${want} (relative error ${err.toExponential(2)})`).toBeLessThan(tol);
}

describe('Gaussian quadrature', () => {
  it('builds a Gauss–Hermite rule that integrates z^2k exactly', () => {
    const { nodes, weights } = gaussHermite(20);
    let doubleFactorial = 1; // (2k − 1)!!
    for (let k = 0; k < 20; k++) {
      if (k > 0) doubleFactorial *= 2 * k - 1;
      let s = 0;
      for (let i = 0; i < 20; i++) s += weights[i]! * nodes[i]! ** (2 * k);
      expectRel(`GH20 E[z^${2 * k}]`, s, doubleFactorial, 1e-12);
      expectRel(`E[z^${2 * k}] at scale 1`, expectNormal((z) => z ** (2 * k)), doubleFactorial, 1e-12);
      // The trapezoid rule for sharp integrands, cut off at |z| = 9: z^10's tail beyond is 1e-14 of the whole.
      if (k <= 5) expectRel(`E[z^${2 * k}] at scale 7`, expectNormal((z) => z ** (2 * k), 7), doubleFactorial, 1e-12);
    }
    expect(Math.abs(expectNormal((z) => z ** 7))).toBeLessThan(1e-12);
  });

  it.each(ACTIVATIONS)('E[φ], E[φ²], E[φ′²] of %s match a brute-force integral from q = 0.05 to 400', (kind) => {
    for (const q of [0.05, 0.7, 1, 2.5, 9, 40, 400]) {
      const m = moments(kind, q);
      const k = Math.sqrt(q);
      expectRel(`${kind} q=${q} E[φ]`, m.mean, midpoint((z) => activate(kind, k * z)), 1e-8, k);
      expectRel(`${kind} q=${q} E[φ²]`, m.phi2, midpoint((z) => activate(kind, k * z) ** 2), 1e-8);
      expectRel(`${kind} q=${q} E[φ'²]`, m.dphi2, midpoint((z) => activateGrad(kind, k * z) ** 2), 1e-8);
    }
  });

  it.each(ACTIVATIONS)('E[φ(u1)φ(u2)] and E[φ′(u1)φ′(u2)] of %s match brute force', (kind) => {
    for (const [q, c] of [[0.5, -0.6], [2.5, 0.3], [2.5, 0.97], [12, 0.5]] as const) {
      const got = pairMoments(kind, q, c);
      const [phiPhi, dd] = brutePair(kind, q, c);
      expectRel(`${kind} q=${q} c=${c} E[φφ]`, got.phiPhi, phiPhi, 1e-7);
      expectRel(`${kind} q=${q} c=${c} E[φ'φ']`, got.dphiDphi, dd, 1e-7);
    }
  });
});

const tanh = (sigmaW2: number, sigmaB2 = 0.05): MeanFieldParams => ({ activation: 'tanh', sigmaW2, sigmaB2 });

describe('meanField', () => {
  it('reproduces χ₁ of Schoenholz et al. for tanh at σ_b² = 0.05', () => {
    for (const [sigmaW2, chi1] of [[1, 0.759], [1.5, 0.939], [4, 1.342]] as const) {
      expect(Math.abs(meanField(tanh(sigmaW2)).chi1 - chi1), `σ_w² = ${sigmaW2}`).toBeLessThan(6e-4);
    }
    expect(meanField(tanh(1)).phase).toBe('ordered');
    expect(meanField(tanh(4)).phase).toBe('chaotic');
  });

  it('puts the tanh order-to-chaos boundary at σ_w² ≈ 1.76 (σ_b² = 0.05) and 1 (σ_b² = 0)', () => {
    const critical = criticalSigmaW2('tanh', 0.05);
    expect(Math.abs(critical - 1.76)).toBeLessThan(0.005);
    expect(Math.abs(meanField(tanh(critical)).chi1 - 1)).toBeLessThan(1e-9);
    expect(Math.abs(criticalSigmaW2('tanh', 0) - 1)).toBeLessThan(1e-6);
    expect(criticalSigmaW2('relu', 0)).toBe(2);
    expect(criticalSigmaW2('leaky_relu', 0)).toBe(2 / (1 + LEAKY_SLOPE ** 2));
    expect(criticalSigmaW2('linear', 0.3)).toBe(1);
  });

  it('gives ReLU χ₁ = 1 at He init and the linear q-map q′ = σ_w²/2·q + σ_b²', () => {
    const he = meanField({ activation: 'relu', sigmaW2: 2, sigmaB2: 0 }, 1.7);
    expect(Math.abs(he.chi1 - 1)).toBeLessThan(1e-9);
    expect(he).toMatchObject({ qStar: 1.7, cStar: 1, xiC: Infinity, xiGrad: Infinity, phase: 'critical' });
    for (const [sigmaW2, sigmaB2, q] of [[1.3, 0.1, 0.4], [2, 0, 3], [2.6, 0.02, 11]] as const) {
      expectRel('relu q-map', qMap({ activation: 'relu', sigmaW2, sigmaB2 }, q), (sigmaW2 / 2) * q + sigmaB2, 1e-14);
    }
    const ordered = meanField({ activation: 'relu', sigmaW2: 1.5, sigmaB2: 0.1 });
    expectRel('relu q*', ordered.qStar, 0.1 / (1 - 0.75), 1e-14);
    expectRel('relu χ₁', ordered.chi1, 0.75, 1e-14);
    expect(meanField({ activation: 'relu', sigmaW2: 2.5, sigmaB2: 0 })).toMatchObject({ qStar: Infinity, chi1: 1.25, chiC: 1, phase: 'chaotic' });
  });

  it('gives linear φ χ₁ = σ_w² and q* = σ_b²/(1 − σ_w²), divergent from σ_w² = 1', () => {
    for (const [sigmaW2, sigmaB2] of [[0.5, 0.2], [0.9, 0.01], [0.3, 0]] as const) {
      const r = meanField({ activation: 'linear', sigmaW2, sigmaB2 });
      expectRel('linear χ₁', r.chi1, sigmaW2, 1e-14);
      expect(Math.abs(r.qStar - sigmaB2 / (1 - sigmaW2))).toBeLessThan(1e-14);
      expectRel('linear ξ_c', r.xiC, -1 / Math.log(sigmaW2), 1e-12);
    }
    expect(meanField({ activation: 'linear', sigmaW2: 1.2, sigmaB2: 0.1 })).toMatchObject({ qStar: Infinity, cStar: NaN });
    expect(meanField({ activation: 'linear', sigmaW2: 1, sigmaB2: 0 }, 0.8)).toMatchObject({ qStar: 0.8, chi1: 1, cStar: NaN });
  });

  it('finds q* as the limit of the q-map and c* as a fixed point of the C-map', () => {
    for (const p of [tanh(1.2), tanh(4), { activation: 'sigmoid', sigmaW2: 3, sigmaB2: 0.1 }, { activation: 'gelu', sigmaW2: 1.8, sigmaB2: 0.2 }] as const) {
      const r = meanField(p);
      expectRel(`${p.activation} q* is fixed`, qMap(p, r.qStar), r.qStar, 1e-10);
      const profile = meanFieldProfile(p, 200, 3);
      expectRel(`${p.activation} q_200 from q1 = 3`, profile.q[199]!, r.qStar, 1e-8);
      const cMap = (p.sigmaW2 * pairMoments(p.activation, r.qStar, r.cStar).phiPhi + p.sigmaB2) / r.qStar;
      expect(Math.abs(cMap - r.cStar), `${p.activation} C-map at c*`).toBeLessThan(1e-9);
    }
    const chaotic = meanField(tanh(4));
    expect(chaotic.cStar).toBeGreaterThan(0.1);
    expect(chaotic.cStar).toBeLessThan(0.3);
    const cMap = (c: number): number => (4 * pairMoments('tanh', chaotic.qStar, c).phiPhi + 0.05) / chaotic.qStar;
    expectRel('χ_c is the C-map slope at c*', (cMap(chaotic.cStar + 1e-4) - cMap(chaotic.cStar - 1e-4)) / 2e-4, chaotic.chiC, 1e-6);
    expect(chaotic.chiC).toBeLessThan(1);
    expect(meanField(tanh(0.5, 0)).qStar).toBe(0); // σ_b² = 0, ordered: the signal dies
  });

  it('makes ξ_c = −1/ln χ₁ in the ordered phase and diverge at the boundary from both sides', () => {
    for (const sigmaW2 of [0.6, 1, 1.5]) {
      const r = meanField(tanh(sigmaW2));
      expectRel('ξ_c', r.xiC, -1 / Math.log(r.chi1), 1e-12);
      expect(r.xiGrad).toBe(r.xiC);
      expect(r.trainableDepth).toBe(6 * r.xiC);
    }
    const critical = criticalSigmaW2('tanh', 0.05);
    const below = meanField(tanh(critical - 1e-3));
    const above = meanField(tanh(critical + 1e-3));
    expect(below.xiC).toBeGreaterThan(1000);
    expect(above.xiC).toBeGreaterThan(500);
    expect(above.cStar).toBeLessThan(1);
    expect(above.cStar).toBeGreaterThan(0.99);
    expect(meanField(tanh(4)).xiC).toBeLessThan(10);
  });
});

/**
 * One random MLP in float64 on `samples` inputs x ~ N(0, xStd²): per block the mean of z_l² over units and samples,
 * and E[δ_l²]/E[δ_{D−1}²] with δ backpropagated from a random δ_{D−1} = φ'(z_{D−1}) ⊙ g.
 */
function simulate(p: MeanFieldParams, n: number, depth: number, samples: number, xStd: number, rng: Rng): { x2: number; q: number[]; delta2: number[] } {
  let h = Float64Array.from({ length: n * samples }, () => xStd * rng.normal());
  const x2 = h.reduce((s, v) => s + v * v, 0) / h.length;
  const weights: Float64Array[] = [];
  const zs: Float64Array[] = [];
  for (let l = 0; l < depth; l++) {
    const w = Float64Array.from({ length: n * n }, () => Math.sqrt(p.sigmaW2 / n) * rng.normal());
    const b = Float64Array.from({ length: n }, () => Math.sqrt(p.sigmaB2) * rng.normal());
    const z = new Float64Array(n * samples);
    for (let s = 0; s < samples; s++) {
      for (let i = 0; i < n; i++) {
        let acc = b[i]!;
        for (let j = 0; j < n; j++) acc += w[i * n + j]! * h[s * n + j]!;
        z[s * n + i] = acc;
      }
    }
    weights.push(w);
    zs.push(z);
    h = z.map((u) => activate(p.activation, u));
  }
  const meanSquare = (a: Float64Array): number => a.reduce((s, v) => s + v * v, 0) / a.length;
  let delta = zs[depth - 1]!.map((u) => activateGrad(p.activation, u) * rng.normal());
  const delta2 = [meanSquare(delta)];
  for (let l = depth - 2; l >= 0; l--) {
    const w = weights[l + 1]!;
    const next = new Float64Array(n * samples);
    for (let s = 0; s < samples; s++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += w[i * n + j]! * delta[s * n + i]!;
        next[s * n + j] = acc * activateGrad(p.activation, zs[l]![s * n + j]!);
      }
    }
    delta = next;
    delta2.unshift(meanSquare(delta));
  }
  return { x2, q: zs.map(meanSquare), delta2: delta2.map((d) => d / delta2[depth - 1]!) };
}

describe('meanFieldProfile', () => {
  // Mean field is the average over random weights; one net of width N strays from it by O(1/√N) per layer, and a
  // ReLU net's ‖z_l‖² by more, log-normally (Hanin & Nica 2019). So this averages 48 nets of width 100: about
  // 2% rms error, under 9% in the worst of 20 seeds tried. Inputs of std 3 start q far from q*, and a block's
  // χ at q_0 ≈ 22 and at q* differ 2-4×, so taking the next block's q in deltaRatio would miss by 50%.
  it.each([tanh(2.5, 0.1), { activation: 'relu', sigmaW2: 1, sigmaB2: 0.5 } as const])(
    'predicts q_l and ‖δ_l‖/‖δ_{D−1}‖ of random $activation nets (σ_w² = $sigmaW2, σ_b² = $sigmaB2) within 10%',
    (p) => {
      const [depth, nets] = [4, 48];
      const rng = new Rng(11).fork(p.activation);
      const q = new Array<number>(depth).fill(0);
      const delta2 = new Array<number>(depth).fill(0);
      let x2 = 0;
      for (let k = 0; k < nets; k++) {
        const sim = simulate(p, 100, depth, 4, 3, rng.fork(`net ${k}`));
        x2 += sim.x2 / nets;
        for (let l = 0; l < depth; l++) {
          q[l]! += sim.q[l]! / nets;
          delta2[l]! += sim.delta2[l]! / nets;
        }
      }
      const profile = meanFieldProfile(p, depth, inputQ(p, x2));
      for (let l = 0; l < depth; l++) {
        expectRel(`q_${l}`, q[l]!, profile.q[l]!, 0.1);
        expectRel(`‖δ_${l}‖/‖δ_${depth - 1}‖`, Math.sqrt(delta2[l]!), profile.deltaRatio[l]!, 0.1);
      }
      expect(profile.deltaRatio[depth - 1]).toBe(1);
    },
  );

  it('gives E[h²] and the spread of h in closed form for relu, and deltaRatio as a product of √χ per block', () => {
    const p: MeanFieldParams = { activation: 'relu', sigmaW2: 1.5, sigmaB2: 0.2 };
    const { q, h2, actStd, deltaRatio } = meanFieldProfile(p, 4, 2);
    expect(q).toEqual([2, 1.7, 1.475, 1.30625].map((v, i) => (i === 0 ? v : expect.closeTo(v, 14))));
    for (let l = 0; l < 4; l++) {
      expectRel('E[h²]', h2[l]!, q[l]! / 2, 1e-14);
      expectRel('std h', actStd[l]!, Math.sqrt(q[l]! / 2 - q[l]! / (2 * Math.PI)), 1e-14);
      expectRel('δ ratio', deltaRatio[l]!, Math.sqrt(0.75) ** (3 - l), 1e-14);
    }
  });
});

describe('meanFieldParamsOf', () => {
  const model = (patch: Partial<ModelConfig>, init: Partial<InitConfig> = {}): ModelConfig => {
    const base = defaultConfig().model;
    return { ...base, arch: 'mlp', norm: 'none', residual: 'none', width: 256, ...patch, init: { ...base.init, gain: 1, ...init } };
  };

  it('maps each scheme to the variance initLayer draws for a square layer', () => {
    const n = 256;
    const rng = new Rng(3);
    for (const scheme of ['xavier', 'xavier_uniform', 'he', 'he_uniform', 'lecun', 'orthogonal', 'pytorch', 'meanfield'] as const) {
      const m = model({ width: n, activation: 'tanh' }, { scheme, gain: 1.3, sigmaW2: 1.7, sigmaB2: 0.4 });
      const p = meanFieldParamsOf(m)!;
      const { weight, bias } = initLayer(m.init, n, n, rng.fork(scheme));
      const meanSquare = (a: Float32Array): number => a.reduce((s, v) => s + v * v, 0) / a.length;
      expectRel(`${scheme} σ_w²`, n * meanSquare(weight), p.sigmaW2, 0.02);
      if (p.sigmaB2 === 0) expect(meanSquare(bias), scheme).toBe(0);
      else expectRel(`${scheme} σ_b²`, meanSquare(bias), p.sigmaB2, 0.3); // 256 draws
    }
    expect(meanFieldParamsOf(model({ activation: 'relu' }, { scheme: 'he', gain: 1 }))).toEqual({ activation: 'relu', sigmaW2: 2, sigmaB2: 0 });
    expect(meanFieldParamsOf(model({ width: 100 }, { scheme: 'pytorch' }))).toMatchObject({ sigmaW2: 1 / 3, sigmaB2: 1 / 300 });
  });

  it('is null where mean-field theory of plain MLPs does not apply', () => {
    expect(meanFieldParamsOf(model({ arch: 'resnet' }))).toBeNull();
    expect(meanFieldParamsOf(model({ arch: 'rnn' }))).toBeNull();
    expect(meanFieldParamsOf(model({ norm: 'batch' }))).toBeNull();
    expect(meanFieldParamsOf(model({ norm: 'layer' }))).toBeNull();
    expect(meanFieldParamsOf(model({ residual: 'identity' }))).toBeNull();
    expect(meanFieldParamsOf(model({ residual: 'rezero' }))).toBeNull();
    expect(meanFieldParamsOf(model({}, { scheme: 'identity' }))).toBeNull();
  });
});
