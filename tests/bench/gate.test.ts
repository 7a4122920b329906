import { describe, expect, it } from 'vitest';
import { benchCase, type KernelCase } from '../../src/bench/kernel-bench.ts';
import { Rng } from '../../src/gpu/prng.ts';
import { readF32, upload, zeros } from '../../src/gpu/transfer.ts';
import { activationForward } from '../../src/kernels/activation.ts';
import * as ref from '../../src/reference/index.ts';
import { testContext } from '../helpers/gpu.ts';

const N = 4096;

/** A case whose kernel computes `act` while the check expects gelu. */
function caseFor(act: 'gelu' | 'relu'): KernelCase {
  return {
    name: `test/${act}-as-gelu`,
    shape: [N],
    tolerance: 1e-5,
    async build(ctx) {
      const rng = new Rng(1);
      const u = rng.fill(new Float32Array(N), () => rng.normal() * 2) as Float32Array;
      const out = zeros(ctx, N);
      const d = await activationForward(ctx, act, N, { u: upload(ctx, u), out });
      const check = async () => {
        const got = await readF32(ctx, out, N);
        const want = ref.activationForward('gelu', u);
        let e = 0;
        for (let i = 0; i < N; i++) e = Math.max(e, Math.abs(got[i]! - want[i]!));
        return e;
      };
      return { dispatches: [d], check, bytes: 8 * N };
    },
  };
}

describe('the benchmark correctness gate', () => {
  it('reports a wrong kernel as wrong, with no speed figures', async () => {
    const ctx = await testContext();
    const r = await benchCase(ctx, caseFor('relu'));
    expect(r.ok).toBe(false);
    expect(r.maxRelErr).toBeGreaterThan(1e-3);
    expect(r.ms).toBeUndefined();
    expect(r.gbps).toBeUndefined();
  });

  it('times a right one', async () => {
    const ctx = await testContext();
    const r = await benchCase(ctx, caseFor('gelu'));
    expect(r.ok).toBe(true);
    expect(r.ms).toBeGreaterThan(0);
    expect(r.gbps).toBeGreaterThan(0);
  });
});
