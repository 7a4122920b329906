/**
 * Mean-field signal propagation through a deep fully-connected net without normalization or skips
 * (Poole et al. 2016; Schoenholz et al. 2017, "Deep Information Propagation"). Block l computes
 * z_l = W_l h_{l-1} + b_l, h_l = φ(z_l), with W ~ (0, σ_w²/N) and b ~ (0, σ_b²), and q_l = E[z_l²]:
 *   q-map  q_{l+1} = σ_w² E[φ(√q_l z)²] + σ_b²,           fixed point q*
 *   χ₁     = σ_w² E[φ'(√q* z)²], the factor of E[δ²] per layer backwards (δ_l = ∂L/∂z_l)
 *   C-map  c' = (σ_w² E[φ(u1)φ(u2)] + σ_b²)/q*, u1 = √q* z1, u2 = √q*(c z1 + √(1−c²) z2); stable fixed point c*
 *   χ_c    = σ_w² E[φ'(u1)φ'(u2)] at c*, the C-map's slope there; ξ_c = −1/ln χ_c; nets train to depth ≈ 6ξ_c.
 * Gaussian expectations use a 96-point Gauss–Hermite rule while q ≤ 1 and a trapezoid rule refined with √q
 * beyond (nested in 2-D), ~1e-10 relative for tanh, sigmoid and gelu at any q; the piecewise-linear
 * activations, whose kinks quadrature resolves poorly, use exact arc-cosine-kernel formulas (Cho & Saul 2009).
 */
import type { ActivationName, ModelConfig } from '../model/config-types.ts';
import { activate, activateGrad, LEAKY_SLOPE } from '../reference/activations.ts';
import { expectNormal, expectPair } from './gaussian.ts';

export interface MeanFieldParams {
  activation: ActivationName;
  sigmaW2: number;
  sigmaB2: number;
}

/**
 * Where the q-map settles and how signals behave there. The limits are ±Infinity or NaN where the theory
 * says so, never a clamped number: a reader checks Number.isFinite.
 */
export interface MeanFieldPoint {
  /**
   * lim q_l iterated from q1: Infinity when it diverges (linear, relu, leaky_relu, gelu past criticality);
   * q1 itself when every q is fixed (piecewise-linear φ with σ_b² = 0 exactly at criticality).
   */
  qStar: number;
  /** σ_w² E[φ'(√q* z)²]: ‖δ‖ shrinks (χ₁ < 1) or grows (χ₁ > 1) by √χ₁ per layer toward the input. */
  chi1: number;
  /** The stable fixed point of the C-map: 1 in the ordered phase; NaN for linear φ where every c is fixed. */
  cStar: number;
  /** The C-map's slope at c*; equals chi1 when c* = 1 and q* is finite. */
  chiC: number;
  /** −1/ln χ_c layers; Infinity at criticality (and when q* = ∞: correlations then converge polynomially). */
  xiC: number;
  /** 6 ξ_c, the depth up to which Schoenholz et al. found such nets trainable. */
  trainableDepth: number;
  /** 1/|ln χ₁| > 0: layers for ‖δ‖ to change by e^{1/2}; whether it shrinks or grows is `phase`. */
  xiGrad: number;
  /** ordered: χ₁ < 1 (gradients vanish); chaotic: χ₁ > 1 (they explode); critical within 1e-12. */
  phase: 'ordered' | 'critical' | 'chaotic';
}

/** φ(u) = u above 0 and α·u below: the negative slope α of the piecewise-linear activations, else null. */
function negativeSlope(kind: ActivationName): number | null {
  return kind === 'linear' ? 1 : kind === 'relu' ? 0 : kind === 'leaky_relu' ? LEAKY_SLOPE : null;
}

/** For unit-variance pairs with correlation c, α-leaky φ: [E[φ(z1)φ(z2)], E[φ'(z1)φ'(z2)]] (arc-cosine kernels). */
function leakyKernels(alpha: number, c: number): [number, number] {
  const cc = Math.min(1, Math.max(-1, c));
  const theta = Math.acos(cc);
  const both = (Math.PI - theta) / (2 * Math.PI); // P(z1 > 0, z2 > 0)
  const relu = (Math.sqrt(1 - cc * cc) + (Math.PI - theta) * cc) / (2 * Math.PI); // E[relu(z1) relu(z2)]
  const b = (1 - alpha) ** 2;
  return [alpha * cc + b * relu, alpha + b * both];
}

/** One-unit Gaussian moments of φ at pre-activation variance q. */
export interface Moments {
  /** E[φ(√q z)] */
  mean: number;
  /** E[φ(√q z)²] */
  phi2: number;
  /** E[φ'(√q z)²] */
  dphi2: number;
}

