/**
 * A bad RunConfig, preset name or `--set` assignment. The message is one line that names the field, the
 * value and what is allowed, so the CLI can print it as is and exit 1.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  /** Dotted field path (`model.depth`), or '' for the whole config. */
  readonly path: string;
  readonly value: unknown;
  /** What the field accepts, in words (`an integer from 1 to 4096`). */
  readonly allowed: string;

  constructor(path: string, value: unknown, allowed: string, message: string) {
    super(message);
    this.path = path;
    this.value = value;
    this.allowed = allowed;
  }
}

/** How a value reads inside `(got …)`: strings quoted, objects as short JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === undefined) return 'nothing';
  // Cut before quoting: a pasted 10 MB string needs only its first characters here.
  const cut = typeof value === 'string' && value.length > 60 ? value.slice(0, 60) : value;
  let text: string;
  try {
    text = JSON.stringify(cut) ?? typeof value;
  } catch {
    text = Array.isArray(value) ? 'a list' : typeof value; // too deep, or circular, to print
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A name the user typed, cut for a message: a pasted 10 MB key must not become a 10 MB error line. */
export function shortText(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `<path> must be <allowed> (got <value>)`: the one shape every field error takes. */
export function fieldError(path: string, value: unknown, allowed: string): ConfigError {
  return new ConfigError(path, value, allowed, `${path} must be ${allowed} (got ${describeValue(value)})`);
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`dpeth` → `depth` is 1). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/** Words longer than this get no did-you-mean: no field, value or preset name is near that long. */
const MAX_SUGGEST_LENGTH = 64;

/**
 * The candidate closest to `word` (case-insensitive), or undefined when none is close enough to be a
 * plausible typo: at most a third of the word's letters may differ (at least one). The distance is at
 * least the difference in length, so candidates that cannot be close are skipped before the quadratic
 * edit distance, and a pasted 10 MB value costs nothing.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > MAX_SUGGEST_LENGTH) return undefined;
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - word.length) > limit) continue;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
