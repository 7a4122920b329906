import type { KernelContext } from './context.ts';
import type { BufferRange } from './kernel.ts';

// A function, not a constant: WebGPU's flag globals exist only once an implementation is loaded.
const STORAGE = (): number => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** A new storage buffer holding `data` (build time and tests; never inside a step). */
export function upload(ctx: KernelContext, data: Float32Array | Uint32Array, label = 'upload'): BufferRange {
  const buffer = ctx.createBuffer(label, Math.max(data.byteLength, 4), STORAGE());
  ctx.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return { buffer, offset: 0, size: Math.max(data.byteLength, 4) };
}

/** A zeroed storage buffer of `floats` 32-bit words. */
export function zeros(ctx: KernelContext, floats: number, label = 'zeros'): BufferRange {
  const size = Math.max(floats * 4, 4);
  return { buffer: ctx.createBuffer(label, size, STORAGE()), offset: 0, size };
}

/**
 * Read a range back and wait for it. This waits on the GPU: for tests, checkpoints and the end of a
 * run, never inside the training loop (that goes through ReadbackRing).
 */
export async function readRange(ctx: KernelContext, range: BufferRange, bytes = range.size): Promise<ArrayBuffer> {
  const staging = ctx.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = ctx.device.createCommandEncoder();
  enc.copyBufferToBuffer(range.buffer, range.offset, staging, 0, bytes);
  ctx.device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = staging.getMappedRange().slice(0);
  staging.destroy();
  return out;
}

export async function readF32(ctx: KernelContext, range: BufferRange, count?: number): Promise<Float32Array> {
  return new Float32Array(await readRange(ctx, range, count === undefined ? range.size : count * 4));
}
