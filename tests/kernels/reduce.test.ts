import { expectSpecMatchesWgsl } from '../helpers/specs.ts';
import { describe, expect, it } from 'vitest';
import type { KernelContext } from '../../src/gpu/context.ts';
import { Rng } from '../../src/math/prng.ts';
import { readF32, upload, zeros } from '../../src/gpu/transfer.ts';
import {
  createScalars,
  finalizeGradNorm,
  finalizeSpec,
  planSegments,
  SCALARS,
  sumSquares,
  sumSquaresSpec,
  type ClipMode,
  type Segment,
  unitFloats,
} from '../../src/kernels/reduce.ts';
import * as ref from '../../src/reference/index.ts';
import { expectClose, randn, run, testContext } from '../helpers/gpu.ts';

/**
 * Segments of these lengths separated by random gaps of nonzero filler, as arena padding might hold. With
 * `aligned` every segment starts on a vec4 (the vec4 pass), and the filler after it is still nonzero.
 */
function layout(rng: Rng, lengths: readonly number[], aligned = false): { x: Float32Array; segments: Segment[] } {
  const segments: Segment[] = [];
  let offset = 0;
  for (const length of lengths) {
    offset += rng.int(70);
    if (aligned) offset = Math.ceil(offset / 4) * 4;
    segments.push({ offset, length });
    offset += length;
  }
  return { x: randn(rng, offset + rng.int(70)), segments };
}

/** got[s] / want[s], so every segment (not just the largest) is held to the relative tolerance. */
function ratios(got: Float32Array, want: Float64Array): Float64Array {
  return Float64Array.from(want, (w, s) => (w === 0 ? (got[s] === 0 ? 1 : NaN) : got[s]! / w));
}

async function gpuSums(ctx: KernelContext, x: Float32Array, segments: Segment[]): Promise<Float32Array> {
  const out = zeros(ctx, segments.length);
  await run(ctx, ...(await sumSquares(ctx, { x: upload(ctx, x), segments, out })));
  return readF32(ctx, out, segments.length);
}

function checkSums(got: Float32Array, x: Float32Array, segments: Segment[], label: string): void {
  const want = ref.segmentedSumSquares(x, segments).map(Math.sqrt);
  expectClose(ratios(got, want), new Float64Array(want.length).fill(1), 1e-4, label);
}


describe('segment plan (pure)', () => {
  it('cuts every segment into units of about √n floats (multiples of 64), at least one', () => {
    expect([0, 1, 4096, 4097, 16384, 1 << 20, 1 << 24].map(unitFloats)).toEqual([64, 64, 64, 128, 128, 1024, 4096]);
    const plan = planSegments(
      [
        { offset: 0, length: 0 },
        { offset: 0, length: 1 },
        { offset: 5, length: 16384 },
        { offset: 8, length: 16385 },
      ],
      16384 + 9,
    );
    expect(plan.units).toBe(1 + 1 + 128 + 86);
    expect(plan.aligned).toBe(false);
    expect(Array.from(plan.table)).toEqual([0, 0, 0, 1, 0, 1, 1, 1, 5, 16384, 2, 128, 8, 16385, 130, 86]);
    expect(planSegments([{ offset: 8, length: 3 }, { offset: 64, length: 1 }], 100).aligned).toBe(true);
  });

  it('refuses segments outside the buffer and an empty table, naming the segment', () => {
    expect(() => planSegments([{ offset: 3, length: 8 }], 10)).toThrow(/segments\[0\].*10 floats/);
    expect(() => planSegments([{ offset: 1.5, length: 1 }], 10)).toThrow(/segments\[0\]/);
    expect(() => planSegments([], 10)).toThrow(/empty/);
  });

  it('specs match the WGSL bindings', () => {
    for (const spec of [sumSquaresSpec('units'), sumSquaresSpec('segments'), finalizeSpec('norm'), sumSquaresSpec('clamped_units')]) expectSpecMatchesWgsl(spec, { names: true });
    expectSpecMatchesWgsl(sumSquaresSpec('units4'));
    // The widest pass binds every binding the module declares.
    expectSpecMatchesWgsl(sumSquaresSpec('split_units'), { names: true, exhaustive: true });
  });
});

