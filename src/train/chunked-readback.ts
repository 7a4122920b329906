import type { KernelContext } from '../gpu/context.ts';
import { encodeDispatches, type BufferRange, type Dispatch } from '../gpu/kernel.ts';

/**
 * Runs a list of dispatch chunks in one submit, copying `src` into a read-back buffer after each chunk
 * (evaluation and prediction reuse the training arenas one batch at a time). The read-back buffer is made
 * once; runs are chained so two never map it at once. Waits for the GPU: call it off the training loop.
 */
export class ChunkedReadback {
  private readonly staging: GPUBuffer;
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: KernelContext,
    private readonly chunks: readonly Dispatch[][],
    private readonly src: BufferRange,
    private readonly bytesPerChunk: number,
    label: string,
  ) {
    this.staging = ctx.createBuffer(label, bytesPerChunk * Math.max(1, chunks.length), GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  }

  /** Every chunk's copy of `src`, back to back. */
  run(): Promise<ArrayBuffer> {
    const next = this.last.then(() => this.once());
    this.last = next.catch(() => {});
    return next;
  }

  private async once(): Promise<ArrayBuffer> {
    const enc = this.ctx.device.createCommandEncoder();
    this.chunks.forEach((chunk, k) => {
      const pass = enc.beginComputePass();
      encodeDispatches(pass, chunk);
      pass.end();
      enc.copyBufferToBuffer(this.src.buffer, this.src.offset, this.staging, k * this.bytesPerChunk, this.bytesPerChunk);
    });
    this.ctx.device.queue.submit([enc.finish()]);
    await this.staging.mapAsync(GPUMapMode.READ);
    const out = this.staging.getMappedRange().slice(0);
    this.staging.unmap();
    return out;
  }
}
