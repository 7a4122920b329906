import type { KernelContext } from '../gpu/context.ts';
import { resolveConfig } from '../model/config.ts';
import { graphLoss } from '../reference/graph.ts';
import { makeDataset } from '../train/data/dataset.ts';
import { Trainer } from '../train/trainer.ts';
import type { BenchResult } from './result.ts';
import { median } from './timing.ts';

/** DESIGN.md's training-step benchmark: width 128, batch 128, ReLU + He, SGD, on spiral (tests take it smaller). */
export function stepConfig(depth: number, size: { width?: number; batch?: number } = {}) {
  const { width = 128, batch = 128 } = size;
  return resolveConfig({
    seed: 1,
    data: { name: 'spiral', samples: 512 },
    model: { depth, width, activation: 'relu', init: { scheme: 'he' } },
    train: { optimizer: 'sgd', lr: 0.01, batchSize: batch, steps: 1_000_000 },
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
    const encodes = { logged: [] as number[], plain: [] as number[] };
    const { logged, plain } = await timePairs(ctx, trainer, pairs, STEP_BUDGET_MS, encodes);
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
      result(names[0], logged, { case: `stats ${sign}${costPct.toFixed(1)}%`, stats: true, statsCostMs: costMs, statsCostPct: costPct, ...perStep(trainer, true, encodes.logged) }),
      result(names[1], plain, { case: 'no stats', stats: false, ...perStep(trainer, false, encodes.plain) }),
    ];
  } finally {
    trainer.destroy();
  }
}

/**
 * What one step records: its compute dispatches (all in one submit), and encodeMs, the median host time
 * from the call to record the step until its submit returned (writing the batch's indices, recording every dispatch,
 * submitting): on a real GPU a deep net's step can take less time to run than to record.
 */
