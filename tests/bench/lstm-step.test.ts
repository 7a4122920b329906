// The LSTM training-step case (rnn-bench.ts) and its TF.js peer (tfjs-lstm.ts) at a tiny size, through the same code
// as the suite's H 128, T 100, batch 128: build, the gated first step against the float64 LSTM, the timed steps.
import { describe, expect, it } from 'vitest';
import { benchLstmStep, LSTM_GATE_TOLERANCE, lstmForwardMacs, lstmStepName, type LstmStepCase } from '../../src/bench/rnn-bench.ts';
import type { BenchResult } from '../../src/bench/result.ts';
import { planSuite } from '../../src/bench/suite.ts';
import { benchTfjsLstm, plannedTfjsSteps, tfjsLstmName } from '../../src/bench/tfjs-lstm.ts';
import { withTfjsRatios } from '../../src/bench/tfjs-peer.ts';
import { testContext } from '../helpers/gpu.ts';

const TINY: LstmStepCase = { width: 8, length: 5, batch: 4 };
const ISSUE_10: LstmStepCase = { width: 128, length: 100, batch: 128 };

describe('the LSTM step benchmark', () => {
  it('names its cases after the ResNet steps, pairs them with TF.js by ms, and counts their work', () => {
    expect(lstmStepName(ISSUE_10)).toBe('step/lstm-w128-t100-b128');
    expect(tfjsLstmName(ISSUE_10)).toBe('peer/tfjs-lstm-w128-t100-b128');
    // Per sample and step, 4H·(2 + H) for the gates, then H for the head once.
    expect(lstmForwardMacs(ISSUE_10)).toBe(128 * (100 * 512 * 130 + 128));
    const ours: BenchResult = { name: lstmStepName(TINY), shape: [4, 5, 2], ok: true, maxRelErr: 0, ms: 100, gflops: 1 };
    const peer: BenchResult = { name: tfjsLstmName(TINY), shape: [4, 5, 2], ok: true, maxRelErr: 0, ms: 250, gflops: 0.4 };
    const other: BenchResult = { ...ours, name: 'step/resnet8-w4-b8' };
    const [a, p, r] = withTfjsRatios([ours, peer, other]);
    expect(a!.detail?.vsTfjs).toBe(2.5);
    expect([p!.detail?.vsTfjs, r!.detail?.vsTfjs]).toEqual([undefined, undefined]);
  });

  it('is a slow case of the suite with its TF.js peer beside it; a filter on lstm picks both', () => {
    const ids = planSuite({ filter: /lstm/ }).map((e) => e.id);
    expect(ids).toEqual(['peak/fma', 'peak/copy', 'step/lstm-w128-t100-b128', 'peer/tfjs-lstm-w128-t100-b128']);
    for (const e of planSuite({ filter: /lstm/ }).slice(2)) expect(e.slow && Number.isFinite(e.estimateS) && e.estimateS > 0, e.id).toBe(true);
    expect(planSuite({ quick: true, filter: /lstm/ }).map((e) => e.id)).toEqual(['peak/fma', 'peak/copy']);
    // TF.js takes 1 to 16 timed steps, as many as fit the budget (a CPU adapter's minutes-long step: 1).
    expect(plannedTfjsSteps(160_000).planned).toBe(1);
    expect(plannedTfjsSteps(10_000).planned).toBe(4);
    expect(plannedTfjsSteps(100).planned).toBe(16);
  });

  it('gates the first step against the float64 LSTM, then times logged and plain steps ABBA', async () => {
    const ctx = await testContext();
    // A budget any tiny step fits 4 pairs into, held to the minimum of 4 pairs.
    const r = await benchLstmStep(ctx, TINY, { budgetMs: 600_000, maxPairs: 4 });
    expect(r.name).toBe('step/lstm-w8-t5-b4');
    expect(r.ok, `gate: ${JSON.stringify(r.detail)}`).toBe(true);
    expect(r.maxRelErr).toBeLessThanOrEqual(LSTM_GATE_TOLERANCE);
    expect(r.shape).toEqual([4, 5, 2]);
    expect(r.ms).toBeGreaterThan(0);
    expect(r.gflops).toBeGreaterThan(0);
    expect(r.detail?.sequencesPerSecond).toBeCloseTo((1000 * 4) / r.ms!, 6);
    expect(r.detail?.case).toMatch(/ seq\/s$/);
    expect(r.detail?.timing).toBe('wall');
    expect([r.detail?.samples, r.detail?.samplesPlanned]).toEqual([4, 4]);
    expect(r.detail?.statsCostPct).toBeCloseTo((100 * (r.detail!.statsCostMs as number)) / r.ms!, 6);
    expect(r.detail?.refLoss).toEqual(expect.any(Number));
    // A recurrent layer records one forward and one backward dispatch per time step.
    expect(r.detail?.dispatchesPerStep).toBeGreaterThan(2 * TINY.length);
  });

  it('runs tf.layers.lstm on our device with our weights, gated on the same float64 LSTM, and times whole steps', async () => {
    const ctx = await testContext();
    const r = await benchTfjsLstm(ctx, TINY, { maxSteps: 3 });
    expect(r.detail?.skipped, String(r.detail?.skipped)).toBeUndefined();
    expect(r.ok, `gate: ${JSON.stringify(r.detail)}`).toBe(true);
    expect(r.name).toBe('peer/tfjs-lstm-w8-t5-b4');
    // Keras's LSTM with a sigmoid recurrent activation and the two PyTorch biases summed computes the same loss.
    expect(r.maxRelErr).toBeLessThan(1e-5);
    expect(r.shape).toEqual([4, 5, 2]);
    expect([r.detail?.samples, r.detail?.samplesPlanned]).toEqual([3, 3]);
    expect(r.msMin).toBeLessThanOrEqual(r.ms!);
    expect(r.detail?.sequencesPerSecond).toBeCloseTo((1000 * 4) / r.ms!, 6);
    expect(r.detail?.leakedTensors).toBe(0);
    expect(r.detail?.fewerSteps).toBeUndefined();
  }, 300_000);
});
