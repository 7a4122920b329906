import { describe, expect, it } from 'vitest';
import { parseSweepLog, sweepConfigLine, sweepSummaryLine } from '../../src/io/sweep-log.ts';
import { defaultConfig } from '../../src/model/config.ts';
import type { RunSummary } from '../../src/stats/record.ts';

const adapter = { vendor: 'v', architecture: 'a', device: 'd', description: 'x' };

function summary(trainAccuracy: number | null, diverged = false): RunSummary {
  return {
    steps: 10,
    finalLoss: diverged ? NaN : 0.5,
    finalAccuracy: 0.8,
    testLoss: null,
    testAccuracy: null,
    trainLoss: 0.4,
    trainAccuracy,
    diverged: diverged ? { step: 3, layer: null, what: 'the loss is not finite' } : null,
    diagnosis: [],
    stepsPerSecond: 12.5,
  };
}

function lines(run: number, depth: number, acc: number | null): string {
  const grid = { 'model.depth': depth };
  const config = { ...defaultConfig(), model: { ...defaultConfig().model, depth } };
  return `${sweepConfigLine(run, grid, { config: { ...config }, adapter, version: '0.1.0' })}\n${sweepSummaryLine(run, grid, summary(acc, acc === null))}\n`;
}

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('sweep JSONL', () => {
  it('writes run and grid on both lines and reads them back, every summary field kept', () => {
    const text = lines(0, 10, 0.75);
    const [config, sum] = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(config).toMatchObject({ type: 'config', run: 0, grid: { 'model.depth': 10 }, config: { model: { depth: 10 } } });
    expect(Object.keys(config).slice(0, 3)).toEqual(['type', 'run', 'grid']);
    expect(sum).toMatchObject({ type: 'summary', run: 0, grid: { 'model.depth': 10 }, trainAccuracy: 0.75 });
    const { runs, unfinished } = parseSweepLog(text, 'a.jsonl');
    expect(unfinished).toBe(0);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ run: 0, grid: { 'model.depth': 10 }, where: 'a.jsonl line 2' });
    expect(runs[0]!.summary).toMatchObject({ steps: 10, trainAccuracy: 0.75, trainLoss: 0.4, finalLoss: 0.5, diverged: null });
    expect(runs[0]!.summary).not.toHaveProperty('type');
    // A diverged run's NaN is written as null, and read as null.
    expect(parseSweepLog(lines(1, 20, null)).runs[0]!.summary).toMatchObject({ finalLoss: null, trainAccuracy: null, diverged: { step: 3 } });
  });

  it('reads cat-merged shards in any order, with step lines, blank lines and a run cut off', () => {
    const shard1 = lines(0, 10, 0.9) + '{"type":"step","step":1}\n' + lines(2, 30, 0.7);
    const shard2 = lines(3, 40, 0.6) + '\n' + lines(1, 20, null);
    const cut = sweepConfigLine(5, { 'model.depth': 60 }, { config: { ...defaultConfig() }, adapter, version: '0.1.0' }) + '\n';
    const { runs, unfinished } = parseSweepLog(shard2 + shard1 + cut);
    expect(runs.map((r) => r.run)).toEqual([3, 1, 0, 2]);
    expect(runs.map((r) => r.grid['model.depth'])).toEqual([40, 20, 10, 30]);
    expect(unfinished).toBe(1);
    // The same shard merged twice pairs each summary with its own config line.
    expect(parseSweepLog(shard1 + shard1).runs.map((r) => r.run)).toEqual([0, 2, 0, 2]);
  });

  it('names the line of anything malformed', () => {
    const good = lines(0, 10, 0.9);
    expect(message(() => parseSweepLog(good + '{"type":"summary", oops}\n', 's.jsonl'))).toMatch(/^s\.jsonl line 3: not JSON \(/);
    expect(message(() => parseSweepLog(good + '{"type":"config","run":1,"grid":{"model.depth":2},"con', 's.jsonl'))).toMatch(/^s\.jsonl line 3: not JSON \(the last line, cut off: was the sweep killed while writing\? delete that line\)/);
    expect(message(() => parseSweepLog(good + '[1,2]\n'))).toMatch(/^sweep line 3: not a JSON object$/);
    expect(message(() => parseSweepLog(good + '{"type":"weird","run":0,"grid":{}}\n'))).toMatch(/^sweep line 3: type must be "config" or "summary"/);
    expect(message(() => parseSweepLog(good + '{"type":"summary","run":1.5,"grid":{},"steps":1}\n'))).toMatch(/^sweep line 3: "run" must be a whole number ≥ 0 \(got 1\.5\)$/);
    expect(message(() => parseSweepLog(good + '{"type":"summary","run":1,"grid":{"a":[1]},"steps":1}\n'))).toMatch(/^sweep line 3: "grid" must be an object/);
    expect(message(() => parseSweepLog(good + '{"type":"summary","run":7,"grid":{"model.depth":10},"steps":1}\n'))).toMatch(/^sweep line 3: the summary of run 7 has no config line with the same run and grid before it$/);
    expect(message(() => parseSweepLog('{"type":"config","run":0,"grid":{},"config":{}}\n{"type":"summary","run":0,"grid":{}}\n'))).toMatch(/line 2: a summary line needs "steps"/);
    // A train run log is not a sweep file, and the message says what is.
    expect(message(() => parseSweepLog('{"type":"config","config":{},"adapter":{},"version":"1"}\n', 'run.jsonl'))).toMatch(/^run\.jsonl line 1: a config line with no "run" and "grid": not a sweep file \(gradscope train --log writes a run log/);
  });
});
