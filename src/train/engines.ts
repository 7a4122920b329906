/**
 * A network on a device with its step and eval programs, for each architecture: what the Trainer drives.
 * The canonical MLP runs its hand-fused passes (src/train/passes.ts); every other architecture runs the
 * graph engine (src/train/graph-passes.ts).
 */
import type { KernelContext } from '../gpu/context.ts';
import type { TilingChoice } from '../kernels/tunables.ts';
import { pcgHash } from '../kernels/data.ts';
import { OPTIMIZER_STATE } from '../kernels/optimizer.ts';
import { Rng } from '../math/prng.ts';
import type { RunConfig } from '../model/config.ts';
import type { Graph } from '../model/graph/graph.ts';
import { GraphNetwork } from '../model/graph/graph-network.ts';
import { planGraph, type ByteImageInput } from '../model/graph/graph-plan.ts';
import { mlpGraph } from '../model/graph/mlp.ts';
import { resnetGraph } from '../model/graph/resnet.ts';
import { rnnGraph } from '../model/graph/rnn.ts';
import { initGraphParams } from '../model/init.ts';
import { rowSequences } from './data/sequences.ts';
import type { Dataset, SequenceLayout } from './data/types.ts';
import { EvalProgram } from './eval.ts';
import { recordGraphEval, recordGraphStep } from './graph-programs.ts';
import { graphStatsShape } from './graph-stats.ts';
import { StepProgram, type StepOptions } from './step.ts';
import { graphStore, type TensorStore } from '../model/tensor-store.ts';

export interface EngineOptions {
  stepsPerSubmit: number;
  budgetBytes: number;
  tiling?: TilingChoice;
  step: StepOptions;
}

export interface TrainingEngine {
  readonly ctx: KernelContext;
  readonly graph: Graph;
  readonly program: StepProgram;
  readonly evaluator: EvalProgram;
  readonly stepsPerSubmit: number;
  readonly net: GraphNetwork;
  /** Every named tensor, as files see it. */
  readonly store: TensorStore;
  /** The last gathered batch (waits on the GPU): inputs in PyTorch's layout (NCHW for images), targets as the GPU holds them. */
  readBatch(): Promise<{ x: Float32Array; xShape: number[]; y: Float32Array }>;
  /** Index slot k of a submit gets the batch of training step `step` (1-based; it seeds the step's augmentation). */
  writeIndices(k: number, indices: Uint32Array, step: number): void;
  /** Fresh weights from the run's seed; batch norm's running statistics and the optimizer's moments reset. */
  initialize(): void;
  destroy(): void;
}

/** A batch of NHWC images in PyTorch's NCHW order. */
function nchwFromNhwc(x: Float32Array, batch: number, image: { height: number; width: number; channels: number }): Float32Array {
  const { height: H, width: W, channels: C } = image;
  const out = new Float32Array(x.length);
  for (let n = 0; n < batch; n++) {
    for (let i = 0; i < H * W; i++) for (let c = 0; c < C; c++) out[(n * C + c) * H * W + i] = x[(n * H * W + i) * C + c]!;
  }
  return out;
}

/** The batch's shape as PyTorch reads it: [B, T, in] for a recurrent net's sequences, [B, C, H, W] for images, else [B, in]. */
function batchLayout(graph: Graph, batch: number, image: Dataset['image']): { shape: number[]; nchw: boolean } {
  const input = graph.tensors[graph.input]!.shape;
  if (input.length === 2) return { shape: [batch, ...input], nchw: false };
  if (image) return { shape: [batch, image.channels, image.height, image.width], nchw: true };
  return { shape: [batch, ...input], nchw: false };
}

/** data.augment=crop-flip pads by 4 pixels, as He et al. 2016 (§4.2) do on CIFAR-10. */
export const CROP_PAD = 4;

/**
 * The seed of training step `step` (1-based) of a run seeded `seed`: the gather draws each sample's crop and flip
 * from it. A function of the two numbers alone, so a resumed run augments step n exactly as the unbroken run did.
 */
export function augmentSeed(seed: number, step: number): number {
  return pcgHash((pcgHash(seed >>> 0) + step) >>> 0);
}

