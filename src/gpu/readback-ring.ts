/** A ready snapshot: what the producer tagged it with (a step number) and its bytes. */
export interface Readback<T> {
  readonly tag: T;
  readonly data: ArrayBuffer;
}

type SlotState = 'free' | 'pending' | 'ready';

export interface RingCopy {
  src: GPUBuffer;
  srcOffset: number;
  dstOffset: number;
  size: number;
}

interface RingSlot<T> {
  buffer: GPUBuffer;
  state: SlotState;
  tag: T | undefined;
  seq: number;
  /** The ring's epoch when the snapshot was committed; older epochs are dropped unread. */
  epoch: number;
  mapped: Promise<void>;
}

/**
 * A ring of mappable buffers for reading results back without stalling the GPU queue.
 * The producer copies into a free slot and calls mapAsync without awaiting it; when every slot is
 * still in flight, that copy is skipped (the reader is slower than the steps, and only the newest
 * snapshot matters). The consumer takes the newest ready slot.
 */
export class ReadbackRing<T> {
  private readonly slots: RingSlot<T>[];
  private seq = 0;
  private epoch = 0;
  skipped = 0;

  constructor(
    device: GPUDevice,
    readonly bytes: number,
    count = 3,
  ) {
    this.slots = Array.from({ length: count }, (_, i) => ({
      buffer: device.createBuffer({
        label: `readback[${i}]`,
        size: bytes,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      }),
      state: 'free' as SlotState,
      tag: undefined,
      seq: 0,
      epoch: 0,
      mapped: Promise.resolve(),
    }));
  }

  /** Reserve a free slot and record the copy into it; null when all slots are busy. */
  encodeCopy(encoder: GPUCommandEncoder, src: GPUBuffer, srcOffset = 0): number | null {
    return this.encodeCopies(encoder, [{ src, srcOffset, dstOffset: 0, size: this.bytes }]);
  }

  /** Like encodeCopy, gathering several ranges into one snapshot. */
  encodeCopies(encoder: GPUCommandEncoder, copies: readonly RingCopy[]): number | null {
    const i = this.slots.findIndex((s) => s.state === 'free');
    if (i < 0) {
      this.skipped++;
      return null;
    }
    for (const c of copies) encoder.copyBufferToBuffer(c.src, c.srcOffset, this.slots[i]!.buffer, c.dstOffset, c.size);
    this.slots[i]!.state = 'pending';
    return i;
  }

  /** Call after the submit that holds the copy: starts mapping, never waits. */
  commit(slot: number, tag: T): void {
    const s = this.slots[slot]!;
    s.tag = tag;
    s.seq = ++this.seq;
    s.epoch = this.epoch;
    s.mapped = s.buffer.mapAsync(GPUMapMode.READ).then(
      () => {
        s.state = 'ready';
      },
      () => {
        s.state = 'free'; // device lost or destroyed: nothing to read
      },
    );
  }

  /**
   * Drop every snapshot committed so far, read or not: those still mapping are freed unread when they
   * arrive. A producer that starts over (a training run reset to step 0) calls this so that nothing it
   * tagged before can come out afterwards.
   */
  discardCommitted(): void {
    this.epoch++;
    this.freeStale();
  }

  private freeStale(): void {
    for (const s of this.slots) {
      if (s.state === 'ready' && s.epoch !== this.epoch) {
        s.buffer.unmap();
        s.state = 'free';
      }
    }
  }

  /** The newest ready snapshot (copied out), freeing it and every older ready slot; null if none. */
  takeNewest(): Readback<T> | null {
    this.freeStale();
    let best: RingSlot<T> | undefined;
    for (const s of this.slots) if (s.state === 'ready' && (!best || s.seq > best.seq)) best = s;
    if (!best) return null;
    const data = best.buffer.getMappedRange().slice(0);
    const tag = best.tag as T;
    for (const s of this.slots) {
      if (s.state === 'ready' && s.seq <= best.seq) {
        s.buffer.unmap();
        s.state = 'free';
      }
    }
    return { tag, data };
  }

  /** Every ready snapshot, oldest first (for consumers that need each record, like a run log). */
  takeReady(): Readback<T>[] {
    this.freeStale();
    const ready = this.slots.filter((s) => s.state === 'ready').sort((a, b) => a.seq - b.seq);
    return ready.map((s) => {
      const data = s.buffer.getMappedRange().slice(0);
      s.buffer.unmap();
      s.state = 'free';
      return { tag: s.tag as T, data };
    });
  }

  /** Resolves when every pending slot has finished mapping (flow control and shutdown). */
  async settled(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.mapped));
  }

  /** Resolve with the snapshot of `slot` once it is mapped (tests and one-off reads only). */
  async waitFor(slot: number): Promise<Readback<T>> {
    const s = this.slots[slot]!;
    await s.mapped;
    const data = s.buffer.getMappedRange().slice(0);
    s.buffer.unmap();
    s.state = 'free';
    return { tag: s.tag as T, data };
  }

  get inFlight(): number {
    return this.slots.filter((s) => s.state === 'pending').length;
  }

  destroy(): void {
    for (const s of this.slots) s.buffer.destroy();
  }
}
