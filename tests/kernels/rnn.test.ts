// The recurrent layer's kernels (shaders/rnn.wgsl through src/kernels/rnn.ts and rnn-layer.ts) against the float64
// twin: every forward step, every backward step, the tail and the weight GEMMs of one training step, on awkward
// shapes, compared with src/reference/rnn-cells.ts sample by sample, and with the whole net of src/reference/rnn.ts
// under full and truncated BPTT.
import { describe, expect, it } from 'vitest';
import type { KernelContext } from '../../src/gpu/context.ts';
import type { BufferRange } from '../../src/gpu/kernel.ts';
import { readF32, upload, zeros } from '../../src/gpu/transfer.ts';
import { rnnLayerBackward, rnnLayerForward, type RnnLayerGrads, type RnnLayerOptions, type RnnLayerTensors } from '../../src/kernels/rnn-layer.ts';
import { firstBackwardStep, rnnBlocks, rnnFloats, rnnSpec, rnnStepBackward, rnnStepForward } from '../../src/kernels/rnn.ts';
import { rnnWeightGradHh, rnnWeightGradSpec, RNN_GATES, type RnnShape } from '../../src/kernels/rnn.ts';
import { MATMUL_TILINGS, type MatmulTiling } from '../../src/kernels/tunables.ts';
import { Rng } from '../../src/math/prng.ts';
import { rnnCellBackward, rnnCellForward, rnnForwardBackward, type CellState, type CellWeights } from '../../src/reference/index.ts';
import { randn, run, testContext } from '../helpers/gpu.ts';
import { expectSpecMatchesWgsl } from '../helpers/specs.ts';

const VARIANTS: Pick<RnnShape, 'cell' | 'nonlinearity'>[] = [
  { cell: 'rnn', nonlinearity: 'tanh' },
  { cell: 'rnn', nonlinearity: 'relu' },
  { cell: 'lstm', nonlinearity: 'tanh' },
  { cell: 'gru', nonlinearity: 'tanh' },
];
// T = 1, 2, 17; B = 1, 3 and 6 (two sample blocks); H = 1, 5, 33 (a ragged unit block); in = 1, 3.
const SIZES: Pick<RnnShape, 'B' | 'T' | 'in' | 'H'>[] = [
  { B: 1, T: 1, in: 1, H: 1 },
  { B: 3, T: 2, in: 3, H: 5 },
  { B: 3, T: 17, in: 3, H: 33 },
  { B: 1, T: 17, in: 1, H: 5 },
  { B: 6, T: 2, in: 1, H: 33 },
];
const name = (s: RnnShape): string => `${s.cell === 'rnn' ? `rnn-${s.nonlinearity}` : s.cell} B=${s.B} T=${s.T} in=${s.in} H=${s.H}`;

/** ‖got − want‖ / ‖want‖ (absolute when want is 0) within tol; a failure names the worst element and both values. */
function expectNear(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, label: string): void {
  expect(got.length, `${label}: length`).toBe(want.length);
  let [diff, norm, worst, worstErr] = [0, 0, 0, -1];
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i]! - want[i]!);
    diff += e * e;
    norm += want[i]! * want[i]!;
    if (!(e <= worstErr)) [worst, worstErr] = [i, e];
  }
  const err = Math.sqrt(diff) / (Math.sqrt(norm) || 1);
  const detail = `${label}: ‖err‖/‖ref‖ = ${err.toExponential(2)} > ${tol}; worst [${worst}]: got ${got[worst]}, want ${want[worst]}`;
  expect(err <= tol, detail).toBe(true);
}

/** PyTorch's init U(±1/√H) in f32 (the GPU's values; the reference reads the same numbers as float64). */
function layerWeights(rng: Rng, s: RnnShape): { wIh: Float32Array; wHh: Float32Array; bIh: Float32Array; bHh: Float32Array } {
  const f = rnnFloats(s);
  const k = 1 / Math.sqrt(s.H);
  const u = (n: number): Float32Array => rng.fill(new Float32Array(n), () => (2 * rng.uniform() - 1) * k) as Float32Array;
  return { wIh: u(f.wIh), wHh: u(f.wHh), bIh: u(f.bias), bHh: u(f.bias) };
}

