import { Arena, type Slot } from '../gpu/arena.ts';
import type { KernelContext } from '../gpu/context.ts';
import { encodeDispatches, type BufferRange, type Dispatch } from '../gpu/kernel.ts';
import { ReadbackRing } from '../gpu/readback-ring.ts';
import { upload, zeros } from '../gpu/transfer.ts';
import { Optimizer, type OptimizerHyper, type OptimizerKind } from '../kernels/optimizer.ts';
import { columnSegments } from '../kernels/linear.ts';
import { segmentNorms, sumSquares, sumSquaresWithClamped, type ClipMode, type Segment } from '../kernels/reduce.ts';
import { layerStats, type StatsLayer } from '../kernels/stats.ts';
import type { TilingChoice } from '../kernels/tunables.ts';
import { CLIP_BYTES, PHASES, StatsLayout, type StatsShape } from './stats-layout.ts';

/** The dispatch lists of a step, by pass; the program replays them (StepProgram.create). */
export interface StepPasses {
  /** One gather per index slot of a submit. */
  gather: Dispatch[][];
  forward: Dispatch[];
  loss: Dispatch[];
  backward: Dispatch[];
  /** The backward of a logged step (it may leave partial sums for the statistics on the way). */
  backwardLogged: Dispatch[];
  /** Gradient norms and the optimizer's finalize. */
  norms: Dispatch[];
  /** The same for a logged step (a value-clipping run's also sums the clamped gradients); `norms` when absent. */
  normsLogged?: Dispatch[];
  /** Logged steps only, after the norms and before the update. */
  statistics: Dispatch[];
  update: { plain: Dispatch[]; logged: Dispatch[]; after: Dispatch[] };
  /** `forward` and `backwardLogged` by row segment (src/train/layer-timing.ts), for layer-timed steps. */
  rows?: { forward: Dispatch[][]; backward: Dispatch[][] };
}

/** How a logged step is timed: not at all, phase by phase (StepRecord.phaseMs) or row by row (StepRecord.layerMs). */
export type StepTiming = 'none' | 'phases' | 'layers';

/** WebGPU's limit on the queries of one query set. */
const MAX_QUERIES = 4096;

export interface StepOptions {
  optimizer: OptimizerKind;
  clip: ClipMode;
  hyper: OptimizerHyper;
  tiling?: TilingChoice;
}

/** Tensors grouped by the arena chunk that holds them: each chunk's segments (floats) and its first out index. */
function byChunk(entries: readonly { slot: Slot; out: number }[]): Map<number, { segments: Segment[]; outBase: number }> {
  const chunks = new Map<number, { segments: Segment[]; outBase: number }>();
  for (const { slot, out } of entries) {
    const c = chunks.get(slot.chunk) ?? { segments: [], outBase: out };
    c.segments.push({ offset: slot.offset / 4, length: slot.bytes / 4 });
    chunks.set(slot.chunk, c);
  }
  return chunks;
}

/** ‖x‖ of each slot, several per arena chunk, written to out[outIndex]: one sumSquares per chunk. */
async function sumsBySlot(ctx: KernelContext, arena: Arena, entries: readonly { slot: Slot; out: number }[], out: BufferRange): Promise<Dispatch[]> {
  const dispatches: Dispatch[] = [];
  for (const [chunk, { segments, outBase }] of byChunk(entries)) {
    dispatches.push(...(await sumSquares(ctx, { x: arena.chunk(chunk), segments, out, outBase })));
  }
  return dispatches;
}

/**
 * A whole training step, built once: the dispatch lists are made when the network is built and replayed
 * into one command encoder per submit. Logged steps add the statistics and a copy into the readback ring.
 */
export class StepProgram {
  readonly stats: StatsLayout;
  readonly statsBuffer: Arena;
  readonly ring: ReadbackRing<number>;
  private gather: Dispatch[][] = [];
  private train: Dispatch[] = [];
  /**
   * A logged step's `train`, by phase (forward, loss, backward, norms): its bias gradients also sum each
   * column's dz². Encoded in one pass, or one pass per phase when the step is timed.
   */
  private phases: Dispatch[][] = [];
  /**
   * GPU timestamps around each pass of a timed logged step, when the adapter offers them; `zeros` stands in
   * for them in the snapshot of a logged step that is not timed.
   */
  private readonly timer: { querySet: GPUQuerySet; resolve: GPUBuffer; zeros: GPUBuffer } | null;
  /** The same for a layer-timed step: a begin per row's pass (and two ends), over as many query sets as the limit asks. */
  private readonly layerTimer: { querySets: GPUQuerySet[]; resolve: GPUBuffer; zeros: GPUBuffer } | null;
  /** forward and backwardLogged by row segment (StepPasses.rows). */
  private rows: { forward: Dispatch[][]; backward: Dispatch[][] } | null = null;
  private beforeUpdate: Dispatch[] = [];
  /** ‖W‖ and ‖ΔW‖ per tensor, from the partials the logged update leaves. */
  private afterUpdate: Dispatch[] = [];
  private update: Dispatch[] = [];
  /** The same update as `update`, also summing ‖W‖² and ‖ΔW‖² (logged steps). */
  private loggedUpdate: Dispatch[] = [];

