import { describe, expect, it } from 'vitest';
import { gridPoint, gridRuns, gridSize, parseGrid, parseGridSpec, parseShard, rangeValues, shardRuns, type GridAxis } from '../../src/cli/grid.ts';
import { defaultConfig } from '../../src/model/config.ts';

const base = defaultConfig();

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('--grid specs', () => {
  it('A:B:N is N evenly spaced values from A to B inclusive', () => {
    expect(parseGridSpec('model.depth=10:100:10', base).values).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    const s = parseGridSpec('model.init.sigmaW2=1:4:16', base).values;
    expect(s).toHaveLength(16);
    expect(s).toEqual([1, 1.2, 1.4, 1.6, 1.8, 2, 2.2, 2.4, 2.6, 2.8, 3, 3.2, 3.4, 3.6, 3.8, 4]);
    expect(rangeValues(0.1, 0.3, 3)).toEqual([0.1, 0.2, 0.3]);
    expect(parseGridSpec('train.lr=1e-3:1e-1:2', base).values).toEqual([0.001, 0.1]);
    expect(parseGridSpec('model.depth=100:10:4', base).values).toEqual([100, 70, 40, 10]);
    expect(parseGridSpec('model.depth=5:5:1', base).values).toEqual([5]);
  });

  it('lists are typed as --set types them', () => {
    expect(parseGridSpec('model.activation=relu, tanh', base)).toEqual({ path: 'model.activation', values: ['relu', 'tanh'] });
    expect(parseGridSpec('model.depth=3,1,2', base).values).toEqual([3, 1, 2]);
    expect(parseGridSpec('seed=1', base).values).toEqual([1]);
  });

  it('refuses bad specs with one line that names the field and what is allowed', () => {
    expect(message(() => parseGridSpec('model.width=8,10000', base))).toBe('--grid model.width=8,10000: model.width must be an integer from 1 to 4096 (got 10000)');
    expect(message(() => parseGridSpec('model.dpeth=1,2', base))).toMatch(/^--grid model\.dpeth=1,2: unknown field model\.dpeth \(did you mean model\.depth\?\)$/);
    expect(message(() => parseGridSpec('model.activation=relu,swish', base))).toMatch(/model\.activation must be one of/);
    expect(message(() => parseGridSpec('model.depth', base))).toMatch(/write key\.path=V1,V2,… or key\.path=A:B:N/);
    expect(message(() => parseGridSpec('model.depth=1,,2', base))).toMatch(/an empty value/);
    expect(message(() => parseGridSpec('model.depth=2,2', base))).toMatch(/model\.depth=2 is listed twice/);
    expect(message(() => parseGridSpec('model.activation=a:b:3', base))).toMatch(/A:B:N is for numbers/);
    expect(message(() => parseGridSpec('model.depth=1:10:2.5', base))).toMatch(/N of A:B:N must be a whole count/);
    expect(message(() => parseGridSpec('model.depth=1:10:1', base))).toMatch(/ambiguous/);
    expect(message(() => parseGridSpec('model.init.sigmaW2=0:4:5', base))).toMatch(/model\.init\.sigmaW2 must be a number above 0 and at most 100 \(got 0\)/);
    // An integer field refuses fractional spacing, and says which counts would work.
    expect(message(() => parseGridSpec('model.depth=1:10:3', base))).toBe(
      '--grid model.depth=1:10:3: model.depth takes integers, but 3 evenly spaced values from 1 to 10 are 1, 5.5, 10, …; N = 2, 4, 10 give whole steps, or list the values (model.depth=V1,V2,…)',
    );
    expect(message(() => parseGrid(['model.depth=1,2', 'model.depth=3'], base))).toMatch(/--grid model\.depth is given twice/);
    expect(message(() => parseGrid([], base))).toMatch(/needs at least one --grid/);
    expect(message(() => parseGrid(['seed=0:99999:100000', 'model.depth=1,2'], base))).toMatch(/the grid has 200000 runs \(100000 × 2\)/);
  });
});

describe('the grid order', () => {
  const axes: GridAxis[] = [
    { path: 'model.init.sigmaW2', values: [1, 2] },
    { path: 'model.depth', values: [1, 2, 3] },
  ];

  it('is the product with the first --grid slowest', () => {
    expect(gridSize(axes)).toBe(6);
    expect(Array.from({ length: 6 }, (_, k) => gridPoint(axes, k))).toEqual([
      { 'model.init.sigmaW2': 1, 'model.depth': 1 },
      { 'model.init.sigmaW2': 1, 'model.depth': 2 },
      { 'model.init.sigmaW2': 1, 'model.depth': 3 },
      { 'model.init.sigmaW2': 2, 'model.depth': 1 },
      { 'model.init.sigmaW2': 2, 'model.depth': 2 },
      { 'model.init.sigmaW2': 2, 'model.depth': 3 },
    ]);
  });

  it('resolves every run, with --set pinned under the grid, and names the run a combination breaks', () => {
    const runs = gridRuns(base, ['model.width=8', 'model.depth=9'], axes);
    expect(runs.map((r) => [r.run, r.config.model.init.sigmaW2, r.config.model.depth, r.config.model.width])).toEqual([
      [0, 1, 1, 8], [1, 1, 2, 8], [2, 1, 3, 8], [3, 2, 1, 8], [4, 2, 2, 8], [5, 2, 3, 8],
    ]);
    // A ResNet's depth must be 6n + 2: depth 9 is fine for the MLP, refused for the ResNet.
    const arch: GridAxis[] = [{ path: 'model.arch', values: ['mlp', 'resnet'] }];
    expect(message(() => gridRuns(base, ['model.depth=9'], arch))).toMatch(/^--grid run 1 \(model\.arch=resnet\): model\.depth/);
  });
});

describe('--shard I/N', () => {
  it('partitions the grid: every run in exactly one shard, for several N', () => {
    for (const total of [1, 7, 40, 160]) {
      for (const n of [1, 2, 3, 8, 13, 200]) {
        const parts = Array.from({ length: n }, (_, i) => shardRuns(total, { index: i + 1, count: n }));
        const all = parts.flat().sort((a, b) => a - b);
        expect(all, `${total} runs in ${n} shards`).toEqual(Array.from({ length: total }, (_, k) => k));
        parts.forEach((p, i) => p.forEach((k) => expect(k % n).toBe(i)));
      }
    }
    expect(shardRuns(40, parseShard('3/8'))).toEqual([2, 10, 18, 26, 34]);
  });

  it('refuses what is not I/N with 1 ≤ I ≤ N', () => {
    expect(parseShard(' 3 / 8 ')).toEqual({ index: 3, count: 8 });
    for (const bad of ['0/8', '9/8', '3', '3/0', '-1/2', 'a/b', '1.5/3', '']) expect(message(() => parseShard(bad))).toMatch(/^--shard must be I\/N with 1 ≤ I ≤ N/);
  });
});
