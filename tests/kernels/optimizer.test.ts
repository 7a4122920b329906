import { expectSpecMatchesWgsl } from '../helpers/specs.ts';
import { describe, expect, it } from 'vitest';
import type { KernelContext } from '../../src/gpu/context.ts';
import type { BufferRange } from '../../src/gpu/kernel.ts';
import { Rng } from '../../src/math/prng.ts';
import { readF32, upload, zeros } from '../../src/gpu/transfer.ts';
import { checkHyper, Optimizer, optimizerSpec, type OptimizerHyper, type OptimizerKind } from '../../src/kernels/optimizer.ts';
import { SCALARS, sumSquares, writeScalars, type ClipMode } from '../../src/kernels/reduce.ts';
import * as ref from '../../src/reference/index.ts';
import { expectClose, randn, run, testContext } from '../helpers/gpu.ts';

const KINDS: OptimizerKind[] = ['sgd', 'momentum', 'adam', 'adamw'];
const CLIPS: ClipMode[] = ['none', 'norm', 'value'];
// Multiples of 4 (the kernel moves vec4s; arena chunks are whole 256-byte slots), not of the workgroup.
const SIZES = [4, 12, 260, 70000];
const BASE: OptimizerHyper = { lr: 0.05, momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, clipMax: 1 };

type State = { p: Float64Array; m: Float64Array; v: Float64Array };

/** One reference step with the effective (clipped) gradient, in the same order as the kernel. */
function refStep(kind: OptimizerKind, s: State, g: ArrayLike<number>, t: number, h: OptimizerHyper): State {
  if (kind === 'sgd') return { ...s, p: ref.sgdStep(s.p, g, h) };
  if (kind === 'momentum') {
    const r = ref.momentumStep(s.p, g, s.m, h);
    return { ...s, p: r.p, m: r.v };
  }
  return (kind === 'adam' ? ref.adamStep : ref.adamwStep)(s.p, g, s.m, s.v, t, h);
}

function effectiveGrad(clip: ClipMode, g: Float32Array, tau: number): ArrayLike<number> {
  if (clip === 'value') return ref.clipByValue(g, tau);
  if (clip === 'norm') {
    const { scale } = ref.clipByNormScale(g, tau);
    return Float64Array.from(g, (x) => x * scale);
  }
  return g;
}

/** Buffers for one chunk: p from `p0`, zeroed state, a grads buffer rewritten each step. */
function chunk(ctx: KernelContext, p0: Float32Array) {
  const n = p0.length;
  return { n, p: upload(ctx, p0), g: zeros(ctx, n), m: zeros(ctx, n), v: zeros(ctx, n) };
}

async function readState(ctx: KernelContext, c: { n: number; p: BufferRange; m: BufferRange; v: BufferRange }) {
  return { p: await readF32(ctx, c.p, c.n), m: await readF32(ctx, c.m, c.n), v: await readF32(ctx, c.v, c.n) };
}


describe('optimizer host checks (pure)', () => {
  it('spec matches the WGSL bindings', () => {
    expectSpecMatchesWgsl(optimizerSpec('adam', 'norm'), { names: true });
    expectSpecMatchesWgsl(optimizerSpec('adam', 'norm', true), { names: true, exhaustive: true });
  });

  it('refuses bad hyperparameters, naming the field', () => {
    expect(() => checkHyper('sgd', 'none', { ...BASE, lr: -1 })).toThrow(/lr must be/);
    expect(() => checkHyper('adam', 'none', { ...BASE, beta2: 1 })).toThrow(/beta2 must be in \[0, 1\)/);
    expect(() => checkHyper('adamw', 'none', { ...BASE, eps: 0 })).toThrow(/eps must be/);
    expect(() => checkHyper('sgd', 'norm', { ...BASE, clipMax: 0 })).toThrow(/clipMax must be/);
    expect(() => checkHyper('sgd', 'none', { ...BASE, clipMax: 0 })).not.toThrow();
  });
});