/** How a data set of image bytes reaches the graph's input: normalized per channel, augmented as the config says. */
function byteImageInput(config: RunConfig, data: Dataset): ByteImageInput | undefined {
  if (!data.bytes) return undefined;
  const { height: H, width: W, channels: C } = data.image;
  return { H, W, C, ...data.bytes, augment: config.data.augment === 'crop-flip' ? { pad: CROP_PAD } : null };
}

/** How a recurrent net reads a data set: its own time steps, or an image's rows (sequential MNIST). */
function sequenceOf(data: Dataset): SequenceLayout {
  if (data.bytes || !(data.sequence || data.image)) {
    throw new RangeError(`model.arch=rnn needs sequences; ${data.name} is not a sequence task (use adding, order or mnist)`);
  }
  return data.sequence ?? rowSequences(data).sequence!;
}

/** The layer graph a config builds on a data set. */
function configGraph(config: RunConfig, data: Dataset): Graph {
  const { model } = config;
  switch (model.arch) {
    case 'mlp':
      return mlpGraph(model, data);
    case 'rnn': {
      const nonlinearity = model.activation === 'relu' ? 'relu' : 'tanh';
      return rnnGraph({ cell: model.cell, nonlinearity, width: model.width, depth: model.depth, bptt: config.train.bptt }, { ...sequenceOf(data), outputDim: data.outputDim, task: data.task });
    }
    case 'resnet':
      if (!data.image) throw new RangeError(`model.arch=resnet needs image data; ${data.name} is not images (use mnist, shapes or cifar10)`);
      return resnetGraph(model, { ...data.image, classes: data.outputDim });
  }
}

export async function buildEngine(ctx: KernelContext, config: RunConfig, data: Dataset, opts: EngineOptions): Promise<TrainingEngine> {
  return graphEngine(ctx, config, data, opts);
}

async function graphEngine(ctx: KernelContext, config: RunConfig, data: Dataset, opts: EngineOptions): Promise<TrainingEngine> {
  const graph = configGraph(config, data);
  const byteImages = byteImageInput(config, data);
  const shape = {
    batch: config.train.batchSize,
    inputFloats: data.inputDim,
    ...(byteImages ? { byteImages } : {}),
    targetFloats: data.task === 'classification' ? 1 : data.outputDim,
    trainSamples: data.train.n,
    testSamples: data.test.n,
    stepsPerSubmit: opts.stepsPerSubmit,
    optimizerState: OPTIMIZER_STATE[config.train.optimizer].length as 0 | 1 | 2,
  };
  const plan = planGraph(graph, shape, { maxBinding: ctx.limits.maxStorageBufferBindingSize, budgetBytes: opts.budgetBytes });
  const net = new GraphNetwork(ctx, plan);
  const initialize = () => net.loadParams(initGraphParams(config.model.init, plan.paramList, new Rng(config.seed)));
  try {
    initialize();
    net.uploadData(data.train, data.test);
    const program = await StepProgram.create(ctx, opts.step, graphStatsShape(net), (p) => recordGraphStep(net, p, opts.tiling));
    const evaluator = await recordGraphEval(net, opts.tiling);
    return {
      ctx,
      graph,
      program,
      evaluator,
      stepsPerSubmit: opts.stepsPerSubmit,
      net,
      store: graphStore(net, `${config.model.arch} depth ${config.model.depth}, width ${config.model.width}, norm ${config.model.norm}, residual ${config.model.residual}`),
      readBatch: async () => {
        const x = await net.readValue(plan.schedule.act[graph.input]!);
        const image = data.image;
        const layout = batchLayout(graph, shape.batch, image);
        return {
          x: image && layout.nchw ? nchwFromNhwc(x, shape.batch, image) : x,
          xShape: layout.shape,
          y: await net.readIo('batchY', plan.batchY),
        };
      },
      writeIndices: (k, indices, step) => net.writeIndices(k, indices, byteImages?.augment ? augmentSeed(config.seed, step) : undefined),
      initialize,
      destroy: () => {
        evaluator.stop();
        program.destroy();
        net.destroy();
      },
    };
  } catch (e) {
    net.destroy();
    throw e;
  }
}
