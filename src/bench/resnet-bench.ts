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
import { benchTrainerStep, type StepTimingOptions } from './step-bench.ts';

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
 * ms per training step of one ResNet, gated, then timed (benchTrainerStep).
 *
 * The gate runs on the configuration being timed, batch 128 included, not on a smaller one that shares the kernels
 * (the same ResNet at batch 8 compiles the same shaders): batch 128 is what sets the grids and the edges of every
 * conv GEMM (M = B·Ho·Wo), where the values are placed in their arenas, and how many float32 numbers each batch norm
 * sums per channel (131,072 in stage 1, against 8,192 at batch 8), so only the batch that is timed checks the
 * dispatches that are timed. Batch norm also ties every sample's loss to the whole batch, so no sub-batch can be
 * checked on its own. The price is graphLoss, the float64 forward on the CPU: 33–37 s for ResNet-20 on the reference
 * machine (5.2 G multiply-adds), about three times that for ResNet-56; about half a GPU step of each there, a tenth
 * of the case's time, so it stays. On a CPU adapter (ResNet-20 takes over a minute a step) the statistics' cost is
 * not measured.
 */
export async function benchResnetStep(ctx: KernelContext, c: ResnetStepCase, opts: StepTimingOptions = {}): Promise<BenchResult> {
  const config = resnetStepConfig(c);
  const data = await makeDataset(config.data, config.seed);
  const t0 = performance.now();
  const trainer = await Trainer.create(ctx, config, data);
  const buildSeconds = (performance.now() - t0) / 1000;
  try {
    // Forward, input gradient, weight gradient: 3 × the forward's multiply-adds, 2 flops each. (The stem's input
    // gradient is not needed; at 0.5% of the work it is left in.)
    const flops = 2 * 3 * forwardMacs(trainer.net.plan.graph, c.batch);
    const step = { name: resnetStepName(c), shape: [c.batch, SHAPES_SIZE, SHAPES_SIZE, 3], flops, buildSeconds };
    return await benchTrainerStep(ctx, trainer, { ...step, rate: { per: c.batch, key: 'imagesPerSecond', unit: 'img/s' }, tolerance: RESNET_GATE_TOLERANCE }, opts);
  } finally {
    trainer.destroy();
  }
}
