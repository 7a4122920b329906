/** How the diagnosis prints numbers: few figures, and never two different numbers alike. */

/** 3.2e-6, 0.42, 63, 4.1e5: two significant figures, exponent form outside [0.01, 10^4). */
export function fmt(x: number): string {
  return figures(x, 2);
}

function figures(x: number, digits: number): string {
  const a = Math.abs(x);
  if (!Number.isFinite(x)) return String(x);
  if (a !== 0 && (a < 1e-2 || a >= 1e4)) return x.toExponential(digits - 1).replace('e+', 'e');
  return String(Number(x.toPrecision(digits)));
}

/** Two different numbers with the fewest figures (2 to 4) that print them differently. */
export function fmtPair(a: number, b: number): [string, string] {
  for (let digits = 2; digits < 4; digits++) if (figures(a, digits) !== figures(b, digits)) return [figures(a, digits), figures(b, digits)];
  return [figures(a, 4), figures(b, 4)];
}

export const pct = (x: number): string => `${Math.round(x * 100)}%`;

