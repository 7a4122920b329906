import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunLog } from '../../src/io/jsonl.ts';
import { parseSweepLog } from '../../src/io/sweep-log.ts';
import { cli, spawnCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gradscope-sweep-'));
const at = (name: string): string => join(dir, name);

/** A network so small a run is about its start-up: the grid's cost is the device's, once. */
const TINY = ['--set', 'model.width=8', '--set', 'data.samples=64', '--set', 'train.batchSize=16', '--set', 'model.init.scheme=meanfield', '--steps', '3'];
const GRID = ['--grid', 'model.init.sigmaW2=1,2', '--grid', 'model.depth=1,2'];

const summaryLines = (path: string): number => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.includes('"type":"summary"')).length : 0);

async function until(test: () => boolean, timeoutMs = 40_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('gradscope sweep', () => {
  it('two shards cover the grid once; cat of their files is the sweep; a run matches gradscope train', async () => {
    const [a, b] = await Promise.all([
      cli(['sweep', ...TINY, ...GRID, '--shard', '1/2', '--out', at('part1.jsonl')]),
      cli(['sweep', ...TINY, ...GRID, '--shard', '2/2', '--out', at('part2.jsonl')]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    // Not a terminal: one progress line per finished run, with the grid point, the result and the time left.
    expect(a.stderr).toMatch(/^run 1\/4 \(shard 1\/2: 1\/2\) · sigmaW2=1 depth=1 · trainAccuracy [\d.]+ · ETA \d+s\nrun 3\/4 \(shard 1\/2: 2\/2\) · sigmaW2=2 depth=1 · trainAccuracy [\d.]+ · ETA 0s\n$/);
    expect(a.stdout).toBe(`2 of 2 runs (shard 1/2 of 4), 0 diverged, in ${at('part1.jsonl')}\n`);
    expect(existsSync(at('part1.jsonl.partial'))).toBe(false);
    const text = readFileSync(at('part1.jsonl'), 'utf8') + readFileSync(at('part2.jsonl'), 'utf8');
    // Two lines a run, config then summary, each with its run and grid: no step or eval lines.
    expect(text.trim().split('\n').map((l) => [JSON.parse(l).type, JSON.parse(l).run])).toEqual([
      ['config', 0], ['summary', 0], ['config', 2], ['summary', 2], ['config', 1], ['summary', 1], ['config', 3], ['summary', 3],
    ]);
    const { runs, unfinished } = parseSweepLog(text);
    expect(unfinished).toBe(0);
    const byRun = [...runs].sort((p, q) => p.run - q.run);
    expect(byRun.map((r) => r.grid)).toEqual([
      { 'model.init.sigmaW2': 1, 'model.depth': 1 },
      { 'model.init.sigmaW2': 1, 'model.depth': 2 },
      { 'model.init.sigmaW2': 2, 'model.depth': 1 },
      { 'model.init.sigmaW2': 2, 'model.depth': 2 },
    ]);
    for (const r of byRun) {
      expect(r.config).toMatchObject({ model: { depth: r.grid['model.depth'], width: 8, init: { scheme: 'meanfield', sigmaW2: r.grid['model.init.sigmaW2'] } }, train: { steps: 3 } });
      expect(r.summary).toMatchObject({ steps: 3, diverged: null });
      expect(r.summary['trainAccuracy']).toBeGreaterThanOrEqual(0);
      expect(r.summary['trainAccuracy']).toBeLessThanOrEqual(1);
      expect(Number.isFinite(r.summary['trainLoss'])).toBe(true);
    }
    // σ_w² changes the mean-field init, so it changes the run.
    expect(byRun[1]!.summary['finalLoss']).not.toBe(byRun[3]!.summary['finalLoss']);

    // The sweep trains with train's own loop: the same config gives the same numbers, trainAccuracy included.
    const log = at('run3.jsonl');
    const t = await cli(['train', ...TINY, '--set', 'model.init.sigmaW2=2', '--set', 'model.depth=2', '--log', log]);
    expect(t.code, t.stderr).toBe(0);
    const s = parseRunLog(readFileSync(log, 'utf8')).summary!;
    const fields = ['finalLoss', 'testLoss', 'testAccuracy', 'trainLoss', 'trainAccuracy'] as const;
    expect(Object.fromEntries(fields.map((f) => [f, s[f]]))).toEqual(Object.fromEntries(fields.map((f) => [f, byRun[3]!.summary[f]])));
  });

  it('refuses a bad grid before any run, naming the field, and writes nothing', async () => {
    const bad: [string[], RegExp][] = [
      [['--grid', 'model.width=8,10000'], /^gradscope: --grid model\.width=8,10000: model\.width must be an integer from 1 to 4096 \(got 10000\)$/],
      [['--grid', 'model.depth=1:10:3'], /^gradscope: --grid model\.depth=1:10:3: model\.depth takes integers, but 3 evenly spaced values from 1 to 10 are 1, 5\.5, 10, …/],
      [['--set', 'model.depth=9', '--grid', 'model.arch=mlp,resnet'], /^gradscope: --grid run 1 \(model\.arch=resnet\): /],
      [['--grid', 'model.depth=1,2', '--shard', '3/2'], /^gradscope: --shard must be I\/N with 1 ≤ I ≤ N/],
      [['--grid', 'data.samples=64,16'], /^gradscope: run 1 \(samples=16\): train\.batchSize must be at most 13, the number of training samples \(got 16\)$/],
      [[], /^gradscope: gradscope sweep needs at least one --grid/],
    ];
    for (const [i, [args, expected]] of bad.entries()) {
      const out = at(`bad${i}.jsonl`);
      const r = await cli(['sweep', ...TINY, ...args, '--out', out]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim()).toMatch(expected);
      expect(existsSync(out) || existsSync(`${out}.partial`), args.join(' ')).toBe(false);
    }
  });

  it('a shard with no runs writes an empty file', async () => {
    const r = await cli(['sweep', ...TINY, '--grid', 'model.depth=1,2', '--shard', '3/3', '--out', at('empty.jsonl')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(at('empty.jsonl'), 'utf8')).toBe('');
    expect(r.stdout).toBe(`0 of 0 runs (shard 3/3 of 2), 0 diverged, in ${at('empty.jsonl')}\n`);
  });

  it('SIGINT keeps the finished runs, whole, and exits 130', async () => {
    const out = at('stopped.jsonl');
    const run = spawnCli(['sweep', ...TINY, '--steps', '40', '--grid', 'model.depth=1:12:12', '--out', out]);
    await until(() => summaryLines(`${out}.partial`) >= 2);
    run.child.kill('SIGINT');
    const r = await run.result;
    expect(r.code, r.stderr).toBe(130);
    expect(existsSync(`${out}.partial`)).toBe(false);
    const { runs, unfinished } = parseSweepLog(readFileSync(out, 'utf8'));
    expect(unfinished).toBe(0);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.length).toBeLessThan(12);
    expect(runs.map((x) => x.run)).toEqual(runs.map((_, k) => k));
    for (const x of runs) expect(x.summary['steps']).toBe(40);
    expect(r.stdout).toMatch(new RegExp(`^${runs.length} of 12 runs, 0 diverged, in .*stopped\\.jsonl \\(interrupted\\)\\n$`));
  });
});