/** At q = ∞: sigmoid becomes a fair coin on {0, 1}, tanh ±1, gelu relu. */
const SATURATED: Partial<Record<ActivationName, Moments>> = {
  sigmoid: { mean: 0.5, phi2: 0.5, dphi2: 0 },
  tanh: { mean: 0, phi2: 1, dphi2: 0 },
  gelu: { mean: Infinity, phi2: Infinity, dphi2: 0.5 },
};

/** One of the Moments alone (the q-map needs only phi2, χ₁ only dphi2). */
export function moment(kind: ActivationName, q: number, which: keyof Moments): number {
  const alpha = negativeSlope(kind);
  if (alpha !== null) {
    if (which === 'mean') return alpha === 1 ? 0 : (1 - alpha) * Math.sqrt(q / (2 * Math.PI));
    return ((which === 'phi2' ? q : 1) * (1 + alpha * alpha)) / 2;
  }
  if (q === Infinity) return SATURATED[kind]![which];
  const k = Math.sqrt(q);
  if (which === 'mean') return expectNormal((z) => activate(kind, k * z), k);
  if (which === 'phi2') return expectNormal((z) => activate(kind, k * z) ** 2, k);
  return expectNormal((z) => activateGrad(kind, k * z) ** 2, k);
}

export function moments(kind: ActivationName, q: number): Moments {
  return { mean: moment(kind, q, 'mean'), phi2: moment(kind, q, 'phi2'), dphi2: moment(kind, q, 'dphi2') };
}

/** E[φ(u1)φ(u2)] and E[φ'(u1)φ'(u2)] for u1, u2 ~ N(0, q) with correlation c. */
export function pairMoments(kind: ActivationName, q: number, c: number): { phiPhi: number; dphiDphi: number } {
  const alpha = negativeSlope(kind);
  if (alpha !== null) {
    const [k, dk] = leakyKernels(alpha, c);
    return { phiPhi: q * k, dphiDphi: dk };
  }
  return {
    phiPhi: expectPair(q, c, (u1, u2) => activate(kind, u1) * activate(kind, u2)),
    dphiDphi: expectPair(q, c, (u1, u2) => activateGrad(kind, u1) * activateGrad(kind, u2)),
  };
}

/** q_{l+1} from q_l. */
export function qMap(p: MeanFieldParams, q: number): number {
  return p.sigmaW2 * moment(p.activation, q, 'phi2') + p.sigmaB2;
}

/** q of the first block from the data's mean square E[x_i²], when that layer is drawn like the others. */
export function inputQ(p: MeanFieldParams, inputMeanSquare = 1): number {
  return p.sigmaW2 * inputMeanSquare + p.sigmaB2;
}

const Q_DIVERGED = 1e12;

/**
 * lim q_l from q1. The q-map is increasing, so q_l moves monotonically to the nearest fixed point on the side
 * q1 starts: bracket it (g = F(q) − q changes sign; g(0) = F(0) ≥ 0) and bisect, which unlike plain
 * iteration does not crawl near criticality, where the map's slope at q* approaches 1.
 */
function fixedQ(p: MeanFieldParams, q1: number): number {
  const alpha = negativeSlope(p.activation);
  if (alpha !== null) {
    const a = (p.sigmaW2 * (1 + alpha * alpha)) / 2; // q-map q' = a q + σ_b²
    if (a < 1) return p.sigmaB2 / (1 - a);
    if (q1 === 0 && p.sigmaB2 === 0) return 0;
    return a === 1 && p.sigmaB2 === 0 ? q1 : Infinity;
  }
  const g = (q: number): number => qMap(p, q) - q;
  const g1 = g(q1);
  if (g1 === 0) return q1;
  if (g1 < 0) return bisect(g, 0, q1);
  let lo = q1;
  for (let step = 2 * g1; ; step *= 2) {
    const hi = q1 + step;
    if (hi > Q_DIVERGED) return Infinity;
    if (g(hi) < 0) return bisect(g, lo, hi);
    lo = hi;
  }
}

/**
 * A root of g in [lo, hi] given g(lo) ≥ 0 > g(hi), to 1e-14 relative; 0 when g < 0 on (0, 1e-30·hi], where
 * q is 0 for every purpose (tanh and gelu with σ_b² = 0 in the ordered phase).
 */
