import type { KernelContext } from '../../src/gpu/context.ts';
import { Rng } from '../../src/math/prng.ts';
import { GraphNetwork } from '../../src/model/graph/graph-network.ts';
import { planGraph } from '../../src/model/graph/graph-plan.ts';
import { mlpGraph } from '../../src/model/graph/mlp.ts';
import type { ModelConfig } from '../../src/model/config.ts';
import { recordGraphStep } from '../../src/train/graph-programs.ts';
import { graphStatsShape } from '../../src/train/graph-stats.ts';
import { StepProgram, type StepOptions } from '../../src/train/step.ts';
import type { BlockParams, NetParams, NetSpec } from '../../src/reference/index.ts';

export type TestShape = Pick<ModelConfig, 'width' | 'depth' | 'activation' | 'norm' | 'residual'> & { inputDim: number; outputDim: number; batch: number; task: 'classification' | 'regression' };

const SGD_FROZEN: StepOptions = {
  optimizer: 'sgd',
  clip: 'none',
  hyper: { lr: 0, momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipMax: 1 },
};

/**
 * A network on the GPU (the graph engine, from the MLP builder) and the same network in float64: Gaussian
 * weights with std `scale`/√fan_in, nonzero γ/β/α (so every gradient path is exercised), one batch as the
 * whole training set. `read(name, arena)` reads a tensor by its state_dict name (from `net.grads` for its gradient).
 */
export async function buildTestNet(ctx: KernelContext, t: TestShape, seed: number, opts: StepOptions = SGD_FROZEN, scale = 1.2) {
  const graph = mlpGraph(t, t);
  const optimizerState = opts.optimizer === 'sgd' ? 0 : opts.optimizer === 'momentum' ? 1 : 2;
  const shape = { batch: t.batch, inputFloats: t.inputDim, targetFloats: t.task === 'classification' ? 1 : t.outputDim, trainSamples: t.batch, testSamples: 1, stepsPerSubmit: 1, optimizerState } as const;
  const plan = planGraph(graph, shape, { maxBinding: ctx.limits.maxStorageBufferBindingSize, budgetBytes: 2 ** 31 });
  const net = new GraphNetwork(ctx, plan);
  const rng = new Rng(seed);
  const gauss = (n: number, std: number) => rng.fill(new Float32Array(n), () => rng.normal() * std) as Float32Array;
  const fanIn = (l: number) => (l === 0 ? t.inputDim : t.width);
  const blocks = Array.from({ length: t.depth }, (_, l) => ({ weight: gauss(t.width * fanIn(l), scale / Math.sqrt(fanIn(l))), bias: gauss(t.width, 0.1) }));
  const head = { weight: gauss(t.outputDim * t.width, 1 / Math.sqrt(t.width)), bias: gauss(t.outputDim, 0.1) };
  const values = new Map<string, Float32Array>([['head.weight', head.weight], ['head.bias', head.bias]]);
  const refBlocks: BlockParams[] = blocks.map((b, l) => {
    values.set(`blocks.${l}.weight`, b.weight);
    values.set(`blocks.${l}.bias`, b.bias);
    return { weight: Float64Array.from(b.weight), bias: Float64Array.from(b.bias) };
  });
  for (const [l, ref] of refBlocks.entries()) {
    if (t.norm !== 'none') {
      const gamma = Float32Array.from(gauss(t.width, 0.2), (v) => 1 + v);
      const beta = gauss(t.width, 0.1);
      values.set(`blocks.${l}.norm.weight`, gamma);
      values.set(`blocks.${l}.norm.bias`, beta);
      ref.gamma = Float64Array.from(gamma);
      ref.beta = Float64Array.from(beta);
      if (t.norm === 'batch') {
        ref.runningMean = new Float64Array(t.width);
        ref.runningVar = new Float64Array(t.width).fill(1);
      }
    }
    if (l > 0 && t.residual === 'rezero') {
      const alpha = new Float32Array([0.3 + 0.05 * l]);
      values.set(`blocks.${l}.alpha`, alpha);
      ref.alpha = alpha[0]!;
    }
  }
  net.loadParams(values);
  const refParams: NetParams = { blocks: refBlocks, head: { weight: Float64Array.from(head.weight), bias: Float64Array.from(head.bias) } };
  const x = gauss(t.batch * t.inputDim, 1);
  const y = t.task === 'classification' ? Uint32Array.from({ length: t.batch }, () => rng.int(t.outputDim)) : gauss(t.batch * t.outputDim, 1);
  net.uploadData({ x, y, n: t.batch }, { x: new Float32Array(t.inputDim), y: t.task === 'classification' ? new Uint32Array(1) : new Float32Array(t.outputDim), n: 0 });
  net.writeIndices(0, Uint32Array.from({ length: t.batch }, (_, i) => i));
  const program = await StepProgram.create(ctx, opts, graphStatsShape(net), (p) => recordGraphStep(net, p));
  const spec: NetSpec = { ...t };
  const params = new Map(plan.paramList.map((p) => [p.name, p]));
  const read = (name: string, arena = net.params) => {
    const p = params.get(name);
    if (!p) throw new Error(`no parameter ${name}`);
    return net.readParam(p, arena);
  };
  return { net, plan, program, refParams, spec, x, y, read };
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
