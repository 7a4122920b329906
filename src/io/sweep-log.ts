/**
 * The sweep JSONL of DESIGN.md (`gradscope sweep --out`): per run, its config line and its summary line, each with
 * `"run": k` (the index in the grid's order) and `"grid": {"key.path": value, …}`. Shards are `cat`-merged, so a
 * file may hold any runs in any order, the same run twice (the same shard merged twice), and step or eval lines
 * (skipped). A run's summary pairs with the nearest config line before it that has the same `run` and grid.
 */
import type { RunSummary } from '../stats/record.ts';
import { toJson, type ConfigLine } from './jsonl.ts';

export type SweepGrid = Record<string, number | string | null>;

/** One finished run of a sweep: its resolved config and its summary as written (every field, known or new). */
export interface SweepRun {
  run: number;
  grid: SweepGrid;
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
  /** `FILE line N` of its summary line, for messages. */
  where: string;
}

export interface SweepLog {
  runs: SweepRun[];
  /** Config lines no summary followed (a run cut off mid-way): left out of `runs`. */
  unfinished: number;
}

export class SweepLogError extends Error {
  override name = 'SweepLogError';
}

export function sweepConfigLine(run: number, grid: SweepGrid, line: Omit<ConfigLine, 'type'>): string {
  return toJson({ type: 'config', run, grid, ...line });
}

export function sweepSummaryLine(run: number, grid: SweepGrid, summary: RunSummary): string {
  return toJson({ type: 'summary', run, grid, ...summary });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseLine(raw: string, where: string, last: boolean): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    const cut = last ? ' (the last line, cut off: was the sweep killed while writing? delete that line)' : '';
    throw new SweepLogError(`${where}: not JSON${cut} (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isObject(value)) throw new SweepLogError(`${where}: not a JSON object`);
  return value;
}

/** The line's run index and grid; a line without them is from another kind of file, and the message says so. */
function runOf(obj: Record<string, unknown>, where: string): { run: number; grid: SweepGrid } {
  const { run, grid } = obj;
  if (run === undefined && grid === undefined) {
    throw new SweepLogError(`${where}: a ${String(obj['type'])} line with no "run" and "grid": not a sweep file (gradscope train --log writes a run log; plot reads what gradscope sweep --out writes)`);
  }
  if (typeof run !== 'number' || !Number.isInteger(run) || run < 0) throw new SweepLogError(`${where}: "run" must be a whole number ≥ 0 (got ${JSON.stringify(run)})`);
  if (!isObject(grid) || !Object.values(grid).every((v) => v === null || typeof v === 'number' || typeof v === 'string')) {
    throw new SweepLogError(`${where}: "grid" must be an object of key.path → number or string`);
  }
  return { run, grid: grid as SweepGrid };
}

/** Read one sweep file (or several `cat`-merged). Blank lines are skipped; a malformed line throws with its line number. */
export function parseSweepLog(text: string, source = 'sweep'): SweepLog {
  const runs: SweepRun[] = [];
  // Config lines waiting for their summary, by run index and grid.
  const pending = new Map<string, Record<string, unknown>>();
  const lines = text.split('\n');
  let lastLine = lines.length - 1;
  while (lastLine > 0 && lines[lastLine]!.trim() === '') lastLine--;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const where = `${source} line ${i + 1}`;
    const obj = parseLine(raw, where, i === lastLine && !text.endsWith('\n'));
    const type = obj['type'];
    if (type !== 'config' && type !== 'summary') {
      if (type === 'step' || type === 'eval') continue;
      throw new SweepLogError(`${where}: type must be "config" or "summary" (or "step", "eval"; got ${JSON.stringify(type)})`);
    }
    const { run, grid } = runOf(obj, where);
    const key = `${run} ${JSON.stringify(grid)}`;
    if (type === 'config') {
      if (!isObject(obj['config'])) throw new SweepLogError(`${where}: a config line needs the resolved config in "config"`);
      pending.set(key, obj['config']);
      continue;
    }
    const config = pending.get(key);
    if (config === undefined) throw new SweepLogError(`${where}: the summary of run ${run} has no config line with the same run and grid before it`);
    pending.delete(key);
    if (typeof obj['steps'] !== 'number') throw new SweepLogError(`${where}: a summary line needs "steps" (a number)`);
    const { type: _, run: __, grid: ___, ...summary } = obj;
    runs.push({ run, grid, config, summary, where });
  }
  return { runs, unfinished: pending.size };
}