  private constructor(
    readonly ctx: KernelContext,
    readonly optimizer: Optimizer,
    statsShape: StatsShape,
  ) {
    const timed = ctx.gpu.hasTimestamps;
    this.stats = new StatsLayout(statsShape, timed, optimizer.clip);
    this.statsBuffer = new Arena(ctx.device, this.stats.layout);
    this.timer = timed
      ? {
          querySet: ctx.device.createQuerySet({ type: 'timestamp', count: 2 * PHASES.length }),
          resolve: ctx.createBuffer('phase timestamps', 16 * PHASES.length, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC),
          zeros: ctx.createBuffer('no phase timestamps', 16 * PHASES.length, GPUBufferUsage.COPY_SRC),
        }
      : null;
    const Q = this.stats.layerQueries;
    this.layerTimer = Q
      ? {
          querySets: Array.from({ length: Math.ceil(Q / MAX_QUERIES) }, (_, i) => ctx.device.createQuerySet({ type: 'timestamp', count: Math.min(MAX_QUERIES, Q - i * MAX_QUERIES) })),
          resolve: ctx.createBuffer('layer timestamps', 8 * Q, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC),
          zeros: ctx.createBuffer('no layer timestamps', 8 * Q, GPUBufferUsage.COPY_SRC),
        }
      : null;
    this.ring = new ReadbackRing<number>(ctx.device, this.stats.snapshotBytes, 4);
  }

  /**
   * A step from its passes: `record` gets the program (its stats buffer, layout and optimizer exist by then)
   * and returns the dispatch lists; the program replays them.
   */
  static async create(ctx: KernelContext, opts: StepOptions, statsShape: StatsShape, record: (p: StepProgram) => Promise<StepPasses>): Promise<StepProgram> {
    const p = new StepProgram(ctx, new Optimizer(ctx, opts.optimizer, opts.clip, opts.hyper), statsShape);
    try {
      const passes = await record(p);
      p.gather = passes.gather;
      p.train = [...passes.forward, ...passes.loss, ...passes.backward, ...passes.norms];
      p.phases = [passes.forward, passes.loss, passes.backwardLogged, passes.normsLogged ?? passes.norms];
      p.beforeUpdate = passes.statistics;
      p.update = passes.update.plain;
      p.loggedUpdate = passes.update.logged;
      p.afterUpdate = passes.update.after;
      p.rows = passes.rows ?? null;
    } catch (e) {
      p.destroy();
      throw e;
    }
    return p;
  }

  /** Dispatches one step records: unlogged, or logged (with the statistics). */
  dispatches(logged: boolean): number {
    const steps = logged ? [...this.phases.flat(), ...this.beforeUpdate, ...this.loggedUpdate, ...this.afterUpdate] : [...this.train, ...this.update];
    return (this.gather[0]?.length ?? 0) + steps.length;
  }

  /** A range of the statistics buffer. */
  out(slot: Slot): BufferRange {
    return this.statsBuffer.range(slot);
  }

  /**
   * ‖g‖ per parameter (into gradSums) and the optimizer's finalize (global norm, clip scale, the non-finite
   * flag): one sumSquares per arena chunk.
   */
  async gradNorms(grads: Arena, params: readonly { slot: Slot }[]): Promise<Dispatch[]> {
    const all = params.map((e, i) => ({ slot: e.slot, out: i }));
    return [...(await sumsBySlot(this.ctx, grads, all, this.out(this.stats.gradSums))), await this.optimizer.finalize(this.out(this.stats.gradSums), params.length, true)];
  }

