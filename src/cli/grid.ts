/**
 * `gradscope sweep`'s grid: `--grid key.path=V1,V2,…` or `--grid key.path=A:B:N` per axis, the runs the product
 * of the axes in a fixed order (the first --grid varies slowest, the last fastest), and `--shard I/N`, which takes
 * the runs k with k mod N = I − 1, so N machines cover the grid and `cat` of their files is the whole sweep.
 *
 * Every value goes through the same validation as `--set`, and every combination is resolved before any run
 * starts: a bad grid fails at once, with one line naming the field, the value and what is allowed. An integer field
 * refuses an A:B:N whose spacing is not whole, naming the counts that would do: rounding and dropping duplicates
 * would silently change the grid's size, and with it every run index and shard.
 */
import { ConfigError, shortText } from '../model/config-error.ts';
import { FIELDS, isConfigPath, type ConfigPath } from '../model/config-schema.ts';
import type { RunConfig } from '../model/config.ts';
import { parseDecimal } from '../model/decimal.ts';
import { applyAssignments, getField } from '../model/set-path.ts';
import { UsageError } from './errors.ts';

export type GridValue = number | string | null;

export interface GridAxis {
  path: ConfigPath;
  values: GridValue[];
}

/** One run of the grid: its index in the grid's order, its value on each axis, and its resolved config. */
export interface GridRun {
  run: number;
  grid: Record<string, GridValue>;
  config: RunConfig;
}

/** A sweep larger than this is a typo (a stray zero in A:B:N), not a plan. */
export const MAX_GRID_RUNS = 100_000;

const RANGE = /^([^:]*):([^:]*):([^:]*)$/;

/** `key.path=A:B:N`'s values: N evenly spaced from A to B inclusive, at 12 significant digits (1:4:16 gives 1.2, not 1.2000000000000002). */
export function rangeValues(a: number, b: number, n: number): number[] {
  if (n === 1) return [a];
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? b : Number((a + (i * (b - a)) / (n - 1)).toPrecision(12))));
}

/** Counts N that give whole steps from a to b, nearest to `wanted` first (for the message that refuses a fractional one). */
function wholeCounts(a: number, b: number, wanted: number): number[] {
  const span = Math.abs(b - a);
  const counts: number[] = [];
  for (let d = 1; d <= span && counts.length < 1000; d++) if (span % d === 0) counts.push(span / d + 1);
  return counts.sort((p, q) => Math.abs(p - wanted) - Math.abs(q - wanted) || p - q).slice(0, 3).sort((p, q) => p - q);
}

function gridError(spec: string, what: string): UsageError {
  return new UsageError(`--grid ${shortText(spec)}: ${what}`);
}

/**
 * A field's value as --set reads it: the text through applyAssignments, the typed value back out. A value refused
 * only because of another field (data.name=csv before data.path is set) is kept: gridRuns checks the combinations.
 */
function fieldValue(base: RunConfig, path: ConfigPath, text: string, spec: string): GridValue {
  try {
    return getField(applyAssignments(base, [`${path}=${text}`]), path) as GridValue;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    if (e.path !== path && isConfigPath(path)) return text === 'null' ? null : (parseDecimal(text) ?? text);
    throw new ConfigError(e.path, e.value, e.allowed, `--grid ${shortText(spec)}: ${e.message}`);
  }
}

function parseRange(path: ConfigPath, spec: string, m: RegExpExecArray): number[] {
  const field = FIELDS[path];
  if (field.kind !== 'int' && field.kind !== 'number') throw gridError(spec, `A:B:N is for numbers; list the values of ${path} instead (${path}=V1,V2,…)`);
  const [a, b, n] = [m[1]!, m[2]!, m[3]!].map((t) => parseDecimal(t.trim()));
  if (a === undefined || b === undefined) throw gridError(spec, `A and B of A:B:N must be numbers (got ${m[1]} and ${m[2]})`);
  if (n === undefined || !Number.isInteger(n) || n < 1 || n > MAX_GRID_RUNS) throw gridError(spec, `N of A:B:N must be a whole count of values from 1 to ${MAX_GRID_RUNS} (got ${m[3]})`);
  if (n === 1 && a !== b) throw gridError(spec, `1 value from ${a} to ${b} is ambiguous: give N ≥ 2, or the one value (${path}=${a})`);
  const values = rangeValues(a, b, n);
  if (field.kind === 'int' && Number.isInteger(a) && Number.isInteger(b) && !values.every(Number.isInteger)) {
    const counts = wholeCounts(a, b, n);
    const fix = counts.length ? `N = ${counts.join(', ')} give whole steps, or list the values (${path}=V1,V2,…)` : `list the values (${path}=V1,V2,…)`;
    throw gridError(spec, `${path} takes integers, but ${n} evenly spaced values from ${a} to ${b} are ${values.slice(0, 3).join(', ')}, …; ${fix}`);
  }
  return values;
}

