/**
 * A GraphPlan made real on a device: every arena allocated once, parameters and data written. Nothing here
 * records work; src/train/graph-step.ts builds the step from it.
 */
import { Arena, ArenaLayout, type Slot } from '../../gpu/arena.ts';
import type { KernelContext } from '../../gpu/context.ts';
import type { BufferRange } from '../../gpu/kernel.ts';
import { readRange } from '../../gpu/transfer.ts';
import { packBytes } from '../../kernels/data.ts';
import { ohwiFromOihw, oihwFromOhwi } from '../../math/weight-layout.ts';
import { IO_ARENAS, type GraphPlan, type IoArena, type PlannedBuffer, type PlannedParam } from './graph-plan.ts';
import type { ValueId } from './schedule.ts';

/** One split of a data set as the GPU holds it: n rows of inputs (floats, or image bytes), class ids or target rows. */
export type SplitData = { x: Float32Array; y: Uint32Array | Float32Array; n: number } | { pixels: Uint8Array; y: Uint32Array; n: number };

/** Tensors by PyTorch name, in PyTorch's layout. */
export type NamedTensors = ReadonlyMap<string, Float32Array>;

export class GraphNetwork {
  readonly params: Arena;
  readonly grads: Arena;
  readonly m: Arena | undefined;
  readonly v: Arena | undefined;
  readonly running: Arena;
  readonly values: Arena[];
  readonly io: Record<IoArena, Arena>;
  /** A training batch's ids and the step's seed, staged for one writeBuffer (plans that augment). */
  private indexWords: Uint32Array | undefined;

  constructor(
    readonly ctx: KernelContext,
    readonly plan: GraphPlan,
  ) {
    const device = ctx.device;
    this.params = new Arena(device, plan.params);
    this.grads = new Arena(device, plan.params);
    this.m = plan.shape.optimizerState >= 1 ? new Arena(device, plan.params) : undefined;
    this.v = plan.shape.optimizerState >= 2 ? new Arena(device, plan.params) : undefined;
    this.running = new Arena(device, plan.running);
    this.values = plan.placement.arenas.map((a) => {
      const layout = new ArenaLayout(a.label, Number.MAX_SAFE_INTEGER);
      layout.chunkBytes.splice(0, 1, ...(a.chunkBytes.length ? a.chunkBytes : [0]));
      return new Arena(device, layout);
    });
    this.io = Object.fromEntries(IO_ARENAS.map((n) => [n, new Arena(device, plan.io[n])])) as Record<IoArena, Arena>;
  }

  /** Where a value of the step lives. */
  value(v: ValueId): BufferRange {
    const { arena, slot } = this.plan.placement.slots[v]!;
    return this.values[arena]!.range(slot);
  }

  /** The whole chunk a value lives in, and the value's float offset there (kernels that sweep many tensors). */
  valueChunk(v: ValueId): { key: string; range: BufferRange; offset: number } {
    const { arena, slot } = this.plan.placement.slots[v]!;
    return { key: `${arena}/${slot.chunk}`, range: this.values[arena]!.chunk(slot.chunk), offset: slot.offset / 4 };
  }

  r(arena: IoArena, slot: Slot): BufferRange {
    return this.io[arena].range(slot);
  }

  p(p: PlannedParam): BufferRange {
    return this.params.range(p.slot);
  }

  g(p: PlannedParam): BufferRange {
    return this.grads.range(p.slot);
  }

  b(b: PlannedBuffer): BufferRange {
    return this.running.range(b.slot);
  }

  /** Write parameters given in PyTorch's layout, and reset the running statistics (mean 0, variance 1). */
  loadParams(values: NamedTensors): void {
    for (const p of this.plan.paramList) {
      const data = values.get(p.name);
      if (!data) throw new RangeError(`no initial value for ${p.name}`);
      this.writeParam(p, data);
    }
    for (const b of this.plan.buffers) this.write(this.running, b.slot, new Float32Array(b.slot.bytes / 4).fill(b.role === 'running_var' ? 1 : 0));
    this.clearOptimizerState();
  }