interface Expected {
  hs: Float64Array; pre: Float64Array; state: Float64Array; dgIh: Float64Array; dgHh: Float64Array;
  dWIh: Float64Array; dWHh: Float64Array; dbIh: Float64Array; dbHh: Float64Array; dX: Float64Array; norms: Float64Array;
}

/**
 * The layer in float64 from the cells, one sample at a time (a recurrent layer never mixes samples), so that each
 * step's bias gradients are that sample's gate gradients dg_ih and dg_hh. dhExt is [B×T×H]; steps before t0 are
 * not backpropagated.
 */
function referenceLayer(s: RnnShape, w: CellWeights, x: Float32Array, dhExt: Float32Array, t0: number): Expected {
  const { B, T, H } = s;
  const f = rnnFloats(s);
  const GH = RNN_GATES[s.cell] * H;
  const e: Expected = {
    hs: new Float64Array(f.hs), pre: new Float64Array(f.pre), state: new Float64Array(f.state), dgIh: new Float64Array(f.dgIh),
    dgHh: new Float64Array(f.dgIh), dWIh: new Float64Array(f.wIh), dWHh: new Float64Array(f.wHh), dbIh: new Float64Array(GH),
    dbHh: new Float64Array(GH), dX: new Float64Array(f.x), norms: new Float64Array(T),
  };
  const spec = { cell: s.cell, nonlinearity: s.nonlinearity, batch: 1, inputSize: s.in, hidden: H };
  const add = (to: Float64Array, d: ArrayLike<number>, at = 0): void => {
    for (let i = 0; i < d.length; i++) to[at + i]! += d[i]!;
  };
  for (let b = 0; b < B; b++) {
    let state: CellState = { h: new Float64Array(H), c: s.cell === 'lstm' ? new Float64Array(H) : undefined };
    const caches = [];
    for (let t = 0; t < T; t++) {
      const row = b * T + t;
      const { next, cache } = rnnCellForward(spec, w, Float64Array.from(x.subarray(row * s.in, (row + 1) * s.in)), state);
      caches.push(cache);
      e.hs.set(next.h, row * H);
      e.pre.set(cache.pre, row * GH);
      if (s.cell === 'lstm') e.state.set(next.c!, row * H);
      if (s.cell === 'gru') e.state.set(cache.gh!.subarray(2 * H), row * H);
      state = next;
    }
    let carry: CellState = { h: new Float64Array(H), c: undefined };
    for (let t = T - 1; t >= t0; t--) {
      const row = b * T + t;
      const dh = Float64Array.from(carry.h, (v, i) => v + dhExt[row * H + i]!);
      for (const v of dh) e.norms[t]! += v * v;
      const back = rnnCellBackward(spec, w, caches[t]!, { h: dh, c: carry.c });
      e.dgIh.set(back.grads.biasIh, row * GH);
      e.dgHh.set(back.grads.biasHh, row * GH);
      e.dX.set(back.dx, row * s.in);
      add(e.dWIh, back.grads.weightIh);
      add(e.dWHh, back.grads.weightHh);
      add(e.dbIh, back.grads.biasIh);
      add(e.dbHh, back.grads.biasHh);
      carry = back.dprev;
    }
  }
  e.norms = e.norms.map(Math.sqrt);
  return e;
}

