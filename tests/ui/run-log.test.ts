import { describe, expect, it } from 'vitest';
import { parseRunLog } from '../../src/io/jsonl.ts';
import { resolveConfig } from '../../src/model/config.ts';
import type { StepRecord } from '../../src/stats/record.ts';
import { RunLog } from '../../src/ui/gs-app/run-log.ts';
import { chunkStride, stepsThisFrame } from '../../src/ui/session/pacing.ts';

const ADAPTER = { vendor: 'v', architecture: 'a', device: 'd', description: 'x' };
const record = (step: number): StepRecord => ({
  step, loss: 1, accuracy: 0.5, gradNormTotal: 1, clipScale: 1, nonFinite: false, stepMs: 1,
  gradNorm: [1], deltaNorm: [1], weightNorm: [1], updateRatio: [1], actMean: [0], actStd: [1], saturated: [0], dead: [0],
});

/** The page's frames at `speed` from `from` to `to`, recorded into `log` as the controller hands them over. */
function play(log: RunLog, speed: number, from: number, to: number): number {
  let step = from;
  for (let f = 0; step < to; f++) {
    const n = stepsThisFrame({ step, speed, frame: f, goal: to });
    if (n === 0) continue;
    const stride = chunkStride(step, speed);
    log.add('A', record((step += n)), stride);
  }
  return step;
}

describe('the page run log', () => {
  const config = resolveConfig({ train: { steps: 1000 } });

  it('says the stride it logged at: 4 steps per frame exports log.every 4 and every 4th step', () => {
    const log = new RunLog();
    play(log, 4, 0, 40);
    const { config: line, steps } = parseRunLog(log.jsonl(config, ADAPTER));
    expect((line.config['log'] as { every: number }).every).toBe(4);
    expect(steps.map((s) => s.step)).toEqual([4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
  });

  it('after a change of speed, the export keeps the coarsest stride, which every part of the run has', () => {
    const log = new RunLog();
    let step = play(log, 4, 0, 64);
    step = play(log, 16, step, 128);
    play(log, 1 / 2, step, 140);
    const { config: line, steps } = parseRunLog(log.jsonl(config, ADAPTER));
    const every = (line.config['log'] as { every: number }).every;
    expect(every).toBe(16);
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 8 }, (_, i) => 16 * (i + 1)));
  });

  it('exports run B as a log of its own, with its own config and records', () => {
    const log = new RunLog();
    const b = resolveConfig({ train: { steps: 1000 }, model: { residual: 'identity' } });
    log.add('A', record(1));
    log.add('B', { ...record(1), loss: 7 });
    log.add('B', { ...record(2), loss: 6 });
    const parsed = parseRunLog(log.jsonl(b, ADAPTER, 'B'));
    expect((parsed.config.config['model'] as { residual: string }).residual).toBe('identity');
    expect(parsed.steps.map((r) => r.loss)).toEqual([7, 6]);
    expect(parseRunLog(log.jsonl(config, ADAPTER)).steps.map((r) => r.loss)).toEqual([1]);
  });
});
