import { Arena, type Slot } from '../gpu/arena.ts';
import type { KernelContext } from '../gpu/context.ts';
import type { BufferRange } from '../gpu/kernel.ts';
import { readRange } from '../gpu/transfer.ts';
import { ARENAS, type ArenaName, type Plan } from './plan.ts';

/** Initial weights and biases per block and for the head (PyTorch [out, in] layout). */
export interface InitialWeights {
  blocks: readonly { weight: Float32Array; bias: Float32Array }[];
  head: { weight: Float32Array; bias: Float32Array };
}

export interface SplitData {
  x: Float32Array;
  y: Uint32Array | Float32Array;
  n: number;
}

/**
 * A plan made real on a device: every arena allocated once, parameters and data uploaded. Nothing
 * here records work; src/train builds the step program from it.
 */
export class Network {
  readonly arenas: Record<ArenaName, Arena>;
  readonly grads: Arena;
  readonly m: Arena | undefined;
  readonly v: Arena | undefined;

  constructor(
    readonly ctx: KernelContext,
    readonly plan: Plan,
  ) {
    const device = ctx.device;
    this.arenas = Object.fromEntries(ARENAS.map((n) => [n, new Arena(device, plan.arenas[n])])) as Record<ArenaName, Arena>;
    this.grads = new Arena(device, plan.arenas.params);
    this.m = plan.shape.optimizerState >= 1 ? new Arena(device, plan.arenas.params) : undefined;
    this.v = plan.shape.optimizerState >= 2 ? new Arena(device, plan.arenas.params) : undefined;
  }

  /** The range of a slot in the arena that holds it. */
  r(arena: ArenaName, slot: Slot): BufferRange {
    return this.arenas[arena].range(slot);
  }

  p(slot: Slot): BufferRange {
    return this.arenas.params.range(slot);
  }

  g(slot: Slot): BufferRange {
    return this.grads.range(slot);
  }

  /** Write initial parameters: weights and biases as given, γ = 1, β = 0, α = 0 (rezero), running var = 1. */
  loadInitial(init: InitialWeights): void {
    const q = this.ctx.device.queue;
    const put = (arena: Arena, slot: Slot, data: Float32Array): void => {
      if (data.byteLength !== slot.bytes) throw new RangeError(`${slot.name}: ${data.length} values given, ${slot.bytes / 4} expected`);
      q.writeBuffer(arena.buffers[slot.chunk]!, slot.offset, data.buffer, data.byteOffset, data.byteLength);
    };
    const params = this.arenas.params;
    this.plan.blocks.forEach((b, l) => {
      const w = init.blocks[l];
      if (!w) throw new RangeError(`initial weights for block ${l} are missing`);
      put(params, b.weight, w.weight);
      put(params, b.bias, w.bias);
      const width = this.plan.shape.width;
      if (b.gamma && b.beta) {
        put(params, b.gamma, new Float32Array(width).fill(1));
        put(params, b.beta, new Float32Array(width));
      }
      if (b.alpha) put(params, b.alpha, new Float32Array(1));
      if (b.runningMean && b.runningVar) {
        put(this.arenas.running, b.runningMean, new Float32Array(width));
        put(this.arenas.running, b.runningVar, new Float32Array(width).fill(1));
      }
    });
    put(params, this.plan.head.weight, init.head.weight);
    put(params, this.plan.head.bias, init.head.bias);
    this.clearOptimizerState();
  }

  /** Overwrite one named tensor (checkpoint loading). */
  writeTensor(arena: 'params' | 'running', slot: Slot, data: Float32Array): void {
    this.ctx.device.queue.writeBuffer(this.arenas[arena].buffers[slot.chunk]!, slot.offset, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Zero gradients' mirrors and the optimizer's moments (a fresh run). */
  clearOptimizerState(): void {
    for (const arena of [this.m, this.v]) {
      for (const b of arena?.buffers ?? []) this.ctx.device.queue.writeBuffer(b, 0, new Uint8Array(b.size));
    }
  }

  uploadData(train: SplitData, test: SplitData): void {
    const q = this.ctx.device.queue;
    const d = this.plan.data;
    const put = (arena: ArenaName, slot: Slot, a: Float32Array | Uint32Array): void => {
      if (a.byteLength > slot.bytes) throw new RangeError(`${slot.name}: ${a.byteLength} bytes do not fit ${slot.bytes}`);
      if (a.byteLength) q.writeBuffer(this.arenas[arena].buffers[slot.chunk]!, slot.offset, a.buffer, a.byteOffset, a.byteLength);
    };
    put('trainX', d.trainX, train.x);
    put('trainY', d.trainY, train.y);
    put('testX', d.testX, test.x);
    put('testY', d.testY, test.y);
  }

  /** Read a tensor back (checkpoints and tests; waits on the GPU). */
  async readTensor(arena: Arena, slot: Slot): Promise<Float32Array> {
    return new Float32Array(await readRange(this.ctx, arena.range(slot), slot.bytes));
  }

  destroy(): void {
    for (const a of [...Object.values(this.arenas), this.grads, this.m, this.v]) a?.destroy();
  }
}
