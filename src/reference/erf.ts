// erf and erfc to ~1e-15 relative, in float64.
// Small |x|: the all-positive series erf(x) = 2/√π·e^{-x²}·Σ 2ⁿx^{2n+1}/(1·3···(2n+1)) (A&S 7.1.6),
// which has no cancellation, unlike the alternating Taylor series.
// Large |x|: the Laplace continued fraction for erfc (A&S 7.1.14), evaluated with modified Lentz.

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;
// erf uses the series below SERIES_MAX (< 60 terms) and 1 - erfc above it (< 60 terms there);
// erf ≥ 0.995 there, so the subtraction costs nothing.
const SERIES_MAX = 2;
// erfc uses the fraction from FRACTION_MIN (< 200 terms at 1) so that 1 - erf never cancels:
// erfc(1) ≈ 0.157 loses under one digit.
const FRACTION_MIN = 1;
// erfc(6) ≈ 2e-17 is below half an ulp of 1, so erf(|x| ≥ 6) is exactly ±1 in float64.
const SATURATE = 6;
const TOL = 1e-17;
const MAX_TERMS = 500;

function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < MAX_TERMS && Math.abs(term) > TOL * Math.abs(sum); n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc(x) for x ≥ FRACTION_MIN via x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))). */
function erfcFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < MAX_TERMS; n++) {
    const an = n / 2;
    d = x + an * d;
    d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
    c = x + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < TOL) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < SERIES_MAX) return erfSeries(x);
  if (ax >= SATURATE) return Math.sign(x);
  return Math.sign(x) * (1 - erfcFraction(ax));
}

/** 1 - erf(x), accurate in the tail where 1 - erf(x) would cancel. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < FRACTION_MIN) return x < 0 ? 1 + erf(-x) : 1 - erf(x);
  if (x > 27) return 0; // e^{-x²} underflows
  return erfcFraction(x);
}