describe('optimizer step against the float64 reference (3 steps, state on the GPU)', () => {
  for (const kind of KINDS) {
    it(`${kind}: clip none, norm and value; lr and weight decay changed before step 3`, async () => {
      const ctx = await testContext();
      const rng = new Rng(31);
      for (const clip of CLIPS) {
        for (const n of SIZES) {
          // Norm mode: τ below ‖g‖ ≈ √n on steps 1–2, above it on step 3 (grads shrink); value mode clamps at 0.8.
          let h: OptimizerHyper = { ...BASE, clipMax: clip === 'norm' ? 0.8 * Math.sqrt(n) : 0.8 };
          const opt = new Optimizer(ctx, kind, clip, h);
          const p0 = randn(rng, n);
          const c = chunk(ctx, p0);
          const sums = zeros(ctx, 1);
          const steps = [
            ...(await sumSquares(ctx, { x: c.g, segments: [{ offset: 0, length: n }], out: sums })),
            await opt.finalize(sums, 1),
            ...(await opt.dispatches([c])),
          ];
          let want: State = { p: Float64Array.from(p0), m: new Float64Array(n), v: new Float64Array(n) };
          for (let t = 1; t <= 3; t++) {
            if (t === 3) opt.setHyper((h = { ...h, lr: h.lr / 2, weightDecay: 0.3 }));
            const g = randn(rng, n, t === 3 ? 0.5 : 1);
            ctx.device.queue.writeBuffer(c.g.buffer, 0, g);
            await run(ctx, ...steps);
            want = refStep(kind, want, effectiveGrad(clip, g, h.clipMax), t, h);
            const label = `${kind} clip=${clip} n=${n} step ${t}`;
            const scalars = await readF32(ctx, opt.scalars, 4);
            expect(scalars[SCALARS.step], `${label} t`).toBe(t);
            if (clip === 'norm') {
              expectClose([scalars[SCALARS.clipScale]!], [ref.clipByNormScale(g, h.clipMax).scale], 1e-5, `${label} clip scale`);
            }
            const got = await readState(ctx, c);
            expectClose(got.p, want.p, 1e-4, `${label} p`);
            expectClose(Float64Array.from(got.p, (x, i) => x - p0[i]!), want.p.map((x, i) => x - p0[i]!), 1e-4, `${label} Δp`);
            if (kind !== 'sgd') expectClose(got.m, want.m, 1e-4, `${label} m`);
            if (kind === 'adam' || kind === 'adamw') expectClose(got.v, want.v, 1e-4, `${label} v`);
          }
        }
      }
    });
  }
});

describe('optimizer state handling', () => {
  it('a non-finite step changes nothing and does not advance t', async () => {
    const ctx = await testContext();
    const rng = new Rng(37);
    const n = 1000;
    for (const kind of KINDS) {
      const opt = new Optimizer(ctx, kind, 'norm', BASE);
      const c = chunk(ctx, randn(rng, n));
      const sums = zeros(ctx, 1);
      const steps = [
        ...(await sumSquares(ctx, { x: c.g, segments: [{ offset: 0, length: n }], out: sums })),
        await opt.finalize(sums, 1),
        ...(await opt.dispatches([c])),
      ];
      ctx.device.queue.writeBuffer(c.g.buffer, 0, randn(rng, n));
      await run(ctx, ...steps);
      const before = await readState(ctx, c);
      const g = randn(rng, n);
      g[417] = NaN;
      ctx.device.queue.writeBuffer(c.g.buffer, 0, g);
      await run(ctx, ...steps);
      const after = await readState(ctx, c);
      const scalars = await readF32(ctx, opt.scalars, 4);
      expect([scalars[SCALARS.nonFinite], scalars[SCALARS.step]], kind).toEqual([1, 1]);
      for (const k of ['p', 'm', 'v'] as const) expect(Array.from(after[k]), `${kind} ${k}`).toEqual(Array.from(before[k]));
    }
  });

  it('zero padding between slots stays zero under every optimizer and clip mode', async () => {
    const ctx = await testContext();
    const rng = new Rng(43);
    for (const kind of KINDS) {
      for (const clip of CLIPS) {
        const p0 = randn(rng, 700);
        const g = randn(rng, 700);
        for (const a of [p0, g]) a.fill(0, 100, 356).fill(0, 600);
        const c = chunk(ctx, p0);
        ctx.device.queue.writeBuffer(c.g.buffer, 0, g);
        const opt = new Optimizer(ctx, kind, clip, { ...BASE, clipMax: 0.5 });
        writeScalars(ctx, opt.scalars, 1);
        const update = await opt.dispatches([c]);
        for (let t = 0; t < 3; t++) await run(ctx, ...update);
        const got = await readState(ctx, c);
        const pad = [...got.p.subarray(100, 356), ...got.p.subarray(600), ...got.m.subarray(100, 356), ...got.v.subarray(600)];
        expect(pad.every((x) => x === 0), `${kind} ${clip}`).toBe(true);
      }
    }
  });

  it("Adam's bias correction follows t, from 1 to 10⁵", async () => {
    const ctx = await testContext();
    const rng = new Rng(41);
    const n = 260;
    for (const kind of ['adam', 'adamw'] as const) {
      for (const t of [1, 2, 3, 10, 1000, 100_000]) {
        const opt = new Optimizer(ctx, kind, 'none', BASE);
        // Small p so Δp is not lost to p's rounding: the check is on the update itself.
        const [p, g, m] = [randn(rng, n, 1e-3), randn(rng, n), randn(rng, n, 0.1)];
        const v = Float32Array.from(randn(rng, n, 0.1), (x) => x * x);
        const c = { n, p: upload(ctx, p), g: upload(ctx, g), m: upload(ctx, m), v: upload(ctx, v) };
        writeScalars(ctx, opt.scalars, t);
        await run(ctx, ...(await opt.dispatches([c])));
        const want = refStep(kind, { p: Float64Array.from(p), m: Float64Array.from(m), v: Float64Array.from(v) }, g, t, BASE);
        const got = await readF32(ctx, c.p, n);
        // 2e-6: 1 − pow(β2, t) in f32 misses by ~2e-5 at small t; the series form stays near 1e-7.
        expectClose(Float64Array.from(got, (x, i) => x - p[i]!), want.p.map((x, i) => x - p[i]!), 2e-6, `${kind} t=${t} Δp`);
      }
    }
  });

  it('sgd past 65535 workgroups folds into dispatch y and reaches the last element', async () => {
    const ctx = await testContext();
    // One invocation per vec4: past 65535 · 256 vec4s.
    const n = 65535 * 256 * 4 + 4000;
    const p = new Float32Array(n);
    const g = new Float32Array(n);
    for (let i = 0; i < n; i++) [p[i], g[i]] = [(i % 1013) / 1013, ((i * 7) % 997) / 997 - 0.5];
    const opt = new Optimizer(ctx, 'sgd', 'none', BASE);
    const c = { n, p: upload(ctx, p), g: upload(ctx, g) };
    const [d] = await opt.dispatches([c]);
    expect(d!.workgroups).toEqual([65535, 2, 1]);
    await run(ctx, d!);
    const edge = 65535 * 256 * 4;
    for (const start of [0, edge - 8, n - 8]) {
      const got = await readF32(ctx, { ...c.p, offset: start * 4, size: 4 * Math.min(16, n - start) });
      const idx = Array.from({ length: 16 }, (_, i) => start + i).filter((i) => i < n);
      const want = ref.sgdStep(idx.map((i) => p[i]!), idx.map((i) => g[i]!), BASE);
      expectClose(idx.map((_, k) => got[k]!), want, 1e-6, `floats from ${start}`);
    }
  });
});

