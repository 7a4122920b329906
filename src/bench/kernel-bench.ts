import type { KernelContext } from '../gpu/context.ts';
import type { BufferRange, Dispatch } from '../gpu/kernel.ts';
import { Rng } from '../math/prng.ts';
import { readF32, upload, zeros } from '../gpu/transfer.ts';
import { activationBackward, activationForward } from '../kernels/activation.ts';
import { ROW_STATS_PER_ROW, softmaxCrossEntropy } from '../kernels/loss.ts';
import { batchNormBackward, batchNormForwardTrain, layerNormBackward, layerNormForward } from '../kernels/norm.ts';
import { Optimizer } from '../kernels/optimizer.ts';
import { sumSquares } from '../kernels/reduce.ts';
import { layerStats, saturationThreshold } from '../kernels/stats.ts';
import * as ref from '../reference/index.ts';
import type { BenchResult } from './result.ts';
import { timeDispatches, timingDetail } from './timing.ts';

/** A kernel to benchmark: its dispatches, a check against the float64 reference, and what it moves. */
export interface KernelCase {
  name: string;
  shape: number[];
  tolerance: number;
  build(ctx: KernelContext): Promise<{ dispatches: Dispatch[]; check: () => Promise<number>; bytes: number; flops?: number }>;
}

/** max |got − want| / max |want|. */
export function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let e = 0;
  let s = 0;
  for (let i = 0; i < want.length; i++) {
    e = Math.max(e, Number.isNaN(got[i]!) ? Infinity : Math.abs(got[i]! - want[i]!));
    s = Math.max(s, Math.abs(want[i]!));
  }
  return e / (s || 1);
}

/** max |got − want| / max |want| over `count` random indices below n (for results too large to check whole). */
export function sampledRelErr(count: number, n: number, rng: Rng, got: (i: number) => number, want: (i: number) => number): number {
  let [err, scale] = [0, 0];
  for (let k = 0; k < count; k++) {
    const i = rng.int(n);
    const [g, w] = [got(i), want(i)];
    err = Math.max(err, Number.isNaN(g) ? Infinity : Math.abs(g - w));
    scale = Math.max(scale, Math.abs(w));
  }
  return err / (scale || 1);
}

/** Run once, check (a wrong kernel is reported wrong and never timed), then time. */
export async function benchCase(ctx: KernelContext, c: KernelCase): Promise<BenchResult> {
  const b = await c.build(ctx);
  await timeDispatches(ctx, b.dispatches, { warmup: 0, iterations: 1 });
  const maxRelErr = await b.check();
  if (!(maxRelErr <= c.tolerance)) return { name: c.name, shape: c.shape, ok: false, maxRelErr, detail: { tolerance: c.tolerance } };
  // The checked run was the warm-up.
  const t = await timeDispatches(ctx, b.dispatches, { warmup: 0, iterations: 5 });
  return {
    name: c.name,
    shape: c.shape,
    ok: true,
    maxRelErr,
    ms: t.ms,
    msMin: t.msMin,
    msMax: t.msMax,
    gbps: b.bytes / t.ms / 1e6,
    ...(b.flops ? { gflops: b.flops / t.ms / 1e6 } : {}),
    detail: timingDetail(t),
  };
}

const randn = (rng: Rng, n: number, scale = 1, offset = 0): Float32Array => rng.fill(new Float32Array(n), () => offset + rng.normal() * scale) as Float32Array;
const read = (ctx: KernelContext, r: BufferRange, n: number) => readF32(ctx, r, n);

