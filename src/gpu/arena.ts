import { LimitError } from './errors.ts';
import type { BufferRange } from './kernel.ts';

/** WebGPU's minStorageBufferOffsetAlignment is at most 256 on every adapter; align every slot to it. */
export const SLOT_ALIGN = 256;

export const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Where a named tensor lives in an arena: chunk index and byte range. */
export interface Slot {
  readonly name: string;
  readonly chunk: number;
  readonly offset: number;
  readonly bytes: number;
}

/**
 * The pure half of an arena: byte offsets for named tensors, packed into chunks no larger than
 * `maxChunkBytes` (the device's binding limit). Plans build these without a device, so a plan
 * that cannot fit is refused before anything is allocated.
 */
export class ArenaLayout {
  readonly slots: Slot[] = [];
  readonly chunkBytes: number[] = [0];

  constructor(
    readonly label: string,
    readonly maxChunkBytes: number,
  ) {}

  add(name: string, bytes: number): Slot {
    const size = alignUp(Math.max(bytes, 4), SLOT_ALIGN);
    if (size > this.maxChunkBytes) {
      throw new LimitError(
        `${this.label}: tensor ${name} needs ${size} bytes, but one buffer binding holds at most ${this.maxChunkBytes} bytes on this device. Use a smaller width or batch size.`,
      );
    }
    let chunk = this.chunkBytes.length - 1;
    if (this.chunkBytes[chunk]! + size > this.maxChunkBytes) {
      this.chunkBytes.push(0);
      chunk++;
    }
    const slot: Slot = { name, chunk, offset: this.chunkBytes[chunk]!, bytes };
    this.chunkBytes[chunk]! += size;
    this.slots.push(slot);
    return slot;
  }

  get totalBytes(): number {
    return this.chunkBytes.reduce((a, b) => a + b, 0);
  }
}

/** An ArenaLayout made real: one GPUBuffer per chunk. */
export class Arena {
  readonly buffers: GPUBuffer[];

  constructor(
    device: GPUDevice,
    readonly layout: ArenaLayout,
    usage: GPUBufferUsageFlags = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  ) {
    this.buffers = layout.chunkBytes.map((bytes, i) =>
      device.createBuffer({ label: `${layout.label}[${i}]`, size: Math.max(bytes, SLOT_ALIGN), usage }),
    );
  }

  range(slot: Slot): BufferRange {
    return { buffer: this.buffers[slot.chunk]!, offset: slot.offset, size: alignUp(slot.bytes, 4) };
  }

  /** The whole used part of chunk i, for kernels that sweep an arena in one dispatch. */
  chunk(i: number): BufferRange {
    return { buffer: this.buffers[i]!, offset: 0, size: Math.max(this.layout.chunkBytes[i]!, SLOT_ALIGN) };
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
  }
}
