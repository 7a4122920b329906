import { alignUp, SLOT_ALIGN } from '../gpu/arena.ts';
import type { Dispatch } from '../gpu/kernel.ts';
import type { TilingChoice } from '../kernels/tunables.ts';
import type { GraphNetwork } from '../model/graph/graph-network.ts';
import { EvalProgram } from './eval.ts';
import { GraphPasses } from './graph-passes.ts';

/** How many training samples the end-of-run training metrics read: enough for a 0.03 standard error on accuracy, cheap next to a run. */
export const TRAIN_EVAL_SAMPLES = 1024;

/**
 * Loss and accuracy on the first `samples` training samples, by the test set's own evaluation (eval-mode forward,
 * batch norm on its running statistics, the same loss kernel and per-row read-back): how well the net fits what it
 * was trained on, the quantity a trainability phase diagram plots. Its index buffer is its own (the test set's eval
 * slots stay as they are); everything it makes lives in the network's scope and goes with the trainer.
 */
export async function trainSplitEval(net: GraphNetwork, tiling?: TilingChoice, samples = TRAIN_EVAL_SAMPLES): Promise<EvalProgram> {
  const { plan, ctx } = net;
  const B = plan.shape.batch;
  const n = Math.max(1, Math.min(samples, plan.shape.trainSamples));
  const chunks = Math.ceil(n / B);
  const stride = alignUp(B * 4, SLOT_ALIGN);
  const index = ctx.createBuffer('train eval index', stride * chunks, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
  const lossOut = ctx.createBuffer('train eval loss', 256, GPUBufferUsage.STORAGE);
  const passes = new GraphPasses(net, tiling);
  const forward = await passes.forward('eval');
  const loss = await passes.loss({ buffer: lossOut, offset: 0, size: 256 });
  const list: Dispatch[][] = [];
  for (let k = 0; k < chunks; k++) {
    // The last chunk wraps around to fill the batch; EvalProgram reads only the first n rows.
    ctx.device.queue.writeBuffer(index, k * stride, Uint32Array.from({ length: B }, (_, i) => (k * B + i) % n));
    list.push([...(await passes.gather(k, 'fit', { buffer: index, offset: k * stride, size: B * 4 })), ...forward, ...loss]);
  }
  return EvalProgram.fromChunks(ctx, list, net.r('rowStats', plan.rowStats), { batch: B, testSamples: n, task: plan.graph.task });
}
