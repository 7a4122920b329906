import { describe, expect, it } from 'vitest';
import { benchCase, type KernelCase } from '../../src/bench/kernel-bench.ts';
import { Rng } from '../../src/math/prng.ts';
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

describe('the matmul gate on shapes too big for a full float64 check', () => {
  it('samples entries of C: a right result passes, a wrong one does not', async () => {
    const { checkAgainstReference } = await import('../../src/bench/matmul-bench.ts');
    const [M, N, K] = [40, 30, 20];
    const rng = new Rng(9);
    const a = rng.fill(new Float32Array(M * K), () => rng.normal()) as Float32Array;
    const b = rng.fill(new Float32Array(K * N), () => rng.normal()) as Float32Array;
    const right = Float32Array.from(ref.matmul(a, b, M, N, K));
    expect(checkAgainstReference(right, a, b, { M, N, K }, new Rng(1), 0)).toBeLessThan(1e-6);
    const wrong = right.map((v, i) => (i % 3 === 0 ? v + 1 : v));
    expect(checkAgainstReference(wrong, a, b, { M, N, K }, new Rng(1), 0)).toBeGreaterThan(1e-2);
  });
});