/** One --grid flag: `key.path=V1,V2,…` or `key.path=A:B:N`, each value checked as --set would check it on `base`. */
export function parseGridSpec(spec: string, base: RunConfig): GridAxis {
  const eq = spec.indexOf('=');
  const key = (eq < 0 ? spec : spec.slice(0, eq)).trim();
  if (eq < 0 || key === '') throw gridError(spec, 'write key.path=V1,V2,… or key.path=A:B:N, e.g. model.depth=10:100:10');
  if (!isConfigPath(key)) fieldValue(base, key as ConfigPath, '0', spec); // throws set-path's "unknown field …, did you mean …?"
  const path = key as ConfigPath;
  const text = spec.slice(eq + 1).trim();
  const range = RANGE.exec(text);
  const texts = range ? parseRange(path, spec, range).map(String) : text.split(',').map((t) => t.trim());
  if (texts.some((t) => t === '')) throw gridError(spec, `an empty value in the list (write ${path}=V1,V2,… with no empty entries)`);
  if (texts.length > MAX_GRID_RUNS) throw gridError(spec, `${texts.length} values; at most ${MAX_GRID_RUNS}`);
  const values = texts.map((t) => fieldValue(base, path, t, spec));
  const seen = new Set<string>();
  for (const v of values) {
    const k = JSON.stringify(v);
    if (seen.has(k)) throw gridError(spec, `${path}=${String(v)} is listed twice (each value once: the grid would run it twice)`);
    seen.add(k);
  }
  return { path, values };
}

/** Every --grid flag, in order; an axis named twice is refused. */
export function parseGrid(specs: readonly string[], base: RunConfig): GridAxis[] {
  if (specs.length === 0) throw new UsageError('gradscope sweep needs at least one --grid key.path=V1,V2,… (or key.path=A:B:N)');
  const axes = specs.map((s) => parseGridSpec(s, base));
  const paths = new Set<string>();
  for (const a of axes) {
    if (paths.has(a.path)) throw new UsageError(`--grid ${a.path} is given twice; list all its values in one --grid`);
    paths.add(a.path);
  }
  const total = gridSize(axes);
  if (total > MAX_GRID_RUNS) throw new UsageError(`the grid has ${total} runs (${axes.map((a) => a.values.length).join(' × ')}); at most ${MAX_GRID_RUNS}`);
  return axes;
}

export function gridSize(axes: readonly GridAxis[]): number {
  return axes.reduce((n, a) => n * a.values.length, 1);
}

/** Run k's value on each axis: k in mixed radix, the last axis the fastest digit. */
export function gridPoint(axes: readonly GridAxis[], k: number): Record<string, GridValue> {
  const digits = new Array<GridValue>(axes.length);
  let rest = k;
  for (let i = axes.length - 1; i >= 0; i--) {
    const values = axes[i]!.values;
    digits[i] = values[rest % values.length]!;
    rest = Math.floor(rest / values.length);
  }
  return Object.fromEntries(axes.map((a, i) => [a.path, digits[i]!]));
}

function assignments(grid: Record<string, GridValue>): string[] {
  return Object.entries(grid).map(([path, v]) => `${path}=${v === null ? 'null' : String(v)}`);
}

/**
 * Every run's config: `base` with `pinned` (--set, --steps, --every) and then the run's grid values, in one
 * applyAssignments so that a grid over model.arch keeps what --set pinned. All are resolved, so a combination the
 * config refuses (a ResNet's depth, say) fails before the first run, naming the run.
 */
export function gridRuns(base: RunConfig, pinned: readonly string[], axes: readonly GridAxis[]): GridRun[] {
  return Array.from({ length: gridSize(axes) }, (_, run) => {
    const grid = gridPoint(axes, run);
    try {
      return { run, grid, config: applyAssignments(base, [...pinned, ...assignments(grid)]) };
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      throw new ConfigError(e.path, e.value, e.allowed, `--grid run ${run} (${assignments(grid).join(' ')}): ${e.message}`);
    }
  });
}

export interface Shard {
  /** 1-based, as Slurm's array ids and CI matrices count. */
  index: number;
  count: number;
}

/** `--shard I/N`: 1 ≤ I ≤ N. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && count <= MAX_GRID_RUNS && index >= 1 && index <= count)) {
    throw new UsageError(`--shard must be I/N with 1 ≤ I ≤ N ≤ ${MAX_GRID_RUNS} (got ${JSON.stringify(shortText(text))}); shard I of N runs the runs k with k mod N = I − 1`);
  }
  return { index, count };
}

/** The run indices shard I/N takes: k with k mod N = I − 1, in order. */
export function shardRuns(total: number, shard: Shard): number[] {
  const out: number[] = [];
  for (let k = shard.index - 1; k < total; k += shard.count) out.push(k);
  return out;
}