describe('segmented sum of squares against the float64 reference', () => {
  for (const aligned of [false, true]) {
    it(`awkward lengths, from empty to one segment of 1M floats, in one dispatch (${aligned ? 'vec4' : 'scalar'} pass)`, async () => {
      const ctx = await testContext();
      const lengths = [1, 3, 17, 63, 65, 255, 257, 10000, 1_000_000, 0, 16384, 16385, 2];
      const { x, segments } = layout(new Rng(5), lengths, aligned);
      expect(planSegments(segments, x.length).aligned).toBe(aligned);
      checkSums(await gpuSums(ctx, x, segments), x, segments, 'awkward lengths');
    });
  }

  it('the vec4 pass ignores a NaN just past a segment’s end', async () => {
    const ctx = await testContext();
    const x = randn(new Rng(7), 64);
    x[13] = NaN;
    const segments = [{ offset: 0, length: 13 }, { offset: 16, length: 48 }];
    const got = await gpuSums(ctx, x, segments);
    checkSums(got, x, segments, 'NaN next door');
  });

  it('2,000 segments of mixed length, deterministic across runs', async () => {
    const ctx = await testContext();
    const rng = new Rng(9);
    const lengths = Array.from({ length: 2000 }, () => (rng.int(10) === 0 ? 1 + rng.int(20000) : 1 + rng.int(300)));
    const { x, segments } = layout(rng, lengths);
    const first = await gpuSums(ctx, x, segments);
    checkSums(first, x, segments, '2000 segments');
    expect(Array.from(await gpuSums(ctx, x, segments)), 'same sums bit for bit').toEqual(Array.from(first));
  });

  it('more than 65535 units fold into dispatch y', async () => {
    const ctx = await testContext();
    const rng = new Rng(13);
    const { x, segments } = layout(new Rng(13), Array.from({ length: 66_000 }, () => 1 + rng.int(3)));
    checkSums(await gpuSums(ctx, x, segments), x, segments, '66000 segments');
  });

  it('two chunks write one sums buffer at different bases', async () => {
    const ctx = await testContext();
    const rng = new Rng(17);
    const a = layout(rng, [5, 300, 9000]);
    const b = layout(rng, [70, 1]);
    const out = zeros(ctx, 5);
    const first = await sumSquares(ctx, { x: upload(ctx, a.x), segments: a.segments, out });
    const second = await sumSquares(ctx, { x: upload(ctx, b.x), segments: b.segments, out, outBase: 3 });
    await run(ctx, ...first, ...second);
    const want = Float64Array.from([...ref.segmentedSumSquares(a.x, a.segments), ...ref.segmentedSumSquares(b.x, b.segments)].map(Math.sqrt));
    expectClose(ratios(await readF32(ctx, out, 5), want), new Float64Array(5).fill(1), 1e-4, 'two chunks');
    await expect(sumSquares(ctx, { x: upload(ctx, b.x), segments: b.segments, out, outBase: 4 })).rejects.toThrow(/out holds 5/);
  });
});

describe('finalize: global norm, clip scale, non-finite flag, step counter', () => {
  async function finalizeOnce(ctx: KernelContext, x: Float32Array, segments: Segment[], mode: ClipMode, tau: number, scalars = createScalars(ctx)) {
    const sums = zeros(ctx, segments.length);
    const clip = ctx.paramBlock([tau], [true]);
    const fin = await finalizeGradNorm(ctx, mode, { sums, count: segments.length, scalars, clip });
    await run(ctx, ...(await sumSquares(ctx, { x: upload(ctx, x), segments, out: sums })), fin);
    return { scalars, got: await readF32(ctx, scalars, 4) };
  }

  it('matches clipByNormScale on both sides of τ; none and value modes leave the scale at 1', async () => {
    const ctx = await testContext();
    const { x, segments } = layout(new Rng(21), [1, 257, 10000, 3]);
    const grads = Float64Array.from(segments.flatMap(({ offset, length }) => Array.from(x.subarray(offset, offset + length))));
    const norm = ref.clipByNormScale(grads, 1).total;
    for (const [mode, tau] of [['norm', 0.3 * norm], ['norm', 2 * norm], ['none', 0.3 * norm], ['value', 0.3 * norm]] as const) {
      const { got } = await finalizeOnce(ctx, x, segments, mode, tau);
      const want = ref.clipByNormScale(grads, tau);
      const label = `${mode} τ=${tau.toFixed(2)}`;
      expectClose([got[SCALARS.gradNorm]!], [want.total], 1e-5, `${label} norm`);
      expectClose([got[SCALARS.clipScale]!], [mode === 'norm' ? want.scale : 1], 1e-5, `${label} scale`);
      expect([got[SCALARS.nonFinite], got[SCALARS.step]], label).toEqual([0, 1]);
    }
  });

  it('flags NaN and Inf, holds the step counter, and counts again once finite', async () => {
    const ctx = await testContext();
    const { x, segments } = layout(new Rng(23), [17, 5000, 64]);
    const scalars = createScalars(ctx);
    await finalizeOnce(ctx, x, segments, 'norm', 1, scalars);
    for (const bad of [NaN, Infinity, -Infinity]) {
      const y = x.slice();
      y[segments[1]!.offset + 4000] = bad;
      const { got } = await finalizeOnce(ctx, y, segments, 'norm', 1, scalars);
      expect(got[SCALARS.nonFinite], `flag for ${bad}`).toBe(1);
      expect(got[SCALARS.step], `step held for ${bad}`).toBe(1);
      expect(got[SCALARS.clipScale], `scale for ${bad}`).toBe(1);
      expect(Number.isFinite(got[SCALARS.gradNorm]), `norm for ${bad}`).toBe(false);
    }
    const { got } = await finalizeOnce(ctx, x, segments, 'norm', 1, scalars);
    expect([got[SCALARS.nonFinite], got[SCALARS.step]]).toEqual([0, 2]);
  });
});

describe('norms across the whole f32 range', () => {
  it('keeps a layer of 1e-25 gradients and one of 1e25 exact (their squares would under- and overflow)', async () => {
    const ctx = await testContext();
    const rng = new Rng(31);
    const n = 5000;
    const x = new Float32Array(3 * n);
    for (let i = 0; i < n; i++) {
      x[i] = rng.normal() * 1e-25;
      x[n + i] = rng.normal();
      x[2 * n + i] = rng.normal() * 1e25;
    }
    x[2 * n + 7] = 1e-30; // a tiny entry beside huge ones must not break the big branch
    const segments = [0, 1, 2].map((k) => ({ offset: k * n, length: n }));
    const got = await gpuSums(ctx, x, segments);
    const want = ref.segmentedSumSquares(Float64Array.from(x), segments).map(Math.sqrt);
    for (let k = 0; k < 3; k++) expect(Math.abs(got[k]! - want[k]!) / want[k]!, `segment ${k}`).toBeLessThan(1e-5);
  });
});
