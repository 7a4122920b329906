import { expectSpecMatchesWgsl } from '../helpers/specs.ts';
import { describe, expect, it } from 'vitest';
import type { KernelContext } from '../../src/gpu/context.ts';
import type { BufferRange } from '../../src/gpu/kernel.ts';
import { Rng } from '../../src/gpu/prng.ts';
import { readF32, upload, zeros } from '../../src/gpu/transfer.ts';
import { checkHyper, Optimizer, optimizerSpec, type OptimizerHyper, type OptimizerKind } from '../../src/kernels/optimizer.ts';
import { SCALARS, sumSquares, writeScalars, type ClipMode } from '../../src/kernels/reduce.ts';
import * as ref from '../../src/reference/index.ts';
import { expectClose, randn, run, testContext } from '../helpers/gpu.ts';

const KINDS: OptimizerKind[] = ['sgd', 'momentum', 'adam', 'adamw'];
const CLIPS: ClipMode[] = ['none', 'norm', 'value'];
const SIZES = [1, 3, 257, 70000];
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
  it('spec matches the WGSL bindings', () => expectSpecMatchesWgsl(optimizerSpec('adam', 'norm'), { names: true }));

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
    const n = 257;
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
    const n = 65535 * 256 + 1000;
    const p = new Float32Array(n);
    const g = new Float32Array(n);
    for (let i = 0; i < n; i++) [p[i], g[i]] = [(i % 1013) / 1013, ((i * 7) % 997) / 997 - 0.5];
    const opt = new Optimizer(ctx, 'sgd', 'none', BASE);
    const c = { n, p: upload(ctx, p), g: upload(ctx, g) };
    const [d] = await opt.dispatches([c]);
    expect(d!.workgroups).toEqual([65535, 2, 1]);
    await run(ctx, d!);
    const got = await readF32(ctx, c.p, n);
    const idx = [0, 1, 65535 * 256 - 1, 65535 * 256, 65535 * 256 + 1, n - 2, n - 1];
    const want = ref.sgdStep(idx.map((i) => p[i]!), idx.map((i) => g[i]!), BASE);
    expectClose(idx.map((i) => got[i]!), want, 1e-6, 'sampled indices');
  });
});