function bisect(g: (x: number) => number, lo: number, hi: number): number {
  const zero = 1e-30 * hi;
  for (let i = 0; i < 200 && hi - lo > 1e-14 * hi; i++) {
    if (hi < zero) return 0;
    const mid = 0.5 * (lo + hi);
    if (g(mid) >= 0) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * The mean-field fixed point reached from q1 (default: standardized inputs, q1 = σ_w² + σ_b²). q1 matters for
 * gelu, which has two attractors (q → 0 and q → ∞) when σ_b² is small, and for the piecewise-linear φ at criticality.
 * q* = 0 (σ_b² = 0 in the ordered phase) is read as the limit σ_b² → 0+, where the C-map's slope at 1 is still χ₁.
 */
export function meanField(p: MeanFieldParams, q1 = inputQ(p)): MeanFieldPoint {
  const qStar = fixedQ(p, q1);
  const chi1 = p.sigmaW2 * moment(p.activation, qStar, 'dphi2');
  const [cStar, chiC] = correlationFixedPoint(p, qStar, chi1);
  const xiC = chiC < 1 ? -1 / Math.log(chiC) : chiC >= 1 ? Infinity : NaN;
  const phase = Math.abs(chi1 - 1) <= 1e-12 ? 'critical' : chi1 < 1 ? 'ordered' : 'chaotic';
  return { qStar, chi1, cStar, chiC, xiC, trainableDepth: 6 * xiC, xiGrad: 1 / Math.abs(Math.log(chi1)), phase };
}

/** [c*, χ_c]. */
function correlationFixedPoint(p: MeanFieldParams, qStar: number, chi1: number): [number, number] {
  const linear = p.activation === 'linear';
  if (qStar === Infinity) {
    // The bias fades: c' → K(c)/K(1), whose slope at c = 1 is exactly 1 for relu-like φ (and gelu, which becomes
    // relu), so c → 1 only polynomially. Linear φ: 1 − c_l shrinks by a·q_{l-1}/q_l per layer, which tends to 0
    // when q grows linearly (χ₁ = 1) but keeps a start-dependent limit when q grows geometrically.
    return [linear && chi1 > 1 ? NaN : 1, 1];
  }
  if (linear && chi1 === 1) return [NaN, 1]; // σ_b² = 0 at σ_w² = 1: c' = c
  if (chi1 <= 1 || qStar === 0) {
    // Ordered: c* = 1, where the C-map's slope is χ₁ (convexity rules out another fixed point in [0, 1)). Every
    // piecewise-linear φ with a finite q* lands here: its C-map is c' = 1 − σ_w²(K(1) − K(c)). q* = 0 is read as
    // the limit σ_b² → 0+, where φ acts linearly and the map is the same.
    return [1, chi1];
  }
  // Chaotic: the C-map f is convex on [0, 1] (a power series in c with nonnegative coefficients) with f(0) ≥ 0 and
  // f'(1) = χ₁ > 1, so c − f(c) is concave, ≤ 0 at 0 and has one root c* in [0, 1). Newton from 0 then climbs to c*
  // without overshooting. 1 − f(c) = σ_w² E[(φ(u1) − φ(u2))²]/(2q*) has no cancellation as c → 1, and
  // f'(c) = σ_w² E[φ'(u1)φ'(u2)] (Price's theorem), which at c* is χ_c.
  const kind = p.activation;
  const gap = (c: number): number => {
    const d = expectPair(qStar, c, (u1, u2) => (activate(kind, u1) - activate(kind, u2)) ** 2);
    return (p.sigmaW2 * d) / (2 * qStar) - (1 - c); // c − f(c)
  };
  const slope = (c: number): number => p.sigmaW2 * expectPair(qStar, c, (u1, u2) => activateGrad(kind, u1) * activateGrad(kind, u2));
  let c = 0;
  for (let i = 0, g = gap(0); i < 100 && g < 0; i++, g = gap(c)) {
    const step = -g / (1 - slope(c));
    if (!(step > 1e-15)) break;
    c = Math.min(c + step, 1);
  }
  return [c, slope(c)];
}

/**
 * Per-block predictions for blocks 0..D−1 (D = depth; the linear head after them is not included), with
 * z_l = W_l h_{l−1} + b_l, h_l = φ(z_l), h_{−1} = x and q1 = E[z_0²] (see inputQ). Index l is block l throughout.
 */
export interface MeanFieldProfile {
  /** E[z_l²] per entry: q[0] = q1, q[l+1] = qMap(q[l]). */
  q: number[];
  /** E[h_l²] per entry. */
  h2: number[];
  /** The spread of h_l's entries, √(E[h²] − E[h]²) (StepRecord.actStd). */
  actStd: number[];
  /**
   * ‖δ_l‖/‖δ_{D−1}‖ with δ_l = ∂L/∂z_l (StepRecord.deltaNorm over its last block): E[δ_l²] =
   * σ_w² E[φ'(√q_l z)²] E[δ_{l+1}²], each block's own q_l, so deltaRatio[l] = Π_{k=l..D−2} √(σ_w² E[φ'(√q_k z)²])
   * and deltaRatio[D−1] = 1. Products may under- or overflow to 0 or Infinity at great depth.
   */
  deltaRatio: number[];
}

export function meanFieldProfile(p: MeanFieldParams, depth: number, q1: number): MeanFieldProfile {
  const q: number[] = [];
  const m: Moments[] = [];
  for (let l = 0, ql = q1; l < depth; l++) {
    const ml = moments(p.activation, ql);
    q.push(ql);
    m.push(ml);
    ql = ql === Infinity ? Infinity : p.sigmaW2 * ml.phi2 + p.sigmaB2;
  }
  const deltaRatio = new Array<number>(depth).fill(1);
  for (let l = depth - 2; l >= 0; l--) deltaRatio[l] = deltaRatio[l + 1]! * Math.sqrt(p.sigmaW2 * m[l]!.dphi2);
  return {
    q,
    h2: m.map((ml) => ml.phi2),
    actStd: m.map((ml) => (ml.phi2 === Infinity ? Infinity : Math.sqrt(Math.max(0, ml.phi2 - ml.mean ** 2)))),
    deltaRatio,
  };
}

/**
 * σ_w² at which χ₁ = 1 (the order-to-chaos boundary) for inputs of mean square E[x²] (q1 = σ_w² E[x²] + σ_b²):
 * exact for piecewise-linear φ (2/(1 + α²)), else the first crossing of a scan over σ_w² ∈ (0, 1000] refined by
 * bisection (sigmoid's is near 100); NaN when χ₁ stays below 1 there. gelu's q falls to 0 or runs off to ∞
 * depending on q1 when σ_b² is small, so its boundary is where q1 crosses into the divergent basin.
 */
export function criticalSigmaW2(activation: ActivationName, sigmaB2: number, inputMeanSquare = 1): number {
  const alpha = negativeSlope(activation);
  if (alpha !== null) return 2 / (1 + alpha * alpha);
  const excess = (sigmaW2: number): number => {
    const p = { activation, sigmaW2, sigmaB2 };
    return p.sigmaW2 * moment(activation, fixedQ(p, inputQ(p, inputMeanSquare)), 'dphi2') - 1;
  };
  let lo = 0;
  let hi = 0.05;
  while (excess(hi) < 0) {
    lo = hi;
    hi *= 1.25;
    if (hi > 1000) return NaN;
  }
  while (hi - lo > 1e-12 * hi) {
    const mid = 0.5 * (lo + hi);
    if (excess(mid) < 0) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** σ_w² per init scheme for square layers, times gain²: torch's formulas at fan_in = fan_out = N. */
const SCHEME_SIGMA_W2: Partial<Record<ModelConfig['init']['scheme'], number>> = {
  xavier: 1,
  xavier_uniform: 1, // U(±√(6/2N)) has variance 1/N
  he: 2,
  he_uniform: 2,
  lecun: 1,
  // Not Gaussian, but the forward q-map is the same (‖Wh‖ = gain·‖h‖), and so is the Jacobian's mean squared
  // singular value, all deltaRatio uses; its spread is narrower (dynamical isometry, Pennington et al. 2017).
  orthogonal: 1,
};

/**
 * (σ_w², σ_b²) of the hidden blocks (width N square layers) of an MLP without norms or skips, or null where the
 * theory does not apply (resnet, rnn, a norm, a residual, identity init). The first block (fan_in = the input
 * size) and the head may differ for xavier and pytorch.
 */
export function meanFieldParamsOf(model: ModelConfig): MeanFieldParams | null {
  if (model.arch !== 'mlp' || model.norm !== 'none' || model.residual !== 'none') return null;
  const { activation, width: n, init } = model;
  switch (init.scheme) {
    case 'pytorch': // U(±1/√N) weights and biases
      return { activation, sigmaW2: 1 / 3, sigmaB2: 1 / (3 * n) };
    case 'meanfield':
      return { activation, sigmaW2: init.sigmaW2, sigmaB2: init.sigmaB2 };
    case 'identity':
      return null;
    default: // biases start at 0
      return { activation, sigmaW2: SCHEME_SIGMA_W2[init.scheme]! * init.gain ** 2, sigmaB2: 0 };
  }
}