  /** One parameter (or its gradient or a moment: pass that arena) from PyTorch's layout (checkpoints, tests). */
  writeParam(p: PlannedParam, data: Float32Array, arena: Arena = this.params): void {
    if (data.length * 4 !== p.slot.bytes) throw new RangeError(`${p.name}: ${data.length} values given, ${p.slot.bytes / 4} expected`);
    this.write(arena, p.slot, p.gpuLayout === 'ohwi' ? ohwiFromOihw(data, p.shape) : data);
  }

  writeBuffer(b: PlannedBuffer, data: Float32Array): void {
    this.write(this.running, b.slot, data);
  }

  /** A parameter (or its gradient, or a moment: pass that arena) in PyTorch's layout; waits on the GPU. */
  async readParam(p: PlannedParam, arena: Arena = this.params): Promise<Float32Array> {
    const data = await this.read(arena, p.slot);
    return p.gpuLayout === 'ohwi' ? oihwFromOhwi(data, p.shape) : data;
  }

  async readBuffer(b: PlannedBuffer): Promise<Float32Array> {
    return this.read(this.running, b.slot);
  }

  async readValue(v: ValueId): Promise<Float32Array> {
    const { slot } = this.plan.placement.slots[v]!;
    return new Float32Array(await readRange(this.ctx, this.value(v), slot.bytes));
  }

  async readIo(arena: IoArena, slot: Slot): Promise<Float32Array> {
    return new Float32Array(await readRange(this.ctx, this.r(arena, slot), slot.bytes));
  }

  clearOptimizerState(): void {
    for (const arena of [this.m, this.v]) {
      for (const b of arena?.buffers ?? []) this.ctx.device.queue.writeBuffer(b, 0, new Uint8Array(b.size));
    }
  }

  uploadData(train: SplitData, test: SplitData): void {
    const d = this.plan.data;
    const bytes = this.plan.shape.byteImages !== undefined;
    const put = (arena: IoArena, slot: Slot, a: Float32Array | Uint32Array): void => {
      if (a.byteLength > slot.bytes) throw new RangeError(`${slot.name}: ${a.byteLength} bytes do not fit ${slot.bytes}`);
      if (a.byteLength) this.write(this.io[arena], slot, a);
    };
    const inputs = (s: SplitData, name: string): Float32Array | Uint32Array => {
      if (('pixels' in s) !== bytes) throw new RangeError(`${name}: the plan keeps inputs as ${bytes ? 'image bytes' : 'floats'}, the data set as ${bytes ? 'floats' : 'bytes'}`);
      return 'pixels' in s ? packBytes(s.pixels) : s.x;
    };
    put('trainX', d.trainX, inputs(train, 'trainX'));
    put('trainY', d.trainY, train.y);
    put('testX', d.testX, inputs(test, 'testX'));
    put('testY', d.testY, test.y);
  }

  /**
   * Index slot k of a submit: the batch's B sample ids, and when the plan augments, the step's seed after them
   * (the gather draws each sample's crop and flip from it), written together in one writeBuffer.
   */
  writeIndices(k: number, indices: Uint32Array, seed?: number): void {
    const augment = this.plan.shape.byteImages?.augment;
    if (!augment) {
      this.write(this.io.index, this.plan.index[k]!, indices);
      return;
    }
    if (seed === undefined) throw new RangeError('writeIndices: this plan augments its training batches, so each step needs a seed');
    const words = (this.indexWords ??= new Uint32Array(indices.length + 1));
    if (words.length !== indices.length + 1) throw new RangeError(`writeIndices: ${indices.length} ids given, ${words.length - 1} expected`);
    words.set(indices);
    words[indices.length] = seed >>> 0;
    this.write(this.io.index, this.plan.index[k]!, words);
  }

  private write(arena: Arena, slot: Slot, data: Float32Array | Uint32Array): void {
    this.ctx.device.queue.writeBuffer(arena.buffers[slot.chunk]!, slot.offset, data.buffer, data.byteOffset, data.byteLength);
  }

  private async read(arena: Arena, slot: Slot): Promise<Float32Array> {
    return new Float32Array(await readRange(this.ctx, arena.range(slot), slot.bytes));
  }

  destroy(): void {
    for (const a of [this.params, this.grads, this.m, this.v, this.running, ...this.values, ...Object.values(this.io)]) a?.destroy();
  }
}