function perStep(trainer: Trainer, logged: boolean, encodes: readonly number[]): { dispatchesPerStep: number; encodeMs: number } {
  return { dispatchesPerStep: trainer.program.dispatches(logged), encodeMs: median(encodes) };
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
 * wall time in ms, from submit to completion. `encodes` gets the host's share: until the submit returned.
 */
export async function timeStep(ctx: KernelContext, trainer: Trainer, logged: boolean, encodes?: number[]): Promise<number> {
  trainer.logEvery = logged ? 1 : Number.MAX_SAFE_INTEGER;
  const t0 = performance.now();
  trainer.submit(1);
  encodes?.push(performance.now() - t0);
  await ctx.device.queue.onSubmittedWorkDone();
  const ms = performance.now() - t0;
  trainer.drain();
  return ms;
}

/**
 * Logged and plain steps alternating ABBA (logged, plain, plain, logged, …), so a machine that gets busier or
 * quieter during the run moves both alike: `pairs.min` pairs at least, then more up to `pairs.max` while the
 * budget lasts. logged[i] and plain[i] are a pair; `encodes` gets each kind's encode times (timeStep).
 */
export async function timePairs(
  ctx: KernelContext,
  trainer: Trainer,
  pairs: { min: number; max: number },
  budgetMs = STEP_BUDGET_MS,
  encodes?: { logged: number[]; plain: number[] },
): Promise<{ logged: number[]; plain: number[] }> {
  const logged: number[] = [];
  const plain: number[] = [];
  const start = performance.now();
  while (logged.length < pairs.max && (logged.length < pairs.min || performance.now() - start < budgetMs)) {
    const first = logged.length % 2 === 0;
    if (first) logged.push(await timeStep(ctx, trainer, true, encodes?.logged));
    plain.push(await timeStep(ctx, trainer, false, encodes?.plain));
    if (!first) logged.push(await timeStep(ctx, trainer, true, encodes?.logged));
  }
  return { logged, plain };
}

/** Plain steps timed when the warm-up says fewer than the minimum of ABBA pairs fit the budget. */
export const SLOW_STEP_SAMPLES = 3;

/**
 * How the timed steps go after a warm-up step of `warmMs`: ABBA pairs (plannedPairs, at most `maxPairs`) when at
 * least their minimum fits the budget, else SLOW_STEP_SAMPLES plain steps. `planned` counts plain samples (one per
 * pair); `steps` every timed step, for the estimate.
 */
export function stepTimingPlan(warmMs: number, budgetMs = STEP_BUDGET_MS, maxPairs?: number): { pairs?: { min: number; max: number; planned: number }; planned: number; steps: number } {
  const fit = plannedPairs(2 * warmMs, budgetMs);
  if (budgetMs / Math.max(2 * warmMs, 1e-3) < fit.min) return { planned: SLOW_STEP_SAMPLES, steps: SLOW_STEP_SAMPLES };
  const max = Math.min(fit.max, maxPairs ?? fit.max);
  const pairs = { min: Math.min(fit.min, max), max, planned: Math.min(fit.planned, max) };
  return { pairs, planned: pairs.planned, steps: 2 * pairs.planned };
}

export interface StepTimingOptions {
  /** The timed steps' budget (STEP_BUDGET_MS): whether ABBA pairs fit, and how many past the minimum of 4. */
  budgetMs?: number;
  /** At most this many pairs (16; tests take the minimum). */
  maxPairs?: number;
}

/**
 * One plain warm-up step, then the timed steps stepTimingPlan picks: ABBA pairs, whose median paired difference is
 * the statistics' cost, or SLOW_STEP_SAMPLES plain steps, which leave it unmeasured.
 */
async function timeAfterWarmup(ctx: KernelContext, trainer: Trainer, opts: StepTimingOptions): Promise<{ plain: number[]; encodes: number[]; planned: number; warmMs: number; stats: Record<string, unknown> }> {
  const budgetMs = opts.budgetMs ?? STEP_BUDGET_MS;
  const warmMs = await timeStep(ctx, trainer, false);
  const plan = stepTimingPlan(warmMs, budgetMs, opts.maxPairs);
  const encodes = { logged: [] as number[], plain: [] as number[] };
  if (plan.pairs) {
    const { logged, plain } = await timePairs(ctx, trainer, plan.pairs, budgetMs, encodes);
    const costMs = median(logged.map((ms, i) => ms - plain[i]!));
    return { plain, encodes: encodes.plain, planned: plan.planned, warmMs, stats: { statsCostMs: costMs, statsCostPct: (100 * costMs) / median(plain), loggedMs: median(logged) } };
  }
  const plain: number[] = [];
  for (let i = 0; i < plan.planned; i++) plain.push(await timeStep(ctx, trainer, false, encodes.plain));
  return { plain, encodes: encodes.plain, planned: plan.planned, warmMs, stats: { statsCost: `not measured: ${(warmMs / 1000).toFixed(1)} s steps leave room for fewer than 4 pairs in ${budgetMs / 1000} s` } };
}

/** What one whole-network step case measures, past the trainer it runs on. */
export interface TrainerStepCase {
  name: string;
  shape: number[];
  /** Flops of one training step, for GFLOP/s. */
  flops: number;
  /** Samples a step trains on, and the detail key and short unit of their rate (`imagesPerSecond`, `img/s`). */
  rate: { per: number; key: string; unit: string };
  /** The first-step loss's agreement with the float64 forward. */
  tolerance: number;
  /** graphLoss unless given. */
  reference?: ReferenceLoss;
  buildSeconds: number;
}

/**
 * ms per training step of a built trainer, gated, then timed (the ResNet and LSTM steps).
 *
 * The gate: the GPU's loss on the first step (a logged step) against the float64 forward on the weights before that
 * step and the batch it drew, at the configuration being timed. Then one plain warm-up step, and the timing. When the
 * warm-up says at least 4 pairs fit the step budget (a real GPU), logged and plain steps alternate ABBA as in the
 * MLP's step case, and the logged step's extra cost (every per-row statistic and the readback) is the median paired
 * difference. When they do not (a CPU adapter at batch 128), SLOW_STEP_SAMPLES plain steps are timed and the
 * statistics' cost is not measured: a few percent of a step (the MLP's and ResNet's), below what one or two pairs of
 * steps tens of seconds long on a shared machine can resolve, and each pair would add as much again.
 */
export async function benchTrainerStep(ctx: KernelContext, trainer: Trainer, c: TrainerStepCase, opts: StepTimingOptions = {}): Promise<BenchResult> {
  const { name, shape } = c;
  const gate = await gateFirstStep(trainer, c.reference);
  const gateDetail = { gate: 'first-step loss vs float64 forward', gpuLoss: gate.gpuLoss, refLoss: gate.refLoss, refSeconds: gate.refSeconds, buildSeconds: c.buildSeconds };
  if (!(gate.relErr <= c.tolerance)) return { name, shape, ok: false, maxRelErr: gate.relErr, detail: gateDetail };

  const { plain, encodes, planned, warmMs, stats } = await timeAfterWarmup(ctx, trainer, opts);
  const ms = median(plain);
  const perSecond = (1000 * c.rate.per) / ms;
  return {
    name,
    shape,
    ok: true,
    maxRelErr: gate.relErr,
    ms,
    msMin: Math.min(...plain),
    msMax: Math.max(...plain),
    gflops: c.flops / ms / 1e6,
    detail: {
      case: `${perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toPrecision(2)} ${c.rate.unit}`,
      [c.rate.key]: perSecond,
      ...perStep(trainer, false, encodes),
      samples: plain.length,
      samplesPlanned: planned,
      timing: 'wall',
      warmupMs: warmMs,
      ...stats,
      ...gateDetail,
    },
  };
}

/** The batch a gated step drew, as the float64 references take it: x in the graph's input layout, y as drawn. */
export interface DrawnBatch {
  x: Float64Array;
  /** B class ids (classification), else every float of the targets' slot (its first B × outputs are the batch's). */
  y: ArrayLike<number>;
  batch: number;
}

/** The float64 loss of a whole network from its parameters and buffers by name and one batch. */
export type ReferenceLoss = (params: ReadonlyMap<string, Float64Array>, buffers: ReadonlyMap<string, Float64Array>, batch: DrawnBatch) => number;

/**
 * Run the first step (logged, for its loss) and compare that loss with a float64 forward of the whole network (graphLoss,
 * unless `reference` says otherwise: recurrent nets have their own) on the weights it started from (read before it:
 * the update changes them), the running statistics it started from, and the batch it drew (read after it, with its
 * targets).
 */
export async function gateFirstStep(trainer: Trainer, reference?: ReferenceLoss): Promise<{ relErr: number; gpuLoss: number; refLoss: number; refSeconds: number }> {
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
  const loss = reference ?? ((p, b, batch) => graphLoss(plan.graph, p, b, batch));
  const t0 = performance.now();
  const refLoss = loss(params, buffers, { x, y, batch: B });
  const refSeconds = (performance.now() - t0) / 1000;
  return { relErr: Math.abs(gpuLoss - refLoss) / Math.abs(refLoss), gpuLoss, refLoss, refSeconds };
}
