import { describe, expect, it } from 'vitest';
import { configLine, evalLine, parseRunLog, RunLogError, stepLine, summaryLine } from '../../src/io/jsonl.ts';
import type { RunSummary, StepRecord } from '../../src/stats/record.ts';

const adapter = { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader' };

function record(step: number, overrides: Partial<StepRecord> = {}): StepRecord {
  return {
    step,
    loss: 1 / (step + 1),
    accuracy: 0.5,
    gradNormTotal: 0.3,
    clipScale: 1,
    nonFinite: false,
    stepMs: 2.5,
    gradNorm: [0.1, 0.2, 0.3],
    deltaNorm: [0.01, 0.02, 0.5],
    weightNorm: [4, 8, 2],
    updateRatio: [1e-3, 1e-3, 2e-3],
    actMean: [0.4, 0.5, -0.1],
    actStd: [0.9, 1, 1.2],
    saturated: [0, 0, 0],
    dead: [0.05, 0.1, 0],
    ...overrides,
  };
}

const summary: RunSummary = {
  steps: 2,
  finalLoss: 0.5,
  finalAccuracy: 0.75,
  testLoss: 0.6,
  testAccuracy: null,
  diverged: { step: 1, layer: null, what: 'loss is NaN' },
  diagnosis: [{ kind: 'exploding', finding: 'The loss became NaN.', fix: 'Clip.', patch: { 'train.clip.mode': 'norm', 'train.lr': 0.001 }, layers: [2] }],
  stepsPerSecond: 120.5,
};

function log(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

const header = configLine({ config: { seed: 1, model: { depth: 2 } }, adapter, version: '0.1.0', commit: 'abc123' });

describe('run log lines', () => {
  it('start with their type', () => {
    expect(JSON.parse(header)).toMatchObject({ type: 'config', version: '0.1.0', adapter });
    expect(stepLine(record(0)).startsWith('{"type":"step","step":0,')).toBe(true);
    expect(summaryLine(summary).startsWith('{"type":"summary",')).toBe(true);
    expect(stepLine(record(0))).not.toContain('\n');
  });

  it('round-trip through parseRunLog', () => {
    const steps = [record(0), record(1, { accuracy: null })];
    const parsed = parseRunLog(log(header, ...steps.map(stepLine), summaryLine(summary)));
    expect(parsed.config).toEqual({ type: 'config', config: { seed: 1, model: { depth: 2 } }, adapter, version: '0.1.0', commit: 'abc123' });
    expect(parsed.steps).toEqual(steps);
    expect(parsed.summary).toEqual(summary);
  });

  it('write non-finite numbers as null and read them back as NaN', () => {
    const bad = record(3, { loss: NaN, gradNormTotal: Infinity, nonFinite: true, gradNorm: [NaN, -Infinity, 0.3] });
    const text = stepLine(bad);
    expect(text).toContain('"loss":null');
    expect(text).toContain('"gradNorm":[null,null,0.3]');
    const back = parseRunLog(log(header, text)).steps[0]!;
    expect(back.loss).toBeNaN();
    expect(back.gradNormTotal).toBeNaN();
    expect(back.gradNorm[0]).toBeNaN();
    expect(back.gradNorm[1]).toBeNaN();
    expect(back.gradNorm[2]).toBe(0.3);
    expect(back.nonFinite).toBe(true);
  });

  it('read a log whose run stopped before its summary', () => {
    expect(parseRunLog(log(header, stepLine(record(0)))).summary).toBeNull();
  });
});

describe('parseRunLog errors name the line', () => {
  const cases: [string, string, RegExp][] = [
    ['malformed JSON', log(header, '{"type":"step",'), /^run log line 2: not JSON/],
    ['a non-object line', log(header, '[1]'), /^run log line 2: not a JSON object/],
    ['an unknown type', log(header, '{"type":"epoch"}'), /^run log line 2: type must be "config", "step", "eval" or "summary" \(got "epoch"\)/],
    ['a missing config', log(stepLine(record(0))), /^run log line 1: the log must start with a config line/],
    ['a second config', log(header, header), /^run log line 2: a second config line/],
    ['a line after the summary', log(header, summaryLine(summary), stepLine(record(0))), /^run log line 3: a step line after the summary/],
    ['a step without a loss', log(header, stepLine(record(0)).replace('"loss":1,', '')), /^run log line 2: "loss" must be a number/],
    ['ragged per-layer arrays', log(header, stepLine(record(0, { dead: [0] }))), /"dead" has 1 entries but "gradNorm" has 3/],
    ['a config without an adapter vendor', log(header.replace('"vendor":"google",', '')), /^run log line 1: adapter: "vendor" must be a string/],
    ['a bad diagnosis kind', log(header, summaryLine({ ...summary, diagnosis: [{ ...summary.diagnosis[0]!, kind: 'odd' as 'healthy' }] })), /line 2: diagnosis\[0\]: "kind" must be one of/],
  ];
  for (const [name, text, message] of cases) {
    it(`for ${name}`, () => {
      expect(() => parseRunLog(text)).toThrow(RunLogError);
      expect(() => parseRunLog(text)).toThrow(message);
    });
  }

  it('for an empty log', () => expect(() => parseRunLog('\n', 'runs/a.jsonl')).toThrow(/^runs\/a\.jsonl: no config line$/));
});

describe('numbers every reader parses', () => {
  // pandas' read_json takes a literal without '.' or an exponent for an int64 and refuses one past
  // 9.2e18 ("Value is too big!"); JavaScript prints whole floats below 1e21 exactly that way.
  const INT_LITERAL = /(?<![\w.eE+-])-?\d+(?![\d.eE])/g;
  const int64 = 2n ** 63n;

  it('writes whole floats beyond 2^53 in exponent form, so no integer literal leaves int64', () => {
    const exploding = record(3, { actMean: [373839932038316000, 3.7e19, -2e19], actStd: [1e20, 9.3e18, 5e-324], gradNorm: [2 ** 53, 2 ** 53 - 1, 0] });
    const text = stepLine(exploding);
    expect(text).not.toContain('37000000000000000000');
    for (const m of text.matchAll(INT_LITERAL)) {
      const n = BigInt(m[0]);
      expect(n < int64 && n >= -int64, `integer literal ${m[0]} in ${text.slice(0, 80)}…`).toBe(true);
    }
    const back = parseRunLog(log(header, text)).steps[0]!;
    expect(back.actMean).toEqual(exploding.actMean);
    expect(back.actStd).toEqual(exploding.actStd);
    expect(back.gradNorm).toEqual(exploding.gradNorm);
  });

  it('writes exactly what JSON.stringify writes for everything else', () => {
    const r = record(5, { accuracy: null, stepMs: 0.1 + 0.2 });
    expect(stepLine(r)).toBe(JSON.stringify({ type: 'step', ...r }));
    expect(summaryLine(summary)).toBe(JSON.stringify({ type: 'summary', ...summary }));
  });

  it('reads eval lines and an interrupted summary back', () => {
    const text = log(header, stepLine(record(1)), evalLine({ step: 1, loss: 0.5, accuracy: null }), summaryLine({ ...summary, interrupted: true }));
    const back = parseRunLog(text);
    expect(back.evals).toEqual([{ step: 1, loss: 0.5, accuracy: null }]);
    expect(back.summary?.interrupted).toBe(true);
  });
});
