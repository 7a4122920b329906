import { describe, expect, it } from 'vitest';
import { benchTfjsConv, benchTfjsMatmul, withTfjsRatios } from '../../src/bench/tfjs-peer.ts';
import type { BenchResult } from '../../src/bench/result.ts';
import { testContext } from '../helpers/gpu.ts';

describe('the TensorFlow.js peer comparison', () => {
  it('runs TF.js’s WebGPU matmul on our device, checked against the reference, and timed', async () => {
    const ctx = await testContext();
    const r = await benchTfjsMatmul(ctx, 64);
    expect(r.detail?.skipped, String(r.detail?.skipped)).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.maxRelErr).toBeLessThan(1e-5);
    expect(r.gflops).toBeGreaterThan(0);
  });

  it('runs TF.js’s convolution and both of its gradients on our device, with our padding, checked against the reference', async () => {
    const ctx = await testContext();
    // Stride 2 with pad 1 on an odd image: TF.js's 'same' padding would differ from ours here; its numeric pad does not.
    const c = { label: 'small', shape: { batch: 2, H: 7, W: 6, Cin: 3, Cout: 5, KH: 3, KW: 3, stride: 2, pad: 1 } };
    for (const pass of ['forward', 'input', 'weights'] as const) {
      const r = await benchTfjsConv(ctx, pass, c);
      expect(r.detail?.skipped, String(r.detail?.skipped)).toBeUndefined();
      expect(r.ok, `${pass}: max rel err ${r.maxRelErr}`).toBe(true);
      expect(r.maxRelErr).toBeLessThan(1e-5);
      expect(r.name).toBe(`peer/tfjs-conv-${pass}`);
    }
  });

  it('puts each of our square matmuls against TF.js at the same size', () => {
    const ours: BenchResult = { name: 'matmul/vec4', shape: [8, 8, 8], ok: true, maxRelErr: 0, gflops: 6 };
    const peer: BenchResult = { name: 'peer/tfjs-webgpu', shape: [8, 8, 8], ok: true, maxRelErr: 0, gflops: 1.5 };
    const [withRatio] = withTfjsRatios([ours, peer]);
    expect(withRatio!.detail?.vsTfjs).toBe(4);
    // Conv passes pair by pass and shape, never across.
    const conv: BenchResult = { name: 'conv/reg-input', shape: [2, 8, 8, 3, 4, 1], ok: true, maxRelErr: 0, gflops: 3 };
    const conv2: BenchResult = { ...conv, name: 'conv/reg-weights' };
    const tfIn: BenchResult = { ...conv, name: 'peer/tfjs-conv-input', gflops: 2 };
    const [a, b, p] = withTfjsRatios([conv, conv2, tfIn]);
    expect([a!.detail?.vsTfjs, b!.detail?.vsTfjs, p!.detail?.vsTfjs]).toEqual([1.5, undefined, undefined]);
  });
});