/** Every buffer of one layer on the GPU: inputs uploaded, the rest zeroed. */
function layerBuffers(ctx: KernelContext, s: RnnShape, w: Record<'wIh' | 'wHh' | 'bIh' | 'bHh', Float32Array>, x: Float32Array, dhExt: Float32Array): {
  t: RnnLayerTensors; g: RnnLayerGrads & { dX: BufferRange };
} {
  const f = rnnFloats(s);
  const z = (n: number): BufferRange | undefined => (n ? zeros(ctx, n) : undefined);
  const t = {
    x: upload(ctx, x), wIh: upload(ctx, w.wIh), wHh: upload(ctx, w.wHh), bIh: upload(ctx, w.bIh), bHh: upload(ctx, w.bHh),
    pre: zeros(ctx, f.pre), hs: zeros(ctx, f.hs), state: z(f.state),
  };
  const g = {
    dhExt: upload(ctx, dhExt), dgIh: zeros(ctx, f.dgIh), dgHh: z(f.dgHh), scratch: zeros(ctx, f.scratch), dWIh: zeros(ctx, f.wIh),
    dWHh: zeros(ctx, f.wHh), dbIh: zeros(ctx, f.bias), dbHh: zeros(ctx, f.bias), norms: zeros(ctx, s.T), dX: zeros(ctx, f.x),
  };
  return { t, g };
}

/** One training step of the layer on the GPU, every tensor read back. */
async function gpuLayer(ctx: KernelContext, s: RnnShape, w: Record<'wIh' | 'wHh' | 'bIh' | 'bHh', Float32Array>, x: Float32Array, dhExt: Float32Array, opts: RnnLayerOptions) {
  const { t, g } = layerBuffers(ctx, s, w, x, dhExt);
  await run(ctx, ...(await rnnLayerForward(ctx, s, t, opts)), ...(await rnnLayerBackward(ctx, s, t, g, opts)));
  const f = rnnFloats(s);
  const read = (r: BufferRange | undefined, n: number): Promise<Float32Array> => (r ? readF32(ctx, r, n) : Promise.resolve(new Float32Array(0)));
  return {
    hs: await read(t.hs, f.hs), pre: await read(t.pre, f.pre), state: await read(t.state, f.state), dgIh: await read(g.dgIh, f.dgIh),
    dgHh: await read(g.dgHh ?? g.dgIh, f.dgIh), dWIh: await read(g.dWIh, f.wIh), dWHh: await read(g.dWHh, f.wHh), dbIh: await read(g.dbIh, f.bias),
    dbHh: await read(g.dbHh, f.bias), dX: await read(g.dX, f.x), norms: await read(g.norms, s.T),
  };
}

const f64 = (a: Float32Array): Float64Array => Float64Array.from(a);
type Weights = Record<'wIh' | 'wHh' | 'bIh' | 'bHh', Float32Array>;
const cellWeights = (w: Weights): CellWeights => ({ weightIh: f64(w.wIh), weightHh: f64(w.wHh), biasIh: f64(w.bIh), biasHh: f64(w.bHh) });
const TOL = 1e-5;

function compare(got: Record<keyof Expected, Float32Array>, want: Expected, label: string): void {
  for (const k of Object.keys(want) as (keyof Expected)[]) expectNear(got[k], want[k], TOL, `${k} ${label}`);
}

describe('recurrent layer kernels against the float64 cells', () => {
  for (const v of VARIANTS) {
    it(`${v.cell === 'rnn' ? `rnn-${v.nonlinearity}` : v.cell}: forward steps, backward steps, tail and weight GEMMs on awkward shapes`, async () => {
      const ctx = await testContext();
      const rng = new Rng(17);
      for (const size of SIZES) {
        const s: RnnShape = { ...v, ...size };
        const w = layerWeights(rng, s);
        const x = randn(rng, s.B * s.T * s.in);
        const dhExt = randn(rng, s.B * s.T * s.H);
        const got = await gpuLayer(ctx, s, w, x, dhExt, { ext: 'all' });
        compare(got, referenceLayer(s, cellWeights(w), x, dhExt, 0), name(s));
      }
    });
  }
});

