import { alignUp, SLOT_ALIGN } from './arena.ts';
import type { Gpu } from './device.ts';
import type { BufferRange, Dispatch, KernelSpec } from './kernel.ts';
import { PipelineCache } from './pipeline-cache.ts';

/** Bytes of uniform space allocated at a time; parameter blocks are deduplicated by content. */
const UNIFORM_CHUNK = 64 * 1024;

/**
 * Per-device caches shared by every kernel: pipelines, bind groups and parameter blocks are
 * created once and found again by key, so building the same thing twice creates nothing new.
 */
export class KernelContext {
  readonly pipelines: PipelineCache;
  readonly created = { buffers: 0, bindGroups: 0 };
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly params = new Map<string, BufferRange>();
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private uniformChunk: GPUBuffer | undefined;
  private uniformUsed = 0;
  private nextBufferId = 1;
  /**
   * Tiny buffers bound where a variant does not use a binding (explicit layouts need every slot).
   * Two of them: one buffer may not be both read-only and writable within one dispatch.
   */
  readonly dummy: BufferRange;
  readonly dummyRw: BufferRange;

  constructor(readonly gpu: Gpu) {
    this.pipelines = new PipelineCache(gpu.device);
    const dummy = (label: string): BufferRange => ({
      buffer: this.createBuffer(label, SLOT_ALIGN, GPUBufferUsage.STORAGE | GPUBufferUsage.UNIFORM),
      offset: 0,
      size: SLOT_ALIGN,
    });
    this.dummy = dummy('dummy');
    this.dummyRw = dummy('dummy-rw');
  }

  get device(): GPUDevice {
    return this.gpu.device;
  }

  get limits(): GPUSupportedLimits {
    return this.gpu.limits;
  }

  createBuffer(label: string, size: number, usage: GPUBufferUsageFlags): GPUBuffer {
    this.created.buffers++;
    return this.device.createBuffer({ label, size: alignUp(size, 4), usage });
  }

  /** A uniform block holding these 32-bit words (u32 by default; f32 where `floats` says so). */
  paramBlock(words: readonly number[], floats: readonly boolean[] = []): BufferRange {
    const data = new ArrayBuffer(alignUp(words.length * 4, 16));
    const u32 = new Uint32Array(data);
    const f32 = new Float32Array(data);
    words.forEach((w, i) => (floats[i] ? (f32[i] = w) : (u32[i] = w)));
    const key = Array.from(u32).join(',');
    const found = this.params.get(key);
    if (found) return found;
    const size = data.byteLength;
    if (!this.uniformChunk || this.uniformUsed + size > UNIFORM_CHUNK) {
      this.uniformChunk = this.createBuffer('params', UNIFORM_CHUNK, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
      this.uniformUsed = 0;
    }
    const range = { buffer: this.uniformChunk, offset: this.uniformUsed, size };
    this.device.queue.writeBuffer(this.uniformChunk, this.uniformUsed, data);
    this.uniformUsed += alignUp(size, this.limits.minUniformBufferOffsetAlignment);
    this.params.set(key, range);
    return range;
  }

  /** Bind `ranges`; bindings left out get a dummy buffer of the right kind. */
  bindGroup<N extends string>(spec: KernelSpec<N>, ranges: Readonly<Partial<Record<N, BufferRange>>>): GPUBindGroup {
    const layout = this.pipelines.layout(spec);
    const entries = spec.bindings.map(([name, kind], binding) => {
      const r = ranges[name] ?? (kind === 'rw' ? this.dummyRw : this.dummy);
      return { binding, resource: { buffer: r.buffer, offset: r.offset, size: r.size } };
    });
    const key =
      spec.bindings.map(([, k]) => k).join(',') +
      '|' +
      entries.map((e) => `${this.bufferId(e.resource.buffer)}@${e.resource.offset}+${e.resource.size}`).join(';');
    let group = this.bindGroups.get(key);
    if (!group) {
      group = this.device.createBindGroup({ layout, entries });
      this.created.bindGroups++;
      this.bindGroups.set(key, group);
    }
    return group;
  }

  async dispatch<N extends string>(
    label: string,
    spec: KernelSpec<N>,
    ranges: Readonly<Partial<Record<N, BufferRange>>>,
    workgroups: readonly [number, number, number],
  ): Promise<Dispatch> {
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (workgroups.some((w) => w > max)) {
      throw new Error(`${label}: dispatch ${workgroups.join('×')} exceeds ${max} workgroups per dimension`);
    }
    const pipeline = await this.pipelines.pipeline(spec);
    return { label, pipeline, bindGroup: this.bindGroup(spec, ranges), workgroups };
  }

  private bufferId(b: GPUBuffer): number {
    let id = this.bufferIds.get(b);
    if (id === undefined) {
      id = this.nextBufferId++;
      this.bufferIds.set(b, id);
    }
    return id;
  }
}
