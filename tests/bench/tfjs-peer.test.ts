import { describe, expect, it } from 'vitest';
import { benchTfjsMatmul, withTfjsRatios } from '../../src/bench/tfjs-peer.ts';
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

  it('puts each of our square matmuls against TF.js at the same size', () => {
    const ours: BenchResult = { name: 'matmul/vec4', shape: [8, 8, 8], ok: true, maxRelErr: 0, gflops: 6 };
    const peer: BenchResult = { name: 'peer/tfjs-webgpu', shape: [8, 8, 8], ok: true, maxRelErr: 0, gflops: 1.5 };
    const [withRatio] = withTfjsRatios([ours, peer]);
    expect(withRatio!.detail?.vsTfjs).toBe(4);
  });
});
