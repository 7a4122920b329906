import { alignUp, SLOT_ALIGN } from '../gpu/arena.ts';
import type { BufferRange, Dispatch } from '../gpu/kernel.ts';
import { gatherRows } from '../kernels/data.ts';
import type { GraphNetwork } from '../model/graph/graph-network.ts';
import { ChunkedReadback } from './chunked-readback.ts';
import { GraphPasses } from './graph-passes.ts';

/**
 * The network's outputs on arbitrary points (a grid over a 2-D data set, for the decision boundary).
 * Built once per network: the points are uploaded once, and each prediction is one submit that runs the
 * eval-mode forward pass over them in chunks of the batch size, reusing the training arenas.
 */
export class PredictProgram {
  private constructor(
    private readonly logits: ChunkedReadback,
    private readonly outputs: number,
  ) {}

  /** Before the network's buffers are destroyed: a prediction under way submits nothing more. */
  stop(): void {
    this.logits.stop();
  }

  /** Batches one prediction runs (each a forward pass over the net). */
  get batches(): number {
    return this.logits.chunkCount;
  }

  static async build(net: GraphNetwork, points: Float32Array): Promise<PredictProgram> {
    const { ctx, plan } = net;
    const s = plan.shape;
    const g = plan.graph;
    const inputDim = s.inputFloats;
    const outputDim = g.tensors[g.output]!.shape.reduce((a, b) => a * b, 1);
    const n = points.length / inputDim;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`PredictProgram: ${points.length} values are not whole ${inputDim}-D points`);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    const src = ctx.createBuffer('predict points', points.byteLength, usage);
    ctx.device.queue.writeBuffer(src, 0, points);
    const chunks = Math.ceil(n / s.batch);
    const stride = alignUp(s.batch * 4, SLOT_ALIGN);
    const index = ctx.createBuffer('predict index', stride * chunks, usage);
    const forward = await new GraphPasses(net).forward('eval');
    const input = net.value(plan.schedule.act[g.input]!);
    const list: Dispatch[][] = [];
    for (let k = 0; k < chunks; k++) {
      // The last chunk repeats its final point to fill the batch; its extra rows are never read.
      const idx = Uint32Array.from({ length: s.batch }, (_, i) => Math.min(k * s.batch + i, n - 1));
      ctx.device.queue.writeBuffer(index, k * stride, idx);
      const range: BufferRange = { buffer: index, offset: k * stride, size: s.batch * 4 };
      const gather = await gatherRows(ctx, s.batch, inputDim, { index: range, src: { buffer: src, offset: 0, size: points.byteLength }, dst: input });
      list.push([gather, ...forward]);
    }
    const logits = new ChunkedReadback(ctx, list, net.value(plan.schedule.act[g.output]!), s.batch * outputDim * 4, 'predict read-back');
    return new PredictProgram(logits, n * outputDim);
  }

  /** Logits (points × outputDim) at the current parameters. Waits for the GPU: call it off the frame loop. */
  async run(): Promise<Float32Array> {
    return new Float32Array(await this.logits.run(), 0, this.outputs);
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
