/**
 * Issue #7's ResNet training steps: a CIFAR ResNet (He et al., 6n + 2 layers, identity shortcuts, batch norm) on
 * 32×32×3 images, one whole step of the graph engine through the same Trainer the CLI and the page drive, in ms per
 * step and images per second.
 */
import type { KernelContext } from '../gpu/context.ts';
import { resolveConfig, type RunConfig } from '../model/config.ts';
import type { Graph } from '../model/graph/graph.ts';
import { resnetGraph } from '../model/graph/resnet.ts';
import { SHAPES_CLASSES, SHAPES_SIZE } from '../train/data/shapes.ts';
import { makeDataset } from '../train/data/index.ts';
import { Trainer } from '../train/trainer.ts';
import type { BenchResult } from './result.ts';
import { gateFirstStep, plannedPairs, STEP_BUDGET_MS, timePairs, timeStep } from './step-bench.ts';
import { median } from './timing.ts';

export interface ResnetStepCase {
  /** Weight layers, 6n + 2. */
  depth: number;
  /** Channels of the first stage (16 in the paper). */
  width: number;
  batch: number;
}

/** Issue #7's two: ResNet-20 and ResNet-56 (16 channels) at batch 128. Both slow: a step is seconds to minutes on a CPU adapter. */
export const RESNET_STEP_CASES: readonly ResnetStepCase[] = [
  { depth: 20, width: 16, batch: 128 },
  { depth: 56, width: 16, batch: 128 },
];

/** The agreement the gate asks of the GPU's first-step loss with the float64 forward (the MLP step's too). */
export const RESNET_GATE_TOLERANCE = 1e-4;

/** Plain steps timed when the warm-up says fewer than the minimum of ABBA pairs fit the budget. */
export const SLOW_STEP_SAMPLES = 3;

/** `step/resnet20-b128`; a width other than the paper's 16 is named (`step/resnet8-w4-b8`). */
export function resnetStepName(c: ResnetStepCase): string {
  return `step/resnet${c.depth}${c.width === 16 ? '' : `-w${c.width}`}-b${c.batch}`;
}

/** The run config: the resnet defaults (batch norm, identity shortcuts, ReLU, He init, SGD) on `shapes`. */
export function resnetStepConfig(c: ResnetStepCase): RunConfig {
  return resolveConfig({
    seed: 1,
    // Twice the batch: a training split (80%) that holds one whole batch. Nothing else reads the data.
    data: { name: 'shapes', samples: Math.max(16, 2 * c.batch) },
    model: { arch: 'resnet', depth: c.depth, width: c.width },
    train: { batchSize: c.batch, steps: 1_000_000 },
  });
}

/** The case's layer graph (on the shapes images), without a device. */
export function resnetStepGraph(c: ResnetStepCase): Graph {
  return resnetGraph(resnetStepConfig(c).model, { height: SHAPES_SIZE, width: SHAPES_SIZE, channels: 3, classes: SHAPES_CLASSES.length });
}

/** Multiply-adds of one forward pass over a batch: every conv and linear node (norms, adds and pooling are noise). */
export function forwardMacs(g: Graph, batch: number): number {
  const size = (t: number) => g.tensors[t]!.shape.reduce((a, b) => a * b, 1);
  let macs = 0;
  for (const n of g.nodes) {
    if (n.kind === 'conv2d') {
      const cin = g.tensors[n.input]!.shape.at(-1)!;
      macs += size(n.output) * cin * n.geometry.kernel ** 2;
    } else if (n.kind === 'linear') macs += size(n.input) * size(n.output);
  }
  return batch * macs;
}

/**
 * How the timed steps go after a warm-up step of `warmMs`: ABBA pairs (plannedPairs, at most `maxPairs`) when at
 * least their minimum fits the budget, else SLOW_STEP_SAMPLES plain steps. `planned` counts plain samples (one per
 * pair); `steps` every timed step, for the estimate.
 */
export function resnetTimingPlan(warmMs: number, budgetMs = STEP_BUDGET_MS, maxPairs?: number): { pairs?: { min: number; max: number; planned: number }; planned: number; steps: number } {
  const fit = plannedPairs(2 * warmMs, budgetMs);
  if (budgetMs / Math.max(2 * warmMs, 1e-3) < fit.min) return { planned: SLOW_STEP_SAMPLES, steps: SLOW_STEP_SAMPLES };
  const max = Math.min(fit.max, maxPairs ?? fit.max);
  const pairs = { min: Math.min(fit.min, max), max, planned: Math.min(fit.planned, max) };
  return { pairs, planned: pairs.planned, steps: 2 * pairs.planned };
}

