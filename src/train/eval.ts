import type { Dispatch } from '../gpu/kernel.ts';
import { ROW_STATS_PER_ROW } from '../kernels/loss.ts';
import type { TilingChoice } from '../kernels/tunables.ts';
import type { Network } from '../model/network.ts';
import { ChunkedReadback } from './chunked-readback.ts';
import { forwardPass, gatherPass, lossPass } from './passes.ts';

export interface EvalResult {
  loss: number;
  accuracy: number | null;
  samples: number;
}

/**
 * Test-set loss and accuracy. Runs the forward pass over the test set in chunks of the training batch
 * size, reusing the training arenas (a step recomputes them all), with batch norm on its running
 * statistics. Built once; each evaluation is one submit and one readback of the per-row losses.
 */
export class EvalProgram {
  private constructor(
    private readonly net: Network,
    private readonly rows: ChunkedReadback,
  ) {}

  static async build(net: Network, tiling?: TilingChoice): Promise<EvalProgram> {
    const { plan, ctx } = net;
    const s = plan.shape;
    const lossOut = ctx.createBuffer('eval loss', 256, GPUBufferUsage.STORAGE);
    const forward = await forwardPass(net, tiling, 'eval');
    const loss = await lossPass(net, { buffer: lossOut, offset: 0, size: 256 });
    const chunks: Dispatch[][] = [];
    for (let k = 0; k < plan.evalIndex.length; k++) chunks.push([...(await gatherPass(net, k, 'test')), ...forward, ...loss]);
    const n = s.testSamples;
    const indices = new Uint32Array(s.batch);
    plan.evalIndex.forEach((slot, k) => {
      for (let i = 0; i < s.batch; i++) indices[i] = (k * s.batch + i) % Math.max(1, n);
      ctx.device.queue.writeBuffer(net.arenas.evalIndex.buffers[slot.chunk]!, slot.offset, indices);
    });
    const rowBytes = s.batch * ROW_STATS_PER_ROW * 4;
    return new EvalProgram(net, new ChunkedReadback(ctx, chunks, net.r('rowStats', plan.rowStats), rowBytes, 'eval read-back'));
  }

  /** Evaluate the current parameters (waits for the GPU: call it between steps, not inside the loop). */
  async run(): Promise<EvalResult | null> {
    const s = this.net.plan.shape;
    if (s.testSamples === 0) return null;
    const f = new Float32Array(await this.rows.run());
    let loss = 0;
    let hits = 0;
    for (let i = 0; i < s.testSamples; i++) {
      loss += f[i * ROW_STATS_PER_ROW]!;
      hits += f[i * ROW_STATS_PER_ROW + 1]!;
    }
    // Each row holds its sample's loss (cross-entropy) or mean squared error over outputs (MSE).
    return { loss: loss / s.testSamples, accuracy: s.task === 'classification' ? hits / s.testSamples : null, samples: s.testSamples };
  }
}
