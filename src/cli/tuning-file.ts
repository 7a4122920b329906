import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { adapterKey } from '../bench/autotune.ts';
import type { AdapterSummary } from '../gpu/device.ts';

/** Where `gradscope bench --tune` keeps its choices, per adapter: GRADSCOPE_TUNING, else ~/.cache/gradscope. */
export function tuningPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.GRADSCOPE_TUNING ?? join(homedir(), '.cache', 'gradscope', 'matmul-tuning.json');
}

type TuningFile = Record<string, Record<string, string>>;

function readAll(path: string): TuningFile {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return data && typeof data === 'object' ? (data as TuningFile) : {};
  } catch {
    return {}; // no file yet, or an unreadable one: tuning is an optimization, never a requirement
  }
}

/** This adapter's table (shapeKey → tiling name), or null when it has not been tuned. */
export function readTuning(adapter: AdapterSummary, path = tuningPath()): Record<string, string> | null {
  return readAll(path)[adapterKey(adapter)] ?? null;
}

export function writeTuning(adapter: AdapterSummary, table: Record<string, string>, path = tuningPath()): void {
  const all = readAll(path);
  all[adapterKey(adapter)] = { ...all[adapterKey(adapter)], ...table };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(all, null, 2) + '\n');
}