export interface ResnetStepOptions {
  /** The timed steps' budget (STEP_BUDGET_MS): whether ABBA pairs fit, and how many past the minimum of 4. */
  budgetMs?: number;
  /** At most this many pairs (16; tests take the minimum). */
  maxPairs?: number;
}

/**
 * ms per training step of one ResNet, gated, then timed.
 *
 * The gate: the GPU's loss on the first step (a logged step) against graphLoss, the float64 forward of the whole
 * graph, on the weights before that step and the batch it drew. It runs on the configuration being timed, batch
 * 128 included, not on a smaller one that shares the kernels (the same ResNet at batch 8 compiles the same
 * shaders): batch 128 is what sets the grids and the edges of every conv GEMM (M = B·Ho·Wo), where the values
 * are placed in their arenas, and how many float32 numbers each batch norm sums per channel (131,072 in stage 1,
 * against 8,192 at batch 8), so only the batch that is timed checks the dispatches that are timed. Batch norm
 * also ties every sample's loss to the whole batch, so no sub-batch can be checked on its own. The price is the
 * float64 forward on the CPU: 33–37 s for ResNet-20 on the reference machine (5.2 G multiply-adds), about three
 * times that for ResNet-56; about half a GPU step of each there, a tenth of the case's time, so it stays.
 *
 * Then one plain warm-up step, and the timing. When the warm-up says at least 4 pairs fit the step budget (a real
 * GPU), logged and plain steps alternate ABBA as in the MLP's step case (step-bench.ts), and the logged step's
 * extra cost (every per-row statistic and the readback) is the median paired difference. When they do not (a CPU
 * adapter: ResNet-20 takes over a minute a step), SLOW_STEP_SAMPLES plain steps are timed and the statistics' cost is not
 * measured: it is a percent or two of a step, below what one or two pairs of minute-long steps on a shared
 * machine can resolve, and each pair would add minutes.
 */
export async function benchResnetStep(ctx: KernelContext, c: ResnetStepCase, opts: ResnetStepOptions = {}): Promise<BenchResult> {
  const budgetMs = opts.budgetMs ?? STEP_BUDGET_MS;
  const name = resnetStepName(c);
  const shape = [c.batch, SHAPES_SIZE, SHAPES_SIZE, 3];
  const config = resnetStepConfig(c);
  const data = await makeDataset(config.data, config.seed);
  const t0 = performance.now();
  const trainer = await Trainer.create(ctx, config, data);
  const buildS = (performance.now() - t0) / 1000;
  try {
    const gate = await gateFirstStep(trainer);
    const gateDetail = { gate: 'first-step loss vs float64 forward', gpuLoss: gate.gpuLoss, refLoss: gate.refLoss, refSeconds: gate.refSeconds, buildSeconds: buildS };
    if (!(gate.relErr <= RESNET_GATE_TOLERANCE)) return { name, shape, ok: false, maxRelErr: gate.relErr, detail: gateDetail };

    const dispatches = trainer.program.dispatches(false);
    const warmMs = await timeStep(ctx, trainer, false);
    const plan = resnetTimingPlan(warmMs, budgetMs, opts.maxPairs);
    let plain: number[];
    let stats: Record<string, unknown>;
    if (plan.pairs) {
      const t = await timePairs(ctx, trainer, plan.pairs, budgetMs);
      plain = t.plain;
      const costMs = median(t.logged.map((ms, i) => ms - t.plain[i]!));
      stats = { statsCostMs: costMs, statsCostPct: (100 * costMs) / median(plain), loggedMs: median(t.logged) };
    } else {
      plain = [];
      for (let i = 0; i < plan.planned; i++) plain.push(await timeStep(ctx, trainer, false));
      stats = { statsCost: `not measured: ${(warmMs / 1000).toFixed(1)} s steps leave room for fewer than 4 pairs in ${budgetMs / 1000} s` };
    }
    const ms = median(plain);
    const imagesPerSecond = (1000 * c.batch) / ms;
    // Forward, input gradient, weight gradient: 3 × the forward's multiply-adds, 2 flops each. (The stem's input
    // gradient is not needed; at 0.5% of the work it is left in.)
    const flops = 2 * 3 * forwardMacs(trainer.net.plan.graph, c.batch);
    return {
      name,
      shape,
      ok: true,
      maxRelErr: gate.relErr,
      ms,
      msMin: Math.min(...plain),
      msMax: Math.max(...plain),
      gflops: flops / ms / 1e6,
      detail: {
        case: `${imagesPerSecond >= 100 ? imagesPerSecond.toFixed(0) : imagesPerSecond.toPrecision(2)} img/s`,
        imagesPerSecond,
        dispatches,
        samples: plain.length,
        samplesPlanned: plan.planned,
        timing: 'wall',
        warmupMs: warmMs,
        ...stats,
        ...gateDetail,
      },
    };
  } finally {
    trainer.destroy();
  }
}

