import type { KernelContext } from '../gpu/context.ts';
import { resolveConfig } from '../model/config.ts';
import { graphLoss } from '../reference/graph.ts';
import { makeDataset } from '../train/data/dataset.ts';
import { Trainer } from '../train/trainer.ts';
import type { BenchResult } from './result.ts';
import { median } from './timing.ts';

/** DESIGN.md's training-step benchmark: width 128, batch 128, ReLU + He, SGD, on spiral. */
export function stepConfig(depth: number) {
  return resolveConfig({
    seed: 1,
    data: { name: 'spiral', samples: 512 },
    model: { depth, width: 128, activation: 'relu', init: { scheme: 'he' } },
    train: { optimizer: 'sgd', lr: 0.01, batchSize: 128, steps: 1_000_000 },
  });
}

/**
 * Milliseconds per training step with statistics (a logged step: every per-layer statistic, the readback,
 * the phase timestamps) and without, on one network: the two kinds alternate (ABBA), so a machine that
 * gets busier or quieter during the run moves both alike, and the statistics' cost is the median of the
 * paired differences. One submit per step, waited for: the latency of a whole step. Gated first: the GPU
 * loss of the first batch must match the float64 reference forward.
 */
export async function benchStep(ctx: KernelContext, depth: number): Promise<[BenchResult, BenchResult]> {
  const config = stepConfig(depth);
  const data = await makeDataset(config.data, config.seed);
  const trainer = await Trainer.create(ctx, config, data);
  const names = [`step/depth${depth}-width128`, `step/depth${depth}-width128-nostats`] as const;
  const shape = [depth, 128, 128];
  try {
    const maxRelErr = (await gateFirstStep(trainer)).relErr;
    if (!(maxRelErr <= 1e-4)) return [{ name: names[0], shape, ok: false, maxRelErr, detail: { stats: true } }, { name: names[1], shape, ok: false, maxRelErr, detail: { stats: false } }];
    // The gate ran a logged step; one plain one warms the other path. A pair takes about twice its time.
    const warm = 2 * (await timeStep(ctx, trainer, false));
    // The cost is a few percent of a step, and a shared machine moves single steps by more than that: plan as
    // many pairs (4 to 16) as the warm-up says fit the time budget; fewer than planned means the machine slowed.
    const pairs = plannedPairs(warm);
    const { logged, plain } = await timePairs(ctx, trainer, pairs);
    const costMs = median(logged.map((ms, i) => ms - plain[i]!));
    // Forward, two backward matmuls per block: 3 · 2·B·W·W flops (the first block and head are negligible).
    const flops = 3 * 2 * 128 * 128 * 128 * depth;
    const result = (name: string, samples: number[], detail: Record<string, unknown>): BenchResult => {
      const ms = median(samples);
      return { name, shape, ok: true, maxRelErr, ms, msMin: Math.min(...samples), msMax: Math.max(...samples), gflops: flops / ms / 1e6, detail: { samples: samples.length, samplesPlanned: pairs.planned, timing: 'wall', ...detail } };
    };
    const costPct = (100 * costMs) / median(plain);
    const sign = costMs >= 0 ? '+' : '';
    return [
      result(names[0], logged, { case: `stats ${sign}${costPct.toFixed(1)}%`, stats: true, statsCostMs: costMs, statsCostPct: costPct }),
      result(names[1], plain, { case: 'no stats', stats: false }),
    ];
  } finally {
    trainer.destroy();
  }
}

/** The time budget of a step benchmark's timed steps (past the minimum it always takes). */
export const STEP_BUDGET_MS = 45_000;

/** Pairs of steps to take: 4 to 16, as many as the budget holds at the warm-up pair's pace (`planned`). */
export function plannedPairs(warmPairMs: number, budgetMs = STEP_BUDGET_MS): { min: number; max: number; planned: number } {
  const fit = Math.floor(budgetMs / Math.max(warmPairMs, 1e-3));
  return { min: 4, max: 16, planned: Math.min(16, Math.max(4, fit)) };
}

/**
 * One training step, logged (every statistic, the readback) or not, alone in its submit and waited for: its
 * wall time in ms, from submit to completion.
 */
export async function timeStep(ctx: KernelContext, trainer: Trainer, logged: boolean): Promise<number> {
  trainer.logEvery = logged ? 1 : Number.MAX_SAFE_INTEGER;
  const t0 = performance.now();
  trainer.submit(1);
  await ctx.device.queue.onSubmittedWorkDone();
  const ms = performance.now() - t0;
  trainer.drain();
  return ms;
}

/**
 * Logged and plain steps alternating ABBA (logged, plain, plain, logged, …), so a machine that gets busier or
 * quieter during the run moves both alike: `pairs.min` pairs at least, then more up to `pairs.max` while the
 * budget lasts. logged[i] and plain[i] are a pair.
 */
export async function timePairs(ctx: KernelContext, trainer: Trainer, pairs: { min: number; max: number }, budgetMs = STEP_BUDGET_MS): Promise<{ logged: number[]; plain: number[] }> {
  const logged: number[] = [];
  const plain: number[] = [];
  const start = performance.now();
  while (logged.length < pairs.max && (logged.length < pairs.min || performance.now() - start < budgetMs)) {
    const first = logged.length % 2 === 0;
    if (first) logged.push(await timeStep(ctx, trainer, true));
    plain.push(await timeStep(ctx, trainer, false));
    if (!first) logged.push(await timeStep(ctx, trainer, true));
  }
  return { logged, plain };
}

/**
 * Run the first step (logged, for its loss) and compare that loss with the float64 forward of the whole graph on the
 * weights it started from (read before it: the update changes them), the running statistics it started from, and
 * the batch it drew (read after it, with its targets).
 */
export async function gateFirstStep(trainer: Trainer): Promise<{ relErr: number; gpuLoss: number; refLoss: number; refSeconds: number }> {
  const net = trainer.net;
  const { plan } = net;
  const params = new Map<string, Float64Array>();
  for (const p of plan.paramList) params.set(p.name, Float64Array.from(await net.readParam(p)));
  const buffers = new Map<string, Float64Array>();
  for (const b of plan.buffers) buffers.set(b.name, Float64Array.from(await net.readBuffer(b)));
  let gpuLoss = NaN;
  const every = trainer.logEvery;
  trainer.logEvery = 1;
  await trainer.run(1, (r) => (gpuLoss = r.loss));
  trainer.logEvery = every;
  const B = plan.shape.batch;
  const x = Float64Array.from(await net.readValue(plan.schedule.act[plan.graph.input]!));
  const targets = await net.readIo('batchY', plan.batchY);
  const y = plan.graph.task === 'classification' ? new Uint32Array(targets.buffer, 0, B) : targets;
  const t0 = performance.now();
  const refLoss = graphLoss(plan.graph, params, buffers, { x, y, batch: B });
  const refSeconds = (performance.now() - t0) / 1000;
  return { relErr: Math.abs(gpuLoss - refLoss) / Math.abs(refLoss), gpuLoss, refLoss, refSeconds };
}