  /**
   * A logged step's gradNorms: a value-clipping run also gets ‖clamp(g, −τ, τ)‖ per parameter (into clippedSums), the
   * gradient as the update applies it, from the same read of each gradient; null for other runs, whose logged steps
   * use gradNorms' (norm clipping's after-clipping norms are ‖g‖ times the clip scale, none's are ‖g‖).
   */
  async loggedGradNorms(grads: Arena, params: readonly { slot: Slot }[]): Promise<Dispatch[] | null> {
    if (this.optimizer.clip !== 'value') return null;
    const dispatches: Dispatch[] = [];
    const [out, clampedOut] = [this.out(this.stats.gradSums), this.out(this.stats.clippedSums)];
    for (const [chunk, { segments, outBase }] of byChunk(params.map((e, i) => ({ slot: e.slot, out: i })))) {
      dispatches.push(...(await sumSquaresWithClamped(this.ctx, { x: grads.chunk(chunk), segments, clip: this.optimizer.hyper, out, clampedOut, outBase })));
    }
    return [...dispatches, await this.optimizer.finalize(out, params.length, true)];
  }

  /** The update of every parameter chunk, plain and logged (which also yields ‖W‖ and ‖ΔW‖ per tensor). */
  async updates(arenas: { params: Arena; grads: Arena; m: Arena | undefined; v: Arena | undefined }, params: readonly { slot: Slot }[]): Promise<StepPasses['update']> {
    const chunks = arenas.params.buffers.map((_, i) => ({
      n: arenas.params.layout.chunkBytes[i]! / 4,
      p: arenas.params.chunk(i),
      g: arenas.grads.chunk(i),
      ...(arenas.m ? { m: arenas.m.chunk(i) } : {}),
      ...(arenas.v ? { v: arenas.v.chunk(i) } : {}),
    }));
    const plain = await this.optimizer.dispatches(chunks);
    const [logged, after] = [[] as Dispatch[], [] as Dispatch[]];
    for (const [i, { segments, outBase }] of byChunk(params.map((e, j) => ({ slot: e.slot, out: j })))) {
      const targets = { weights: this.out(this.stats.weightSums), weightsBase: outBase, deltas: this.out(this.stats.deltaSums), deltasBase: outBase };
      const [update, ...rest] = await this.optimizer.updateWithNorms(chunks[i]!, i, segments, targets);
      logged.push(update!);
      after.push(...rest);
    }
    return { plain, logged, after };
  }

  /**
   * Record one step into `encoder`, taking its batch from index slot k. When `log` is set the step's
   * statistics are computed and copied into the readback ring; returns the ring slot (null if not logged
   * or the ring was full). With `timePhases` (and an adapter with timestamps) a logged step also runs
   * phase by phase between GPU timestamps, for the record's phaseMs. That costs about as much as the
   * statistics themselves on a CPU adapter (a pass boundary per phase), so callers time a sample of steps.
   */
  encode(encoder: GPUCommandEncoder, k: number, log: boolean, timing: StepTiming = 'phases'): number | null {
    if (log && timing === 'phases' && this.timer) return this.encodeTimed(encoder, k, this.timer);
    if (log && timing === 'layers' && this.layerTimer && this.rows) return this.encodeLayerTimed(encoder, k, this.layerTimer, this.rows);
    const pass = encoder.beginComputePass();
    encodeDispatches(pass, this.gather[k]!);
    if (log) {
      for (const phase of this.phases) encodeDispatches(pass, phase);
      encodeDispatches(pass, this.beforeUpdate);
      encodeDispatches(pass, this.loggedUpdate);
      encodeDispatches(pass, this.afterUpdate);
    } else {
      encodeDispatches(pass, this.train);
      encodeDispatches(pass, this.update);
    }
    pass.end();
    return log ? this.copyOut(encoder, this.timer?.zeros) : null;
  }

  /**
   * A logged step with one compute pass per phase (PHASES order), each between two GPU timestamps, so the
   * record can say where a step's time goes. The same dispatches as an untimed logged step, in the same order.
   */
  private encodeTimed(encoder: GPUCommandEncoder, k: number, timer: NonNullable<StepProgram['timer']>): number | null {
    const [forward, loss, backward, norms] = this.phases as [Dispatch[], Dispatch[], Dispatch[], Dispatch[]];
    const timed = (phase: number, ...lists: Dispatch[][]): void => {
      const writes = { querySet: timer.querySet, beginningOfPassWriteIndex: 2 * phase, endOfPassWriteIndex: 2 * phase + 1 };
      const pass = encoder.beginComputePass({ timestampWrites: writes });
      for (const l of lists) encodeDispatches(pass, l);
      pass.end();
    };
    timed(0, this.gather[k]!, forward);
    timed(1, loss);
    timed(2, backward);
    timed(3, norms);
    timed(4, this.beforeUpdate);
    timed(5, this.loggedUpdate);
    timed(6, this.afterUpdate);
    encoder.resolveQuerySet(timer.querySet, 0, 2 * PHASES.length, timer.resolve, 0);
    return this.copyOut(encoder, timer.resolve);
  }