const N_ELEM = 1 << 20;
const [NB, NF] = [512, 1024];
const [CB, CC] = [512, 1000];
const N_OPT = 10_000_000;
/** Tensors of 16,000 floats on 16,384-float slots (zero padding between), as a deep net's arena holds them. */
const SLOT = 16_384;
const TENSOR = 16_000;
const slots = (n: number) => Array.from({ length: Math.floor(n / SLOT) }, (_, k) => ({ offset: k * SLOT, length: TENSOR }));
const [SB, SW, SL] = [128, 128, 100];
/** Norm shapes (B×F): long rows, and a deep net's short ones (tunables.ts picks a strategy by length). */
const NORM_SHAPES: readonly (readonly [number, number])[] = [
  [NB, NF],
  [128, 64],
];

export const KERNEL_CASES: KernelCase[] = [
  ...(['gelu', 'tanh', 'relu'] as const).flatMap((act): KernelCase[] => [
    {
      name: `activation/${act}-forward`,
      shape: [N_ELEM],
      tolerance: 1e-5,
      async build(ctx) {
        const u = randn(new Rng(1), N_ELEM, 3);
        const [gu, gy] = [upload(ctx, u), zeros(ctx, N_ELEM)];
        const d = await activationForward(ctx, act, N_ELEM, { u: gu, out: gy });
        return { dispatches: [d], bytes: 8 * N_ELEM, check: async () => relErr(await read(ctx, gy, N_ELEM), ref.activationForward(act, u)) };
      },
    },
    {
      name: `activation/${act}-backward`,
      shape: [N_ELEM],
      tolerance: 1e-5,
      async build(ctx) {
        const rng = new Rng(2);
        const [u, dy] = [randn(rng, N_ELEM, 3), randn(rng, N_ELEM)];
        const [gu, gdy, gdx] = [upload(ctx, u), upload(ctx, dy), zeros(ctx, N_ELEM)];
        const d = await activationBackward(ctx, act, N_ELEM, { u: gu, dy: gdy, out: gdx });
        return { dispatches: [d], bytes: 12 * N_ELEM, check: async () => relErr(await read(ctx, gdx, N_ELEM), ref.activationBackward(act, u, dy)) };
      },
    },
  ]),
  // Both layer norm strategies (tunables.ts picks per row length) on long rows and on a deep net's short ones.
  ...(['workgroup', 'rows'] as const).flatMap((strategy) =>
    NORM_SHAPES.flatMap(([B, F]): KernelCase[] => [
      {
        name: `layernorm/forward-${strategy}`,
        shape: [B, F],
        tolerance: 1e-4,
        async build(ctx) {
          const rng = new Rng(3);
          const [x, gamma, beta] = [randn(rng, B * F, 2, 1), randn(rng, F, 0.1, 1), randn(rng, F, 0.1)];
          const y = zeros(ctx, B * F);
          const t = { x: upload(ctx, x), gamma: upload(ctx, gamma), beta: upload(ctx, beta), y, mean: zeros(ctx, B), rstd: zeros(ctx, B) };
          const d = await layerNormForward(ctx, B, F, t, strategy);
          return { dispatches: [d], bytes: 8 * B * F, check: async () => relErr(await read(ctx, y, B * F), ref.layerNormForward(x, B, F, gamma, beta).y) };
        },
      },
      {
        name: `layernorm/backward-${strategy}`,
        shape: [B, F],
        tolerance: 1e-4,
        async build(ctx) {
          const rng = new Rng(7);
          const [x, gamma, dy] = [randn(rng, B * F, 2, 1), randn(rng, F, 0.1, 1), randn(rng, B * F)];
          const fw = ref.layerNormForward(x, B, F, gamma, new Float64Array(F));
          const dx = zeros(ctx, B * F);
          const t = { dy: upload(ctx, dy), x: upload(ctx, x), gamma: upload(ctx, gamma), mean: upload(ctx, Float32Array.from(fw.mean)), rstd: upload(ctx, Float32Array.from(fw.rstd)) };
          const ds = await layerNormBackward(ctx, B, F, { ...t, dx, dgamma: zeros(ctx, F), dbeta: zeros(ctx, F) }, strategy);
          const check = async () => relErr(await read(ctx, dx, B * F), ref.layerNormBackward(dy, x, B, F, gamma, fw.mean, fw.rstd).dx);
          return { dispatches: ds, bytes: 4 * 4 * B * F, check };
        },
      },
    ]),
  ),
  ...(['workgroup', 'cols'] as const).flatMap((strategy) =>
    NORM_SHAPES.map(([B, F]): KernelCase => ({
      name: `batchnorm/forward+backward-${strategy}`,
      shape: [B, F],
      tolerance: 1e-4,
      async build(ctx) {
        const rng = new Rng(4);
        const [x, gamma, beta, dy] = [randn(rng, B * F, 2, 1), randn(rng, F, 0.1, 1), randn(rng, F, 0.1), randn(rng, B * F)];
        const t = { x: upload(ctx, x), gamma: upload(ctx, gamma), beta: upload(ctx, beta), mean: zeros(ctx, F), rstd: zeros(ctx, F) };
        const [y, dx] = [zeros(ctx, B * F), zeros(ctx, B * F)];
        const running = { runningMean: zeros(ctx, F), runningVar: upload(ctx, new Float32Array(F).fill(1)) };
        const f = await batchNormForwardTrain(ctx, B, F, { ...t, y, ...running }, strategy);
        const b = await batchNormBackward(ctx, B, F, { ...t, dy: upload(ctx, dy), dx, dgamma: zeros(ctx, F), dbeta: zeros(ctx, F) }, strategy);
        const check = async () => {
          const fw = ref.batchNormForwardTrain(x, B, F, gamma, beta, new Float64Array(F), new Float64Array(F).fill(1));
          const bw = ref.batchNormBackward(dy, x, B, F, gamma, fw.mean, fw.rstd);
          return Math.max(relErr(await read(ctx, y, B * F), fw.y), relErr(await read(ctx, dx, B * F), bw.dx));
        };
        return { dispatches: [f, b], bytes: 4 * 5 * B * F, check };
      },
    })),
  ),
  {
    name: 'softmax-ce/forward+backward',
    shape: [CB, CC],
    tolerance: 1e-4,
    async build(ctx) {
      const rng = new Rng(5);
      const logits = randn(rng, CB * CC, 3);
      const labels = Uint32Array.from({ length: CB }, () => rng.int(CC));
      const dlogits = zeros(ctx, CB * CC);
      const ds = await softmaxCrossEntropy(ctx, CB, CC, { logits: upload(ctx, logits), labels: upload(ctx, labels), dlogits, rowStats: zeros(ctx, ROW_STATS_PER_ROW * CB), out: zeros(ctx, 2) });
      return { dispatches: ds, bytes: 8 * CB * CC, check: async () => relErr(await read(ctx, dlogits, CB * CC), ref.softmaxCrossEntropy(logits, labels, CB, CC).dlogits) };
    },
  },
  {
    name: 'optimizer/adam',
    shape: [N_OPT],
    tolerance: 1e-6,
    async build(ctx) {
      const rng = new Rng(6);
      const [p, g] = [randn(rng, N_OPT), randn(rng, N_OPT, 0.01)];
      const hyper = { lr: 1e-3, momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipMax: 1 };
      const opt = new Optimizer(ctx, 'adam', 'none', hyper);
      opt.setStep(1); // the step counter finalize would have advanced: t = 1
      const gp = upload(ctx, p);
      const ds = await opt.dispatches([{ n: N_OPT, p: gp, g: upload(ctx, g), m: zeros(ctx, N_OPT), v: zeros(ctx, N_OPT) }]);
      const check = async () => {
        const want = ref.adamStep(p, g, new Float64Array(N_OPT), new Float64Array(N_OPT), 1, hyper).p;
        // p after one step; f32 storage rounds p at ~1e-7 of its size, so Δp itself cannot be checked tighter.
        return relErr(await read(ctx, gp, N_OPT), want);
      };
      return { dispatches: ds, bytes: 4 * 7 * N_OPT, check };
    },
  },
  {
    name: 'optimizer/adam+norms',
    shape: [N_OPT],
    tolerance: 1e-5,
    async build(ctx) {
      const rng = new Rng(7);
      const segments = slots(N_OPT);
      const [p, g] = [new Float32Array(N_OPT), new Float32Array(N_OPT)];
      for (const { offset } of segments) {
        p.set(randn(rng, TENSOR), offset);
        g.set(randn(rng, TENSOR, 0.01), offset);
      }
      const hyper = { lr: 1e-3, momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipMax: 1 };
      const opt = new Optimizer(ctx, 'adam', 'none', hyper);
      opt.setStep(1);
      const gp = upload(ctx, p);
      const out = { weights: zeros(ctx, segments.length), weightsBase: 0, deltas: zeros(ctx, segments.length), deltasBase: 0 };
      const ds = await opt.updateWithNorms({ n: N_OPT, p: gp, g: upload(ctx, g), m: zeros(ctx, N_OPT), v: zeros(ctx, N_OPT) }, 0, segments, out);
      const check = async () => {
        const want = ref.adamStep(p, g, new Float64Array(N_OPT), new Float64Array(N_OPT), 1, hyper).p;
        const norm = (x: ArrayLike<number>, off: number) => Math.sqrt(Array.from({ length: TENSOR }, (_, i) => x[off + i]! ** 2).reduce((a, b) => a + b, 0));
        const after = await read(ctx, gp, N_OPT);
        const delta = Float64Array.from(after, (x, i) => x - p[i]!);
        const errs = [
          relErr(after, want),
          relErr(await read(ctx, out.weights, segments.length), segments.map((x) => norm(p, x.offset))),
          relErr(await read(ctx, out.deltas, segments.length), segments.map((x) => norm(delta, x.offset))),
        ];
        return Math.max(...errs);
      };
      return { dispatches: ds, bytes: 4 * 7 * N_OPT, check };
    },
  },
  {
    name: 'reduce/segment-norms',
    shape: [4 * N_ELEM],
    tolerance: 1e-5,
    async build(ctx) {
      const n = 4 * N_ELEM;
      const x = randn(new Rng(8), n);
      const segments = slots(n);
      const out = zeros(ctx, segments.length);
      const ds = await sumSquares(ctx, { x: upload(ctx, x), segments, out });
      const check = async () => relErr(await read(ctx, out, segments.length), ref.segmentedSumSquares(x, segments).map(Math.sqrt));
      return { dispatches: ds, bytes: 4 * n, check };
    },
  },
  {
    name: 'stats/layers-sigmoid',
    shape: [SL, SB, SW],
    tolerance: 1e-5,
    async build(ctx) {
      const rng = new Rng(9);
      const n = SB * SW;
      const [h, u] = [randn(rng, SL * n), randn(rng, SL * n, 3)];
      const layers = Array.from({ length: SL }, (_, l) => ({ h: l * n, u: l * n, slot: l }));
      const out = zeros(ctx, 4 * SL);
      const ds = await layerStats(ctx, 'sigmoid', { rows: SB, cols: SW }, layers, { h: upload(ctx, h), u: upload(ctx, u), out });
      const check = async () => {
        const want: number[] = [];
        const threshold = saturationThreshold('sigmoid');
        for (let l = 0; l < SL; l++) {
          let [sum, sq, sat] = [0, 0, 0];
          for (let i = l * n; i < (l + 1) * n; i++) {
            sum += h[i]!;
            sq += h[i]! ** 2;
            if (ref.activateGrad('sigmoid', u[i]!) < threshold) sat++;
          }
          want.push(sum, sq, sat, 0);
        }
        return relErr(await read(ctx, out, 4 * SL), want);
      };
      return { dispatches: ds, bytes: 4 * 2 * SL * n, check };
    },
  },
];
