import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { adapterKey } from '../bench/autotune.ts';
import type { AdapterSummary } from '../gpu/device.ts';
import { badTuningEntries, tunedTiling, type TilingChoice } from '../kernels/tunables.ts';
import { UsageError } from './errors.ts';
import { replaceFile } from './output-file.ts';

/** Where `gradscope bench --tune` keeps its choices, per adapter: GRADSCOPE_TUNING, else ~/.cache/gradscope. */
export function tuningPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.GRADSCOPE_TUNING ?? join(homedir(), '.cache', 'gradscope', 'matmul-tuning.json');
}

type TuningFile = Record<string, Record<string, string>>;

/** A tuning file is a few kilobytes; anything far larger is not one (and /dev/zero must not be read forever). */
const MAX_TUNING_BYTES = 1 << 20;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The whole file: adapter key → (shape key → tiling name). No file yet is an empty table; a file that is
 * not one is a one-line UsageError naming the path, the entry and the fix (train and grads would otherwise
 * run with tilings nobody chose).
 */
function readAll(path: string): TuningFile {
  let text: string;
  try {
    text = readFileSync(path, { encoding: 'utf8', flag: 'r' }).slice(0, MAX_TUNING_BYTES + 1);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw broken(path, `cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (text.length > MAX_TUNING_BYTES) throw broken(path, `it is larger than ${MAX_TUNING_BYTES >> 10} KiB`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw broken(path, 'it is not JSON');
  }
  if (!isObject(data)) throw broken(path, 'it must be a JSON object of adapters');
  for (const [adapter, table] of Object.entries(data)) {
    if (!isObject(table)) throw broken(path, `adapter ${JSON.stringify(adapter)} must map shapes to tiling names`);
    const bad = badTuningEntries(table);
    if (bad.length) throw broken(path, `entry ${bad[0]} is not a shape and a matmul tiling name`);
  }
  return data as TuningFile;
}

function broken(path: string, why: string): UsageError {
  return new UsageError(`tuning file ${path}: ${why}; delete it, or run gradscope bench --tune to write a new one`);
}

/** This adapter's table (shapeKey → tiling name), or null when it has not been tuned. */
export function readTuning(adapter: AdapterSummary, path = tuningPath()): Record<string, string> | null {
  const all = readAll(path);
  const key = adapterKey(adapter);
  return Object.hasOwn(all, key) ? all[key]! : null;
}

/** Merge this adapter's new choices into the file; a damaged file is replaced rather than merged. */
export function writeTuning(adapter: AdapterSummary, table: Record<string, string>, path = tuningPath()): void {
  let all: TuningFile;
  try {
    all = readAll(path);
  } catch {
    all = {};
  }
  const key = adapterKey(adapter);
  all[key] = { ...(Object.hasOwn(all, key) ? all[key] : {}), ...table };
  mkdirSync(dirname(path), { recursive: true });
  replaceFile(path, JSON.stringify(all, null, 2) + '\n', 'tuning file');
}

/** The engine option for this adapter's autotuned matmul tilings (`gradscope bench --tune`), when it has any. */
export function tuning(adapter: AdapterSummary): { tiling?: TilingChoice } {
  const table = readTuning(adapter);
  return table ? { tiling: tunedTiling(table) } : {};
}
