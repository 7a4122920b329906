import type { KernelContext } from '../../src/gpu/context.ts';
import { Rng } from '../../src/math/prng.ts';
import { Network } from '../../src/model/network.ts';
import { makePlan, type NetShape } from '../../src/model/plan.ts';
import { StepProgram, type StepOptions } from '../../src/train/step.ts';
import type { BlockParams, NetParams, NetSpec } from '../../src/reference/index.ts';

export type TestShape = Pick<NetShape, 'inputDim' | 'outputDim' | 'width' | 'depth' | 'batch' | 'activation' | 'norm' | 'residual' | 'task'>;

const SGD_FROZEN: StepOptions = {
  optimizer: 'sgd',
  clip: 'none',
  hyper: { lr: 0, momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipMax: 1 },
};

/**
 * A network on the GPU and the same network in float64: Gaussian weights with std `scale`/√fan_in,
 * nonzero γ/β/α (so every gradient path is exercised), one batch as the whole training set.
 */
export async function buildTestNet(ctx: KernelContext, t: TestShape, seed: number, opts: StepOptions = SGD_FROZEN, scale = 1.2) {
  const shape: NetShape = { ...t, optimizerState: opts.optimizer === 'sgd' ? 0 : opts.optimizer === 'momentum' ? 1 : 2, trainSamples: t.batch, testSamples: 1, stepsPerSubmit: 1 };
  const plan = makePlan(shape, { maxBinding: ctx.limits.maxStorageBufferBindingSize, budgetBytes: 2 ** 31 });
  const net = new Network(ctx, plan);
  const rng = new Rng(seed);
  const gauss = (n: number, std: number) => rng.fill(new Float32Array(n), () => rng.normal() * std) as Float32Array;
  const blocks = plan.blocks.map((b) => ({ weight: gauss(t.width * b.fanIn, scale / Math.sqrt(b.fanIn)), bias: gauss(t.width, 0.1) }));
  const head = { weight: gauss(t.outputDim * t.width, 1 / Math.sqrt(t.width)), bias: gauss(t.outputDim, 0.1) };
  net.loadInitial({ blocks, head });
  const refBlocks: BlockParams[] = plan.blocks.map((b, l) => ({ weight: Float64Array.from(blocks[l]!.weight), bias: Float64Array.from(blocks[l]!.bias) }));
  for (const [l, b] of plan.blocks.entries()) {
    const ref = refBlocks[l]!;
    if (b.gamma && b.beta) {
      const gamma = Float32Array.from(gauss(t.width, 0.2), (v) => 1 + v);
      const beta = gauss(t.width, 0.1);
      net.writeTensor('params', b.gamma, gamma);
      net.writeTensor('params', b.beta, beta);
      ref.gamma = Float64Array.from(gamma);
      ref.beta = Float64Array.from(beta);
      if (t.norm === 'batch') {
        ref.runningMean = new Float64Array(t.width);
        ref.runningVar = new Float64Array(t.width).fill(1);
      }
    }
    if (b.alpha) {
      const alpha = new Float32Array([0.3 + 0.05 * l]);
      net.writeTensor('params', b.alpha, alpha);
      ref.alpha = alpha[0]!;
    }
  }
  const refParams: NetParams = { blocks: refBlocks, head: { weight: Float64Array.from(head.weight), bias: Float64Array.from(head.bias) } };
  const x = gauss(t.batch * t.inputDim, 1);
  const y = t.task === 'classification' ? Uint32Array.from({ length: t.batch }, () => rng.int(t.outputDim)) : gauss(t.batch * t.outputDim, 1);
  net.uploadData({ x, y, n: t.batch }, { x: new Float32Array(t.inputDim), y: t.task === 'classification' ? new Uint32Array(1) : new Float32Array(t.outputDim), n: 0 });
  ctx.device.queue.writeBuffer(net.arenas.index.buffers[0]!, plan.index[0]!.offset, Uint32Array.from({ length: t.batch }, (_, i) => i));
  const program = await StepProgram.build(net, opts);
  const spec: NetSpec = { ...t };
  return { net, plan, program, refParams, spec, x, y };
}

/** Submit one logged step and wait for its statistics snapshot (tests only). */
export async function stepAndRead(ctx: KernelContext, program: StepProgram, step = 1): Promise<ArrayBuffer> {
  const enc = ctx.device.createCommandEncoder();
  const slot = program.encode(enc, 0, true);
  ctx.device.queue.submit([enc.finish()]);
  if (slot === null) throw new Error('readback ring full');
  program.ring.commit(slot, step);
  return (await program.ring.waitFor(slot)).data;
}

export function normRelError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let d = 0;
  let w = 0;
  for (let i = 0; i < want.length; i++) {
    d += (got[i]! - want[i]!) ** 2;
    w += want[i]! ** 2;
  }
  return Math.sqrt(d) / (Math.sqrt(w) || 1);
}
