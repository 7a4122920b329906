/**
 * Gaussian expectations for mean-field theory (src/stats/mean-field.ts): a Gauss–Hermite rule while the scale is
 * small, a fine trapezoid rule beyond it, E[f(z)] for z ~ N(0, scale²) and E[f(u1, u2)] for a correlated pair.
 */
/** Nodes and weights of E[f(z)] ≈ Σ w_i f(x_i) for z ~ N(0, 1). */
export interface Quadrature {
  nodes: Float64Array;
  weights: Float64Array;
}

/**
 * n-point Gauss–Hermite rule for the standard normal: Newton's method on the orthonormal Hermite recurrence
 * (Numerical Recipes' gauher, which stays in range for n in the hundreds), nodes then scaled by √2, weights by 1/√π.
 */
export function gaussHermite(n: number): Quadrature {
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  const pim4 = Math.PI ** -0.25;
  let z = 0;
  for (let i = 0; i < (n + 1) >> 1; i++) {
    // NR's starting guesses: the largest root, then each from its neighbours.
    if (i === 0) z = Math.sqrt(2 * n + 1) - 1.85575 * (2 * n + 1) ** -0.16667;
    else if (i === 1) z -= (1.14 * n ** 0.426) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * x[0]!;
    else if (i === 3) z = 1.91 * z - 0.91 * x[1]!;
    else z = 2 * z - x[i - 2]!;
    let pp = 1;
    for (let iter = 0; iter < 100; iter++) {
      let p1 = pim4;
      let p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
      }
      pp = Math.sqrt(2 * n) * p2;
      const dz = p1 / pp;
      z -= dz;
      if (Math.abs(dz) <= 1e-15 * Math.max(1, Math.abs(z))) break;
    }
    x[i] = z;
    x[n - 1 - i] = -z;
    w[i] = w[n - 1 - i] = 2 / (pp * pp);
  }
  return { nodes: x.map((v) => v * Math.SQRT2), weights: w.map((v) => v / Math.sqrt(Math.PI)) };
}

const GH_POINTS = 96;
/** Gauss–Hermite while f(z) varies on a scale ≥ 1/GH_MAX_SCALE in z; its nodes are too sparse for sharper f. */
const GH_MAX_SCALE = 1;
/**
 * Past that, the trapezoid rule with step TRAPEZOID_STEP/scale: for f analytic in the strip |Im z| < a its error
 * is ~exp(−2πa/h) (Trefethen & Weideman 2014), and tanh(√q z), whose poles sit at a = π/(2√q), gets
 * exp(−π²/TRAPEZOID_STEP) ≈ 5e-15. Its nodes stop at |z| = 9, where the Gaussian weight is e^{−40}.
 */
const TRAPEZOID_STEP = 0.3;
const TRAPEZOID_HALF_WIDTH = 9;
/**
 * The step stops shrinking at q = 32² (~1,800 nodes): only a gelu that runs off to ∞ gets there, and it is
 * relu-like at that scale, whose kink sits on the node at 0, where the symmetric rule is exact for relu's moments.
 */
const TRAPEZOID_MAX_SCALE = 32;
let hermite: Quadrature | undefined;

/** A rule for E[f(z)], z ~ N(0, 1), when f varies on the scale 1/scale in z (scale = √q for f = g(√q z)). */
function normalRule(scale: number): Quadrature {
  if (!(scale > GH_MAX_SCALE)) return (hermite ??= gaussHermite(GH_POINTS));
  const h = TRAPEZOID_STEP / Math.min(scale, TRAPEZOID_MAX_SCALE);
  const half = Math.floor(TRAPEZOID_HALF_WIDTH / h);
  const nodes = Float64Array.from({ length: 2 * half + 1 }, (_, j) => (j - half) * h);
  const weights = nodes.map((z) => (h * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI));
  return { nodes, weights };
}

/** E[f(z)] for z ~ N(0, 1), where f varies on the scale 1/scale in z. */
export function expectNormal(f: (z: number) => number, scale = 1): number {
  const { nodes, weights } = normalRule(scale);
  let s = 0;
  for (let i = 0; i < nodes.length; i++) s += weights[i]! * f(nodes[i]!);
  return s;
}

/** E[f(u1, u2)] for u1, u2 ~ N(0, q) with correlation c: u1 = √q z1, u2 = √q(c z1 + √(1−c²) z2), nested rules. */
export function expectPair(q: number, c: number, f: (u1: number, u2: number) => number): number {
  const k = Math.sqrt(q);
  const spread = k * Math.sqrt(Math.max(0, 1 - c * c));
  const outer = normalRule(k);
  const inner = normalRule(spread);
  let s = 0;
  for (let i = 0; i < outer.nodes.length; i++) {
    const u1 = k * outer.nodes[i]!;
    const mean = c * u1;
    let t = 0;
    for (let j = 0; j < inner.nodes.length; j++) t += inner.weights[j]! * f(u1, mean + spread * inner.nodes[j]!);
    s += outer.weights[i]! * t;
  }
  return s;
}

