import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../../src/stats/record.ts';
import { depthAxis, depthSeries, profileSeries } from '../../src/ui/gs-depth-chart/depth-data.ts';
import { describeTime, timeAxis, timeNote, timeSplits, timeValues } from '../../src/ui/gs-depth-chart/time-data.ts';

/** A record of a recurrent net: `series[k][t]` is ‖∂L/∂h_t‖ of layer k. */
function record(step: number, series: number[][]): StepRecord {
  const rows = (v: number) => [v, v, v];
  return {
    step, loss: 0.2, accuracy: null, gradNormTotal: 1, clipScale: 1, nonFinite: false, stepMs: 1,
    gradNorm: rows(0.1), deltaNorm: rows(0.1), weightNorm: rows(1), updateRatio: rows(1e-3), actMean: rows(0), actStd: rows(1),
    saturated: rows(0), dead: rows(0), timeDeltaNorm: series,
  };
}

describe('the gradient-across-time chart', () => {
  it('puts t = 0 … T − 1 on x and draws the chosen layer of the newest step over the first one, in log10', () => {
    const first = record(1, [[1e-6, 1e-4, 1e-2, 1], [1e-3, 1e-2, 1e-1, 1]]);
    const latest = record(40, [[1e-8, 1e-5, 1e-2, 1], [1e-2, 1e-2, 1e-1, 1]]);
    const s = profileSeries(timeAxis(0, 2), first, latest);
    expect(s.x).toEqual([0, 1, 2, 3]);
    expect(s.depth).toBe(3);
    expect(s.latest.map((v) => Math.round(v!))).toEqual([-8, -5, -2, 0]);
    expect(s.ghost.map((v) => Math.round(v!))).toEqual([-6, -4, -2, 0]);
    expect(profileSeries(timeAxis(1, 2), first, latest).raw.latest).toEqual([1e-2, 1e-2, 1e-1, 1]);
  });

  it('leaves the steps truncated BPTT does not reach out of the line and says why, not "below the log scale"', () => {
    const s = profileSeries(timeAxis(0), null, record(9, [[0, 0, 0, 0.01, 0.1]]));
    expect(s.latest.slice(0, 3)).toEqual([null, null, null]);
    expect(timeAxis(0).note(s.hidden)).toBe('3 time steps with no gradient (past train.bptt): not drawn');
    expect(timeNote({ nonFinite: 1, nonPositive: 0 })).toBe('1 time step non-finite (NaN/Inf): shown as gaps');
    expect(describeTime(s, null)).toBe(
      'backward signal ‖∂L/∂h_t‖ by time step at step 9: t = 0 0, t = 4 0.1. 3 time steps with no gradient (past train.bptt): not drawn.',
    );
  });

  it('takes the top layer of a run with fewer layers (run B of another depth), and nothing from an MLP', () => {
    expect(timeValues({ timeDeltaNorm: [[1, 2]] }, 3)).toEqual([1, 2]);
    expect(timeValues({}, 0)).toBeUndefined();
    const { timeDeltaNorm: _, ...mlp } = record(2, []);
    const s = profileSeries(timeAxis(0), null, record(2, [[1, 2]]), mlp);
    expect(s.b).toEqual([null, null]);
  });

  it('names time steps on the axis and in the read-out, with the layer when there are several', () => {
    expect(timeSplits(11, 5)).toEqual([0, 5, 10]);
    expect(timeSplits(3, 0.4)).toEqual([0, 1, 2, 3]);
    expect([timeAxis(0).name(4, 11), timeAxis(1, 2).name(4, 11), timeAxis(0).tick(4, 11)]).toEqual(['t = 4', 'layer 1 · t = 4', '4']);
    expect(describeTime(profileSeries(timeAxis(1, 2), null, null), 1)).toBe('backward signal ‖∂L/∂h_t‖ of layer 1 by time step: no steps yet');
  });

  it('is the depth chart’s data with another axis: depthSeries is profileSeries along depth', () => {
    const r = record(3, [[1]]);
    expect(profileSeries(depthAxis('gradNorm', null), r, r)).toEqual(depthSeries(r, r, 'gradNorm'));
    expect(depthAxis('gradNorm', null).name(2, 2)).toBe('head');
  });
});
