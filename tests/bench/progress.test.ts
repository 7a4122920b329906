import { describe, expect, it } from 'vitest';
import { finishedLine, formatRemaining, planLine, progressLine, remainingSeconds } from '../../src/bench/progress.ts';

describe('the suite progress line', () => {
  it('reads like [12/84] matmul/vec4 512 · ~3 min left, counting the case that starts from 1', () => {
    expect(progressLine({ done: 11, total: 84, id: 'matmul/vec4 512', elapsedS: 100, remainingS: 170 })).toBe('[12/84] matmul/vec4 512 · ~3 min left');
    expect(progressLine({ done: 0, total: 3, id: 'peak/fma', elapsedS: 0, remainingS: 2 })).toBe('[1/3] peak/fma · < 5 s left');
  });

  it('rounds the time left to what an estimate can claim', () => {
    expect(formatRemaining(3)).toBe('< 5 s');
    expect(formatRemaining(42)).toBe('~40 s');
    expect(formatRemaining(58)).toBe('~1 min');
    expect(formatRemaining(549)).toBe('~9 min');
    expect(formatRemaining(3900)).toBe('~1 h 05 min');
    expect(formatRemaining(NaN)).toBe('?');
  });

  it('ends with how many cases took how long', () => {
    expect(finishedLine(1, 3.24)).toBe('1 case in 3.2 s');
    expect(finishedLine(84, 492.4)).toBe('84 cases in 8 min 12 s');
  });

  it('says before the run how long it will take, and what --quick would save when it saves much', () => {
    expect(planLine({ cases: 161, seconds: 434 }, { cases: 144, seconds: 190 })).toBe(
      '161 cases, ~7 min on a CPU adapter like the reference (less on a GPU); --quick runs 144 of them in ~3 min',
    );
    expect(planLine({ cases: 3, seconds: 4 }, { cases: 3, seconds: 4 })).toBe('3 cases, < 5 s on a CPU adapter like the reference (less on a GPU)');
  });
});

describe('the time left', () => {
  const priors = [10, 10, 10, 10];

  it('is the sum of the priors before anything ran, and zero when all ran', () => {
    expect(remainingSeconds(priors, [])).toBe(40);
    expect(remainingSeconds(priors, [5, 5, 5, 5])).toBe(0);
  });

  it('stretches when this machine runs slower than the reference, and shrinks when faster', () => {
    const slow = remainingSeconds(priors, [30, 30]);
    const fast = remainingSeconds(priors, [2, 2]);
    expect(slow).toBeGreaterThan(20);
    expect(fast).toBeLessThan(20);
    // The prior's weight damps the first few seconds, and a long run converges on the pace it measured.
    expect(slow).toBeLessThan(20 * 3);
    const long = Array.from({ length: 100 }, () => 10);
    expect(remainingSeconds(long, Array.from({ length: 90 }, () => 30))).toBeCloseTo(10 * 10 * 3, -1);
  });
});
