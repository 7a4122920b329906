import { describe, expect, it } from 'vitest';
import { benchJaxStep, JAX_LOSS_TOLERANCE, JAX_UPDATE_TOLERANCE, jaxStepName, withJaxRatio, withJaxRatios, type JaxStepCase } from '../../src/bench/jax-peer.ts';
import { stepText } from '../../src/bench/format.ts';
import type { BenchResult } from '../../src/bench/result.ts';
import { planSuite } from '../../src/bench/suite.ts';
import { testContext } from '../helpers/gpu.ts';

const TINY: JaxStepCase = { depth: 3, width: 8, batch: 4 };

describe('the jax-js peer of the step benchmark', () => {
  it('names its rows beside ours and runs just before our step at depth 100', () => {
    expect(jaxStepName('webgpu', { depth: 100, width: 128, batch: 128 })).toBe('step/jax-webgpu-depth100-width128');
    const ids = planSuite({ filter: /^step\/(jax-\w+-)?depth100-width128$/ }).map((e) => e.id);
    expect(ids).toEqual(['peak/fma', 'peak/copy', 'step/jax-webgpu-depth100-width128', 'step/jax-wasm-depth100-width128', 'step/depth100-width128']);
  });

  it('trains our network on jax-js’s WebGPU device, from our adapter, gated against float64, and times it', async () => {
    const ctx = await testContext();
    const r = await benchJaxStep(ctx, 'webgpu', TINY, { maxSteps: 3 });
    expect(r.detail?.skipped, String(r.detail?.skipped)).toBeUndefined();
    expect(r.ok, JSON.stringify(r.detail)).toBe(true);
    expect(r.name).toBe('step/jax-webgpu-depth3-width8');
    expect(r.detail?.lossRelErr).toBeLessThanOrEqual(JAX_LOSS_TOLERANCE);
    expect(r.detail?.updateRelErr).toBeLessThanOrEqual(JAX_UPDATE_TOLERANCE);
    expect(r.detail?.adapter).toBe(ctx.gpu.adapter.description);
    expect(r.detail?.samples).toBe(3);
    expect(r.ms).toBeGreaterThan(0);
    // Four layers' forward, backward and update: more kernels than layers, each submitted alone.
    expect(r.detail?.dispatchesPerStep).toBeGreaterThan(4);
    expect(r.detail?.submitsPerStep).toBe(r.detail?.dispatchesPerStep);
    expect(r.detail?.encodeMs).toBeGreaterThan(0);
  });

  it('does the same on its Wasm device, on the host', async () => {
    const ctx = await testContext();
    const r = await benchJaxStep(ctx, 'wasm', TINY, { maxSteps: 3 });
    expect(r.ok, JSON.stringify(r.detail)).toBe(true);
    expect(r.maxRelErr).toBeLessThanOrEqual(JAX_UPDATE_TOLERANCE);
    expect(r.detail?.threads).toBe(1);
    expect(r.detail?.dispatchesPerStep).toBeGreaterThan(4);
    expect(r.detail?.encodeMs).toBeUndefined();
  });

  it('fails the gate, and reports no figures, when its step does not make float64 SGD’s update', async () => {
    const ctx = await testContext();
    // Twice the learning rate: the same first loss, an update twice too big.
    const r = await benchJaxStep(ctx, 'wasm', TINY, { maxSteps: 3, stepLr: 0.02 });
    expect(r.ok).toBe(false);
    expect(r.detail?.lossRelErr).toBeLessThanOrEqual(JAX_LOSS_TOLERANCE);
    expect(r.detail?.updateRelErr).toBeCloseTo(1, 3);
    expect(r.maxRelErr).toBe(r.detail?.updateRelErr);
    expect(r.ms).toBeUndefined();
  });

  it('gives our step rows jax-js’s ms per step over ours, by depth and width, and prints them', () => {
    const ours: BenchResult = { name: 'step/depth100-width128-nostats', shape: [100, 128, 128], ok: true, maxRelErr: 0, ms: 500, detail: { dispatchesPerStep: 405, encodeMs: 2.5 } };
    const gpu: BenchResult = { name: 'step/jax-webgpu-depth100-width128', shape: [100, 128, 128], ok: true, maxRelErr: 0, ms: 1000 };
    const wasm: BenchResult = { ...gpu, name: 'step/jax-wasm-depth100-width128', ms: 250 };
    const other: BenchResult = { ...gpu, name: 'step/jax-wasm-depth3-width8', ms: 1 };
    const withRatios = withJaxRatio(ours, [gpu, wasm, other]);
    expect(withRatios.detail).toMatchObject({ vsJaxWebgpu: 2, vsJaxWasm: 0.5 });
    expect(stepText(withRatios)).toBe('405 dispatches · encode 2.50 ms · 2.00× jax-js WebGPU · 0.50× jax-js Wasm');
    // The peers' own rows get no ratio, and a failed peer gives none.
    const [, g] = withJaxRatios([ours, gpu]);
    expect(g!.detail?.vsJaxWebgpu).toBeUndefined();
    const failed: BenchResult = { name: gpu.name, shape: gpu.shape, ok: false, maxRelErr: Number.NaN };
    expect(withJaxRatio(ours, [failed]).detail?.vsJaxWebgpu).toBeUndefined();
  });
});