/** ‖x‖ in float64. */
const norm2 = (x: ArrayLike<number>): number => Math.sqrt(Array.from(x).reduce((a, v) => a + v * v, 0));

describe('the logged update: the same step, plus ‖W‖ and ‖ΔW‖ per tensor', () => {
  // Segments with gaps between them, one of them over several 16K-float blocks, one empty, one of a
  // single float; values from 1e-25 (squares underflow f32) to 1e20 (squares overflow it).
  // Segments start on vec4s (arena slots start on 256 bytes); the floats after each one are zero padding.
  const n = 50_048;
  const SEGMENTS = [
    { offset: 0, length: 3 },
    { offset: 64, length: 40_000 },
    { offset: 40_064, length: 0 },
    { offset: 40_100, length: 1 },
    { offset: 40_192, length: 5_000 },
    { offset: 45_248, length: 4_700 },
  ];
  const SCALES = [1, 0.05, 1, 3, 1e-25, 1e20];

  for (const kind of KINDS) {
    it(`${kind}: bit-identical to the plain update, with norms that match float64 (clip none, norm, value)`, async () => {
      const ctx = await testContext();
      const rng = new Rng(53);
      for (const clip of CLIPS) {
        const label = `${kind} clip=${clip}`;
        const p0 = new Float32Array(n);
        const g = new Float32Array(n);
        SEGMENTS.forEach(({ offset, length }, s) => {
          p0.set(randn(rng, length, SCALES[s]!), offset);
          g.set(randn(rng, length, SCALES[s]!), offset);
        });
        const h = { ...BASE, clipMax: clip === 'norm' ? 1e19 : 0.5 };
        const plainOpt = new Optimizer(ctx, kind, clip, h);
        const loggedOpt = new Optimizer(ctx, kind, clip, h);
        const plain = chunk(ctx, p0);
        const logged = chunk(ctx, p0);
        for (const c of [plain, logged]) ctx.device.queue.writeBuffer(c.g.buffer, 0, g);
        const sums = zeros(ctx, 1);
        const out = { weights: zeros(ctx, 8), weightsBase: 1, deltas: zeros(ctx, 8), deltasBase: 2 };
        const before = async (opt: Optimizer, c: typeof plain) => [...(await sumSquares(ctx, { x: c.g, segments: [{ offset: 0, length: n }], out: sums })), await opt.finalize(sums, 1)];
        const plainStep = [...(await before(plainOpt, plain)), ...(await plainOpt.dispatches([plain]))];
        const loggedStep = [...(await before(loggedOpt, logged)), ...(await loggedOpt.updateWithNorms(logged, 0, SEGMENTS, out))];
        for (let t = 1; t <= 2; t++) {
          const prev = await readF32(ctx, logged.p, n);
          await run(ctx, ...plainStep);
          await run(ctx, ...loggedStep);
          const [a, b] = [await readState(ctx, plain), await readState(ctx, logged)];
          for (const { offset, length } of SEGMENTS) {
            for (const k of ['p', 'm', 'v'] as const) {
              const same = a[k].subarray(offset, offset + length).every((x, i) => Object.is(x, b[k][offset + i]));
              expect(same, `${label} step ${t}: ${k} differs from the plain update in [${offset}, ${offset + length})`).toBe(true);
            }
          }
          const w = await readF32(ctx, out.weights, 8);
          const d = await readF32(ctx, out.deltas, 8);
          const wantW = SEGMENTS.map(({ offset, length }) => norm2(prev.subarray(offset, offset + length)));
          const wantD = SEGMENTS.map(({ offset, length }) => norm2(Array.from(b.p.subarray(offset, offset + length), (x, i) => x - prev[offset + i]!)));
          SEGMENTS.forEach((_, s) => {
            const relW = wantW[s] ? Math.abs(w[1 + s]! / wantW[s]! - 1) : w[1 + s]!;
            const relD = wantD[s] ? Math.abs(d[2 + s]! / wantD[s]! - 1) : d[2 + s]!;
            expect(relW, `${label} step ${t}: ‖W‖ of segment ${s}: got ${w[1 + s]}, want ${wantW[s]}`).toBeLessThan(1e-5);
            expect(relD, `${label} step ${t}: ‖ΔW‖ of segment ${s}: got ${d[2 + s]}, want ${wantD[s]}`).toBeLessThan(1e-5);
          });
          expect([w[0], w[7], d[0], d[1]], `${label}: writes only its own slots`).toEqual([0, 0, 0, 0]);
        }
      }
    });
  }

  it('refuses a tensor that does not start on a vec4, naming it', async () => {
    const ctx = await testContext();
    const opt = new Optimizer(ctx, 'sgd', 'none', BASE);
    const c = chunk(ctx, new Float32Array(64));
    const out = { weights: zeros(ctx, 2), weightsBase: 0, deltas: zeros(ctx, 2), deltasBase: 0 };
    await expect(opt.updateWithNorms(c, 0, [{ offset: 0, length: 6 }, { offset: 6, length: 4 }], out)).rejects.toThrow(/segments\[1\]\.offset 6 must be a multiple of 4/);
  });

  it('a non-finite step changes nothing: ‖ΔW‖ = 0 and ‖W‖ is still reported', async () => {
    const ctx = await testContext();
    const rng = new Rng(59);
    const m = 3008;
    const opt = new Optimizer(ctx, 'adam', 'norm', BASE);
    const p0 = randn(rng, m).fill(0, 1000, 1024); // zero padding between the two tensors
    const c = chunk(ctx, p0);
    const g = randn(rng, m);
    g[1234] = Infinity;
    ctx.device.queue.writeBuffer(c.g.buffer, 0, g);
    const sums = zeros(ctx, 1);
    const out = { weights: zeros(ctx, 2), weightsBase: 0, deltas: zeros(ctx, 2), deltasBase: 0 };
    const segments = [{ offset: 0, length: 1000 }, { offset: 1024, length: 1984 }];
    await run(ctx, ...(await sumSquares(ctx, { x: c.g, segments: [{ offset: 0, length: m }], out: sums })), await opt.finalize(sums, 1), ...(await opt.updateWithNorms(c, 0, segments, out)));
    expect(Array.from(await readF32(ctx, c.p, m))).toEqual(Array.from(p0));
    expect(Array.from(await readF32(ctx, out.deltas, 2))).toEqual([0, 0]);
    const w = await readF32(ctx, out.weights, 2);
    expectClose(w, [norm2(p0.subarray(0, 1000)), norm2(p0.subarray(1024))], 1e-6, '‖W‖');
  });
});