describe('recurrent layer kernels against the whole net of src/reference/rnn.ts', () => {
  const size = { B: 3, T: 17, in: 3, H: 5 };
  for (const v of VARIANTS) {
    for (const bptt of [null, 5, 1, 17]) {
      it(`${v.cell === 'rnn' ? `rnn-${v.nonlinearity}` : v.cell}, ${bptt === null ? 'full BPTT' : `bptt ${bptt}`}: the head's gradient at the last step only`, async () => {
        const ctx = await testContext();
        const rng = new Rng(23);
        const s: RnnShape = { ...v, ...size };
        const w = layerWeights(rng, s);
        const x = randn(rng, s.B * s.T * s.in);
        const spec = { cell: s.cell, nonlinearity: s.nonlinearity, inputSize: s.in, hidden: s.H, depth: 1, outputs: 2, task: 'regression' as const };
        const params = new Map([
          ['rnn.weight_ih_l0', f64(w.wIh)], ['rnn.weight_hh_l0', f64(w.wHh)], ['rnn.bias_ih_l0', f64(w.bIh)], ['rnn.bias_hh_l0', f64(w.bHh)],
          ['head.weight', f64(randn(rng, 2 * s.H))], ['head.bias', f64(randn(rng, 2))],
        ]);
        const want = rnnForwardBackward(spec, params, { x: f64(x), y: f64(randn(rng, 2 * s.B)), batch: s.B, length: s.T }, { bptt });
        // ∂L/∂h_{T−1} is the head's alone: nothing comes back from a later step.
        const dTop = Float32Array.from(want.timeDeltas[0]![s.T - 1]!);
        const got = await gpuLayer(ctx, s, w, x, dTop, { ext: 'last', bptt });
        const label = `${name(s)} bptt ${bptt}`;
        const hs = new Float64Array(s.B * s.T * s.H);
        want.hidden[0]!.forEach((h, t) => {
          for (let b = 0; b < s.B; b++) hs.set(h.subarray(b * s.H, (b + 1) * s.H), (b * s.T + t) * s.H);
        });
        expectNear(got.hs, hs, TOL, `hs ${label}`);
        expectNear(got.dWIh, want.grads.get('rnn.weight_ih_l0')!, TOL, `dW_ih ${label}`);
        expectNear(got.dWHh, want.grads.get('rnn.weight_hh_l0')!, TOL, `dW_hh ${label}`);
        expectNear(got.dbIh, want.grads.get('rnn.bias_ih_l0')!, TOL, `db_ih ${label}`);
        expectNear(got.dbHh, want.grads.get('rnn.bias_hh_l0')!, TOL, `db_hh ${label}`);
        expectNear(got.dX, want.dx, TOL, `dX ${label}`);
        expectNear(got.norms, want.timeDeltaNorm[0]!, TOL, `timeDeltaNorm ${label}`);
        // The gate gradients, zero before the first step backward reached, as the cells give them.
        const dhExt = new Float32Array(s.B * s.T * s.H);
        for (let b = 0; b < s.B; b++) dhExt.set(dTop.subarray(b * s.H, (b + 1) * s.H), (b * s.T + s.T - 1) * s.H);
        compare(got, referenceLayer(s, cellWeights(w), x, dhExt, Math.max(0, s.T - (bptt ?? s.T))), label);
      });
    }
  }
});

