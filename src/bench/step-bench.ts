import type { KernelContext } from '../gpu/context.ts';
import { resolveConfig } from '../model/config.ts';
import { netLoss } from '../reference/index.ts';
import { makeDataset } from '../train/data/dataset.ts';
import { Trainer } from '../train/trainer.ts';
import type { BenchResult } from './result.ts';
import { median } from './timing.ts';

/** DESIGN.md's training-step benchmark: width 128, batch 128, ReLU + He, SGD, on spiral. */
export function stepConfig(depth: number, stats: boolean) {
  return resolveConfig({
    seed: 1,
    data: { name: 'spiral', samples: 512 },
    model: { depth, width: 128, activation: 'relu', init: { scheme: 'he' } },
    train: { optimizer: 'sgd', lr: 0.01, batchSize: 128, steps: 1_000_000 },
    log: { every: stats ? 1 : 1_000_000 },
  });
}

/**
 * Milliseconds per training step (one submit per step, waited for: the benchmark measures latency of a
 * whole step). Gated first: the GPU loss of the first batch must match the float64 reference forward.
 */
export async function benchStep(ctx: KernelContext, depth: number, stats: boolean): Promise<BenchResult> {
  const config = stepConfig(depth, stats);
  const data = makeDataset(config.data, config.seed);
  const trainer = await Trainer.create(ctx, config, data);
  const name = `step/depth${depth}-width128${stats ? '' : '-nostats'}`;
  const shape = [depth, 128, 128];
  try {
    const maxRelErr = await gate(trainer);
    if (!(maxRelErr <= 1e-4)) return { name, shape, ok: false, maxRelErr, detail: { stats } };
    const samples: number[] = [];
    const budgetMs = 20_000;
    const start = performance.now();
    while (samples.length < 7 && (samples.length < 3 || performance.now() - start < budgetMs)) {
      const t0 = performance.now();
      trainer.submit(1);
      await ctx.device.queue.onSubmittedWorkDone();
      samples.push(performance.now() - t0);
      trainer.drain();
    }
    const ms = median(samples);
    // Forward, two backward matmuls per block: 3 · 2·B·W·W flops (the first block and head are negligible).
    const flops = 3 * 2 * 128 * 128 * 128 * depth;
    return { name, shape, ok: true, maxRelErr, ms, msMin: Math.min(...samples), msMax: Math.max(...samples), gflops: flops / ms / 1e6, detail: { stats, samples: samples.length, timing: 'wall' } };
  } finally {
    trainer.destroy();
  }
}

/** Relative error of the GPU's first-step loss against the float64 forward on the same weights and batch. */
async function gate(trainer: Trainer): Promise<number> {
  const net = trainer.net;
  const { plan } = net;
  const s = plan.shape;
  const read = (slot: Parameters<typeof net.readTensor>[1]) => net.readTensor(net.arenas.params, slot).then((a) => Float64Array.from(a));
  const blocks = [];
  for (const b of plan.blocks) blocks.push({ weight: await read(b.weight), bias: await read(b.bias) });
  const params = { blocks, head: { weight: await read(plan.head.weight), bias: await read(plan.head.bias) } };
  let loss = NaN;
  const every = trainer.logEvery;
  trainer.logEvery = 1;
  await trainer.run(1, (r) => (loss = r.loss));
  trainer.logEvery = every;
  const x = await net.readTensor(net.arenas.batchX, plan.batchX);
  const y = new Uint32Array((await net.readTensor(net.arenas.batchY, plan.batchY)).buffer, 0, s.batch);
  const spec = { inputDim: s.inputDim, outputDim: s.outputDim, width: s.width, depth: s.depth, activation: s.activation, norm: s.norm, residual: s.residual, task: s.task };
  const ref = netLoss(spec, params, x, y, s.batch);
  return Math.abs(loss - ref) / Math.abs(ref);
}
