// The ResNet training-step case (resnet-bench.ts) on a tiny ResNet through the same code as the suite's
// ResNet-20 and ResNet-56: build, the gated first step against the float64 graph forward, the timed steps.
import { describe, expect, it } from 'vitest';
import { benchResnetStep, forwardMacs, RESNET_GATE_TOLERANCE, resnetStepGraph, resnetStepName, type ResnetStepCase } from '../../src/bench/resnet-bench.ts';
import { SLOW_STEP_SAMPLES, stepTimingPlan } from '../../src/bench/step-bench.ts';
import { planSuite } from '../../src/bench/suite.ts';
import { testContext } from '../helpers/gpu.ts';

const TINY: ResnetStepCase = { depth: 8, width: 4, batch: 8 };

describe('the ResNet step benchmark', () => {
  it('names its cases and counts their work', () => {
    expect(resnetStepName({ depth: 20, width: 16, batch: 128 })).toBe('step/resnet20-b128');
    expect(resnetStepName(TINY)).toBe('step/resnet8-w4-b8');
    // ResNet-20 on 32×32×3: 40.55 M multiply-adds an image (He et al. quote ~41 M).
    const macs = forwardMacs(resnetStepGraph({ depth: 20, width: 16, batch: 1 }), 1);
    expect(macs).toBeGreaterThan(40e6);
    expect(macs).toBeLessThan(41e6);
  });

  it('plans ABBA pairs when 4 fit the budget, else 3 plain steps; the suite runs both ResNets as slow cases', () => {
    // SwiftShader: ResNet-20 at batch 128 takes ~40 s a step.
    expect(stepTimingPlan(40_000)).toEqual({ planned: SLOW_STEP_SAMPLES, steps: SLOW_STEP_SAMPLES });
    expect(stepTimingPlan(5_000)).toEqual({ pairs: { min: 4, max: 16, planned: 4 }, planned: 4, steps: 8 });
    expect(stepTimingPlan(100).pairs?.planned).toBe(16);
    expect(stepTimingPlan(100, undefined, 4).pairs).toEqual({ min: 4, max: 4, planned: 4 });
    const [r20, r56] = ['step/resnet20-b128', 'step/resnet56-b128'].map((id) => planSuite({ filter: /^step\/resnet/ }).find((e) => e.id === id));
    expect(r20?.slow && r56?.slow).toBe(true);
    // ResNet-56 does about three times ResNet-20's work.
    expect(r56!.estimateS / r20!.estimateS).toBeGreaterThan(2.5);
    expect(r56!.estimateS / r20!.estimateS).toBeLessThan(3.5);
  });

  it('gates the first step, then times plain steps when pairs do not fit the budget', async () => {
    const ctx = await testContext();
    // A zero budget: the slow path every CPU adapter takes at batch 128.
    const r = await benchResnetStep(ctx, TINY, { budgetMs: 0 });
    expect(r.name).toBe('step/resnet8-w4-b8');
    expect(r.ok).toBe(true);
    expect(r.maxRelErr).toBeLessThanOrEqual(RESNET_GATE_TOLERANCE);
    expect(r.shape).toEqual([8, 32, 32, 3]);
    expect(r.ms).toBeGreaterThan(0);
    expect(r.gflops).toBeGreaterThan(0);
    expect(r.detail?.timing).toBe('wall');
    expect(r.detail?.samples).toBe(SLOW_STEP_SAMPLES);
    expect(r.detail?.samplesPlanned).toBe(SLOW_STEP_SAMPLES);
    expect(r.detail?.imagesPerSecond).toBeCloseTo((1000 * 8) / r.ms!, 6);
    expect(r.detail?.dispatchesPerStep).toBeGreaterThan(50);
    expect(r.detail?.encodeMs).toBeGreaterThan(0);
    expect(r.detail?.statsCost).toMatch(/^not measured/);
    expect(r.detail?.statsCostPct).toBeUndefined();
  });

  it('alternates logged and plain steps ABBA when pairs fit the budget, and reports the statistics cost', async () => {
    const ctx = await testContext();
    // A budget any tiny step fits 4 pairs into (a real GPU at batch 128), held to the minimum of 4 pairs.
    const r = await benchResnetStep(ctx, TINY, { budgetMs: 600_000, maxPairs: 4 });
    expect(r.ok).toBe(true);
    expect(r.maxRelErr).toBeLessThanOrEqual(RESNET_GATE_TOLERANCE);
    expect(r.detail?.samples).toBe(4);
    expect(r.detail?.samplesPlanned).toBe(4);
    expect(r.detail?.statsCostMs).toEqual(expect.any(Number));
    expect(r.detail?.statsCostPct).toBeCloseTo((100 * (r.detail!.statsCostMs as number)) / r.ms!, 6);
    expect(r.detail?.loggedMs).toBeGreaterThan(0);
    expect(r.detail?.statsCost).toBeUndefined();
  });
});
