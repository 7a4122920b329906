import { describe, expect, it } from 'vitest';
import { chunkStride, logStride, nearestSpeed, nextGoal, speedLabel, stepsThisFrame } from '../../src/ui/session/pacing.ts';

/** The steps at which a run records, frame by frame, from step 0 at a fixed speed until the goal. */
function simulate(speed: number, goal: number, frames = 10_000, from = 0): { records: number[]; frames: number } {
  let step = from;
  const records: number[] = [];
  let f = 0;
  for (; f < frames && step < goal; f++) {
    const n = stepsThisFrame({ step, speed, frame: f, goal });
    if (n > 0) records.push((step += n));
  }
  return { records, frames: f };
}

describe('pacing', () => {
  it('at 4 steps per frame, records land on multiples of 4 (after step 1) and the run stops at train.steps', () => {
    const { records } = simulate(4, 1000);
    expect(records.slice(0, 4)).toEqual([1, 4, 8, 12]);
    expect(records.at(-1)).toBe(1000);
    expect(records.slice(1).every((s) => s % 4 === 0)).toBe(true);
    expect(records).toHaveLength(251);
    expect([chunkStride(0, 4), chunkStride(1, 4)]).toEqual([1, 4]);
  });

  it('a goal off the stride ends on the goal itself, as the CLI logs train.steps', () => {
    expect(simulate(64, 1000).records.slice(-2)).toEqual([960, 1000]);
  });

  it('after a single step (→) a frame runs only to the next multiple, so alignment survives', () => {
    expect(simulate(4, 20, 100, 9).records).toEqual([12, 16, 20]);
  });

  it('slow motion: 1/4 step per frame is one step, recorded, every fourth frame', () => {
    const { records, frames } = simulate(1 / 4, 10);
    expect(records).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(frames).toBe(37);
    expect(logStride(1 / 8)).toBe(1);
  });

  it('Continue extends the goal by train.steps from wherever the run is', () => {
    expect(nextGoal(0, 1000)).toBe(1000);
    expect(nextGoal(1000, 1000)).toBe(2000);
    expect(nextGoal(1003, 1000)).toBe(2000);
  });

  it('speeds read as fractions and typed values snap to an offered one', () => {
    expect([1 / 8, 1 / 2, 4].map(speedLabel)).toEqual(['1/8', '1/2', '4']);
    expect(nearestSpeed(5)).toBe(4);
    expect(nearestSpeed(0.2)).toBe(1 / 4);
    expect(nearestSpeed(1000)).toBe(64);
    expect(nearestSpeed(NaN)).toBe(4);
  });
});
