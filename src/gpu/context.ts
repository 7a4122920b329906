import { alignUp, SLOT_ALIGN } from './arena.ts';
import type { Gpu } from './device.ts';
import type { BufferRange, Dispatch, KernelSpec } from './kernel.ts';
import { PipelineCache } from './pipeline-cache.ts';

/** Bytes of uniform space allocated at a time; parameter blocks are deduplicated by content. */
const UNIFORM_CHUNK = 64 * 1024;

/** What a context and its scopes share: parameter blocks (by content) and buffer identities. */
interface SharedCaches {
  readonly params: Map<string, BufferRange>;
  readonly bufferIds: WeakMap<GPUBuffer, number>;
  nextBufferId: number;
  uniformChunk: GPUBuffer | undefined;
  uniformUsed: number;
}

/**
 * Per-device caches shared by every kernel: pipelines, bind groups and parameter blocks are
 * created once and found again by key, so building the same thing twice creates nothing new.
 *
 * A `scope()` is a context for one build (a network and its programs): it shares the pipelines,
 * parameter blocks and dummies of its parent, but owns the buffers made through it and the bind groups
 * that name them, so `destroy()` frees everything the build made and nothing the next build still uses.
 */
export class KernelContext {
  readonly pipelines: PipelineCache;
  /** Counts across the context and all its scopes. `buffersDestroyed` are those freed by scopes. */
  readonly created: { buffers: number; bindGroups: number; buffersDestroyed: number };
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly shared: SharedCaches;
  /** Buffers this scope made and will destroy; null for the root context (its buffers live as long as it). */
  private readonly owned: Set<GPUBuffer> | null;
  private readonly root: KernelContext;
  /**
   * Tiny buffers bound where a variant does not use a binding (explicit layouts need every slot).
   * Two of them: one buffer may not be both read-only and writable within one dispatch.
   */
  readonly dummy: BufferRange;
  readonly dummyRw: BufferRange;

  constructor(
    readonly gpu: Gpu,
    parent?: KernelContext,
  ) {
    if (parent) {
      [this.root, this.pipelines, this.created, this.shared] = [parent.root, parent.pipelines, parent.created, parent.shared];
      [this.dummy, this.dummyRw, this.owned] = [parent.dummy, parent.dummyRw, new Set()];
      return;
    }
    this.root = this;
    this.owned = null;
    this.pipelines = new PipelineCache(gpu.device);
    this.created = { buffers: 0, bindGroups: 0, buffersDestroyed: 0 };
    this.shared = { params: new Map(), bufferIds: new WeakMap(), nextBufferId: 1, uniformChunk: undefined, uniformUsed: 0 };
    const dummy = (label: string): BufferRange => ({
      buffer: this.createBuffer(label, SLOT_ALIGN, GPUBufferUsage.STORAGE | GPUBufferUsage.UNIFORM),
      offset: 0,
      size: SLOT_ALIGN,
    });
    this.dummy = dummy('dummy');
    this.dummyRw = dummy('dummy-rw');
  }

  /** A context for one build: destroy() frees the buffers made through it and forgets their bind groups. */
  scope(): KernelContext {
    return new KernelContext(this.gpu, this.root);
  }

  /** Buffers made through this scope and not yet destroyed (0 for the root context, which owns none). */
  get ownedBuffers(): number {
    return this.owned?.size ?? 0;
  }

  /** Frees this scope's buffers and bind groups; the shared caches stay. The scope must not be used after. */
  destroy(): void {
    if (!this.owned) throw new Error('KernelContext.destroy: only a scope() can be destroyed; the root context lives as long as its device');
    for (const b of this.owned) b.destroy();
    this.created.buffersDestroyed += this.owned.size;
    this.owned.clear();
    this.bindGroups.clear();
  }

  get device(): GPUDevice {
    return this.gpu.device;
  }

  get limits(): GPUSupportedLimits {
    return this.gpu.limits;
  }

  createBuffer(label: string, size: number, usage: GPUBufferUsageFlags): GPUBuffer {
    this.created.buffers++;
    const buffer = this.device.createBuffer({ label, size: alignUp(size, 4), usage });
    this.owned?.add(buffer);
    return buffer;
  }

  /** A uniform block holding these 32-bit words (u32 by default; f32 where `floats` says so). */
  paramBlock(words: readonly number[], floats: readonly boolean[] = []): BufferRange {
    // Blocks are shared by content across builds, so their chunks belong to the root, never to a scope.
    if (this.root !== this) return this.root.paramBlock(words, floats);
    const data = new ArrayBuffer(alignUp(words.length * 4, 16));
    const u32 = new Uint32Array(data);
    const f32 = new Float32Array(data);
    words.forEach((w, i) => (floats[i] ? (f32[i] = w) : (u32[i] = w)));
    const key = Array.from(u32).join(',');
    const sh = this.shared;
    const found = sh.params.get(key);
    if (found) return found;
    const size = data.byteLength;
    if (!sh.uniformChunk || sh.uniformUsed + size > UNIFORM_CHUNK) {
      sh.uniformChunk = this.createBuffer('params', UNIFORM_CHUNK, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
      sh.uniformUsed = 0;
    }
    const range = { buffer: sh.uniformChunk, offset: sh.uniformUsed, size };
    this.device.queue.writeBuffer(sh.uniformChunk, sh.uniformUsed, data);
    sh.uniformUsed += alignUp(size, this.limits.minUniformBufferOffsetAlignment);
    sh.params.set(key, range);
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
    // Valid or not is known later: a build awaits pipelines.settled() before it runs anything.
    const pipeline = this.pipelines.pipelineNow(spec);
    return { label, pipeline, bindGroup: this.bindGroup(spec, ranges), workgroups };
  }

  private bufferId(b: GPUBuffer): number {
    const sh = this.shared;
    let id = sh.bufferIds.get(b);
    if (id === undefined) {
      id = sh.nextBufferId++;
      sh.bufferIds.set(b, id);
    }
    return id;
  }
}
