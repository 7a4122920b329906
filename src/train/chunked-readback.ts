import type { KernelContext } from '../gpu/context.ts';
import { encodeDispatches, type BufferRange, type Dispatch } from '../gpu/kernel.ts';

/**
 * Dispatches encoded before a run yields to the event loop. Encoding costs the page's main thread microseconds a
 * dispatch (each is a command on the wire to the GPU process): a deep net's prediction is hundreds of thousands of
 * them, so a run submits a few chunks at a time and lets frames (and the key that pauses) in between.
 */
export const DISPATCHES_PER_SLICE = 4096;

/**
 * Runs a list of dispatch chunks, copying `src` into a read-back buffer after each chunk (evaluation and
 * prediction reuse the training arenas one batch at a time). A chunk is whole in one submit; a run spans several
 * submits, so a caller that submits training steps meanwhile must hold them off for the run to see one set of weights
 * (the page's RunController does). The read-back buffer is made once;
 * runs are chained so two never map it at once. Waits for the GPU: call it off the training loop.
 */
export class ChunkedReadback {
  private readonly staging: GPUBuffer;
  private last: Promise<unknown> = Promise.resolve();
  private stopped = false;

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

  /** No more submits: the buffers are about to be destroyed (a run between slices rejects). */
  stop(): void {
    this.stopped = true;
  }

  get chunkCount(): number {
    return this.chunks.length;
  }

  private async once(): Promise<ArrayBuffer> {
    let k = 0;
    while (k < this.chunks.length) {
      if (k > 0) await new Promise((r) => setTimeout(r, 0));
      if (this.stopped) throw new Error(`${this.staging.label}: stopped, its network was destroyed`);
      const enc = this.ctx.device.createCommandEncoder();
      let encoded = 0;
      do {
        const pass = enc.beginComputePass();
        encodeDispatches(pass, this.chunks[k]!);
        pass.end();
        enc.copyBufferToBuffer(this.src.buffer, this.src.offset, this.staging, k * this.bytesPerChunk, this.bytesPerChunk);
        encoded += this.chunks[k]!.length;
        k++;
      } while (k < this.chunks.length && encoded + this.chunks[k]!.length <= DISPATCHES_PER_SLICE);
      this.ctx.device.queue.submit([enc.finish()]);
    }
    await this.staging.mapAsync(GPUMapMode.READ);
    const out = this.staging.getMappedRange().slice(0);
    this.staging.unmap();
    return out;
  }
}
