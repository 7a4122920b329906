import { alignUp, SLOT_ALIGN } from '../gpu/arena.ts';
import { encodeDispatches, type BufferRange, type Dispatch } from '../gpu/kernel.ts';
import { gatherRows } from '../kernels/data.ts';
import type { Network } from '../model/network.ts';
import { forwardPass } from './passes.ts';

/**
 * The network's outputs on arbitrary points (a grid over a 2-D data set, for the decision boundary).
 * Built once per network: the points are uploaded once, and each prediction is one submit that runs the
 * eval-mode forward pass over them in chunks of the batch size, reusing the training arenas.
 */
export class PredictProgram {
  /** One read-back buffer for every prediction; runs are chained so two never map it at once. */
  private readonly staging: GPUBuffer;
  private last: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly net: Network,
    private readonly chunks: Dispatch[][],
    readonly points: number,
  ) {
    const s = net.plan.shape;
    this.staging = net.ctx.createBuffer('predict read-back', s.batch * s.outputDim * 4 * chunks.length, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  }

  static async build(net: Network, points: Float32Array): Promise<PredictProgram> {
    const { ctx, plan } = net;
    const s = plan.shape;
    const n = points.length / s.inputDim;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`PredictProgram: ${points.length} values are not whole ${s.inputDim}-D points`);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    const src = ctx.createBuffer('predict points', points.byteLength, usage);
    ctx.device.queue.writeBuffer(src, 0, points);
    const chunks = Math.ceil(n / s.batch);
    const stride = alignUp(s.batch * 4, SLOT_ALIGN);
    const index = ctx.createBuffer('predict index', stride * chunks, usage);
    const forward = await forwardPass(net, undefined, 'eval');
    const list: Dispatch[][] = [];
    for (let k = 0; k < chunks; k++) {
      // The last chunk repeats its final point to fill the batch; its extra rows are never read.
      const idx = Uint32Array.from({ length: s.batch }, (_, i) => Math.min(k * s.batch + i, n - 1));
      ctx.device.queue.writeBuffer(index, k * stride, idx);
      const range: BufferRange = { buffer: index, offset: k * stride, size: s.batch * 4 };
      const gather = await gatherRows(ctx, s.batch, s.inputDim, { index: range, src: { buffer: src, offset: 0, size: points.byteLength }, dst: net.r('batchX', plan.batchX) });
      list.push([gather, ...forward]);
    }
    return new PredictProgram(net, list, n);
  }

  /** Logits (points × outputDim) at the current parameters. Waits for the GPU: call it off the frame loop. */
  run(): Promise<Float32Array> {
    const next = this.last.then(() => this.once());
    this.last = next.catch(() => {});
    return next;
  }

  private async once(): Promise<Float32Array> {
    const { ctx, plan } = this.net;
    const s = plan.shape;
    const chunkBytes = s.batch * s.outputDim * 4;
    const staging = this.staging;
    const logits = this.net.r('logits', plan.logits);
    const enc = ctx.device.createCommandEncoder();
    this.chunks.forEach((chunk, k) => {
      const pass = enc.beginComputePass();
      encodeDispatches(pass, chunk);
      pass.end();
      enc.copyBufferToBuffer(logits.buffer, logits.offset, staging, k * chunkBytes, chunkBytes);
    });
    ctx.device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(staging.getMappedRange().slice(0, this.points * s.outputDim * 4));
    staging.unmap();
    return out;
  }
}

/** A res × res grid of 2-D points covering [min, max]² (row-major, y from top to bottom). */
export function gridPoints(res: number, min: number, max: number): Float32Array {
  const out = new Float32Array(res * res * 2);
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res; c++) {
      const i = 2 * (r * res + c);
      out[i] = min + ((c + 0.5) / res) * (max - min);
      out[i + 1] = max - ((r + 0.5) / res) * (max - min);
    }
  }
  return out;
}