  /**
   * A logged step with each row's forward kernels, then each row's backward kernels, in a compute pass of their
   * own that writes a GPU timestamp as it begins (the last pass of each walk also as it ends), for the record's
   * layerMs. The same dispatches as an untimed logged step, in the same order; a pass boundary per row costs a
   * CPU adapter a lot, so callers time a sample of steps.
   */
  private encodeLayerTimed(encoder: GPUCommandEncoder, k: number, timer: NonNullable<StepProgram['layerTimer']>, rows: NonNullable<StepProgram['rows']>): number | null {
    const at = (q: number) => ({ querySet: timer.querySets[Math.floor(q / MAX_QUERIES)]!, index: q % MAX_QUERIES });
    const plain = (...lists: Dispatch[][]): void => {
      const pass = encoder.beginComputePass();
      for (const l of lists) encodeDispatches(pass, l);
      pass.end();
    };
    const walk = (segments: Dispatch[][], first: number): void => {
      segments.forEach((list, i) => {
        const begin = at(first + i);
        const end = at(first + segments.length);
        const last = i === segments.length - 1;
        // A pass's begin and end timestamps must share a query set; when they would not, the end gets a pass of its own.
        const together = last && begin.querySet === end.querySet;
        const writes: GPUComputePassTimestampWrites = { querySet: begin.querySet, beginningOfPassWriteIndex: begin.index, ...(together ? { endOfPassWriteIndex: end.index } : {}) };
        const pass = encoder.beginComputePass({ timestampWrites: writes });
        encodeDispatches(pass, list);
        pass.end();
        if (last && !together) encoder.beginComputePass({ timestampWrites: { querySet: end.querySet, beginningOfPassWriteIndex: end.index } }).end();
      });
    };
    plain(this.gather[k]!);
    walk(rows.forward, 0);
    const [, loss, , norms] = this.phases as [Dispatch[], Dispatch[], Dispatch[], Dispatch[]];
    plain(loss);
    walk(rows.backward, rows.forward.length + 1);
    plain(norms, this.beforeUpdate, this.loggedUpdate, this.afterUpdate);
    timer.querySets.forEach((set, i) => encoder.resolveQuerySet(set, 0, set.count, timer.resolve, i * MAX_QUERIES * 8));
    return this.copyOut(encoder, this.timer?.zeros, timer.resolve);
  }

  /** Statistics, the optimizer's scalars and τ, and the phase and layer timestamps (zeros when not timed) into one ring slot. */
  private copyOut(encoder: GPUCommandEncoder, timestamps?: GPUBuffer, layerTimestamps?: GPUBuffer): number | null {
    const statsBytes = this.stats.layout.totalBytes;
    return this.ring.encodeCopies(encoder, [
      { src: this.statsBuffer.buffers[0]!, srcOffset: 0, dstOffset: 0, size: statsBytes },
      { src: this.optimizer.scalars.buffer, srcOffset: this.optimizer.scalars.offset, dstOffset: statsBytes, size: 16 },
      { src: this.optimizer.hyper.buffer, srcOffset: this.optimizer.hyper.offset, dstOffset: statsBytes + 16, size: CLIP_BYTES },
      ...(timestamps ? [{ src: timestamps, srcOffset: 0, dstOffset: statsBytes + 16 + CLIP_BYTES, size: 16 * PHASES.length }] : []),
      ...(this.layerTimer ? [{ src: layerTimestamps ?? this.layerTimer.zeros, srcOffset: 0, dstOffset: this.stats.layerOffset, size: 8 * this.stats.layerQueries }] : []),
    ]);
  }

  destroy(): void {
    this.statsBuffer.destroy();
    this.ring.destroy();
    this.timer?.querySet.destroy();
    this.timer?.resolve.destroy();
    this.timer?.zeros.destroy();
    for (const set of this.layerTimer?.querySets ?? []) set.destroy();
    this.layerTimer?.resolve.destroy();
    this.layerTimer?.zeros.destroy();
  }
}