describe('recurrent layer kernels: the rest of the contract', () => {
  it('grid and buffer sizes are pure functions of the shape', () => {
    const s: RnnShape = { cell: 'lstm', nonlinearity: 'tanh', B: 6, T: 17, in: 3, H: 33 };
    expect(rnnBlocks(s)).toEqual({ unitBlocks: 9, blocks: 18 });
    expect(rnnBlocks({ ...s, B: 1, H: 1 })).toEqual({ unitBlocks: 1, blocks: 1 });
    expect(rnnFloats(s)).toMatchObject({ pre: 6 * 17 * 132, state: 6 * 17 * 33, dgHh: 0, scratch: 3 * 17 * 18 + 6 * 33 });
    expect(rnnFloats({ ...s, cell: 'rnn' })).toMatchObject({ pre: 6 * 17 * 33, state: 0, dgHh: 0, scratch: 3 * 17 * 18 });
    expect(rnnFloats({ ...s, cell: 'gru' })).toMatchObject({ dgIh: 6 * 17 * 99, dgHh: 6 * 17 * 99 });
    expect([firstBackwardStep(17, null), firstBackwardStep(17, 5), firstBackwardStep(17, 17), firstBackwardStep(17, 40)]).toEqual([0, 12, 0, 0]);
  });

  it('dW_hh on every GEMM core tiling (vec4 runs as reg), and accumulated into an addend', async () => {
    const ctx = await testContext();
    const rng = new Rng(31);
    const s: RnnShape = { cell: 'gru', nonlinearity: 'tanh', B: 3, T: 17, in: 1, H: 33 };
    const f = rnnFloats(s);
    const [dg, hs, prev] = [randn(rng, f.dgIh), randn(rng, f.hs), randn(rng, f.wHh)];
    const GH = RNN_GATES[s.cell] * s.H;
    const want = new Float64Array(f.wHh);
    for (let b = 0; b < s.B; b++) {
      for (let t = 1; t < s.T; t++) {
        const [k, kp] = [b * s.T + t, b * s.T + t - 1];
        for (let m = 0; m < GH; m++) for (let n = 0; n < s.H; n++) want[m * s.H + n]! += dg[k * GH + m]! * hs[kp * s.H + n]!;
      }
    }
    const [dgb, hsb, prevb] = [upload(ctx, dg), upload(ctx, hs), upload(ctx, prev)];
    const tilings: MatmulTiling[] = [MATMUL_TILINGS.naive, MATMUL_TILINGS.reg8x8, MATMUL_TILINGS.vec4x4_8x8, MATMUL_TILINGS.tiled32, MATMUL_TILINGS.tiled64];
    for (const tiling of tilings) {
      const [dW, dWAcc] = [zeros(ctx, f.wHh), zeros(ctx, f.wHh)];
      await run(
        ctx,
        await rnnWeightGradHh(ctx, s, { dg: dgb, hs: hsb, dW }, { tiling }),
        await rnnWeightGradHh(ctx, s, { dg: dgb, hs: hsb, dW: dWAcc, addend: prevb }, { tiling, add: true }),
      );
      expectNear(await readF32(ctx, dW, f.wHh), want, TOL, `dW_hh ${tiling.variant}`);
      expectNear(await readF32(ctx, dWAcc, f.wHh), want.map((v, i) => v + prev[i]!), TOL, `dW_hh + addend ${tiling.variant}`);
    }
  });

  it('timeDeltaNorm keeps its relative precision where squares under- or overflow f32 (Blue\'s scaled sums)', async () => {
    const ctx = await testContext();
    const rng = new Rng(37);
    const s: RnnShape = { cell: 'rnn', nonlinearity: 'tanh', B: 3, T: 5, in: 2, H: 5 };
    const w = layerWeights(rng, s);
    const x = randn(rng, s.B * s.T * s.in);
    for (const scale of [1e-30, 1e25]) {
      const dhExt = randn(rng, s.B * s.T * s.H, scale);
      const got = await gpuLayer(ctx, s, w, x, dhExt, {});
      const want = referenceLayer(s, cellWeights(w), x, dhExt, 0);
      expect(Math.min(...want.norms)).toBeGreaterThan(0);
      expectNear(got.norms, want.norms, TOL, `norms at scale ${scale}`);
      expectNear(got.dgIh, want.dgIh, TOL, `dg at scale ${scale}`);
    }
  });

  it('specs agree with the WGSL bindings', () => {
    for (const v of VARIANTS) {
      for (const entry of ['rnn_step_forward', 'rnn_step_backward', 'rnn_backward_tail'] as const) expectSpecMatchesWgsl(rnnSpec(entry, v, true), { names: true });
    }
    for (const t of Object.values(MATMUL_TILINGS)) expectSpecMatchesWgsl(rnnWeightGradSpec(t, true));
  });

  it('refuses shapes, steps and buffers that cannot be, naming what is wrong', async () => {
    const ctx = await testContext();
    const s: RnnShape = { cell: 'lstm', nonlinearity: 'tanh', B: 2, T: 3, in: 2, H: 4 };
    const f = rnnFloats(s);
    const big = zeros(ctx, 4096);
    const fwd = { pre: big, wHh: big, bHh: big, hs: big, state: big };
    await expect(rnnStepForward(ctx, { ...s, H: 0 }, 0, fwd)).rejects.toThrow('rnn: H must be an integer ≥ 1 (got 0)');
    await expect(rnnStepForward(ctx, { ...s, in: 1.5 }, 0, fwd)).rejects.toThrow('rnn: in must be an integer ≥ 1 (got 1.5)');
    await expect(rnnStepForward(ctx, { ...s, cell: 'elman' as never }, 0, fwd)).rejects.toThrow('rnn: cell must be rnn, lstm or gru (got elman)');
    await expect(rnnStepForward(ctx, s, 3, fwd)).rejects.toThrow('rnn step: t must be an integer from 0 to T − 1 = 2 (got 3)');
    await expect(rnnStepForward(ctx, s, 0, { ...fwd, state: undefined })).rejects.toThrow('rnn step forward: tensor state is required');
    await expect(rnnStepForward(ctx, s, 0, { ...fwd, hs: zeros(ctx, 5) })).rejects.toThrow(`rnn step forward: hs holds 5 floats, needs ${f.hs}`);
    const back = { pre: big, wHh: big, hs: big, state: big, dhExt: zeros(ctx, s.B * s.H), dgIh: big, scratch: big };
    await expect(rnnStepBackward(ctx, s, 2, back)).rejects.toThrow(`rnn step backward: dhExt holds ${s.B * s.H} floats, needs ${f.hs}`);
    await expect(rnnStepBackward(ctx, { ...s, cell: 'gru' }, 2, back, { ext: 'last' })).rejects.toThrow('rnn step backward: tensor dgHh is required');
    const layer = { x: big, wIh: big, wHh: big, bIh: big, bHh: big, pre: big, hs: big, state: big };
    const grads = { dhExt: big, dgIh: big, scratch: big, dWIh: big, dWHh: big, dbIh: big, dbHh: big, norms: big };
    await expect(rnnLayerBackward(ctx, s, layer, grads, { bptt: 0 })).rejects.toThrow('rnn: bptt must be an integer ≥ 1, or null for full BPTT (got 0)');
  });

  it('building a layer again creates no pipeline, buffer or bind group: every dispatch is made once and replayed', async () => {
    const ctx = await testContext();
    const rng = new Rng(41);
    const s: RnnShape = { cell: 'gru', nonlinearity: 'tanh', B: 3, T: 4, in: 2, H: 5 };
    const { t, g } = layerBuffers(ctx, s, layerWeights(rng, s), randn(rng, s.B * s.T * s.in), randn(rng, s.B * s.H));
    const build = async () => [...(await rnnLayerForward(ctx, s, t)), ...(await rnnLayerBackward(ctx, s, t, g, { ext: 'last', bptt: 3 }))];
    const first = await build();
    const before = { ...ctx.created, pipelines: ctx.pipelines.created.pipelines };
    const again = await build();
    expect({ ...ctx.created, pipelines: ctx.pipelines.created.pipelines }).toEqual(before);
    // 1 + T forward; min(T, bptt) steps, the tail, dW_hh, dW_ih and dX backward.
    expect([first.length, again.length]).toEqual([1 + 4 + 3 + 4, 12]);
  });
});
