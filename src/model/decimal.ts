/**
 * The one grammar for a number written as text, shared by `--set`, the URL hash and CSV cells: plain
 * decimal with an optional exponent (`-3`, `.5`, `2e-4`). `Number()` alone would also take `0x10`, `0b1`,
 * `Infinity` and the empty string (as 0), so a CSV cell and a `--set` value would disagree about them.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The value of decimal text, or undefined when the text is not one (or overflows to ±Infinity). */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

export function isDecimal(text: string): boolean {
  return DECIMAL.test(text);
}
