import type { KernelContext } from '../gpu/context.ts';
import { dispatch1d } from '../gpu/dispatch.ts';
import type { BufferRange, Dispatch, KernelSpec } from '../gpu/kernel.ts';
import { upload, zeros } from '../gpu/transfer.ts';
import { CLIP_MODE_IDS, createScalars, finalizeGradNorm, planSegments, segmentNorms, writeScalars, type ClipMode, type Segment } from './reduce.ts';
import { SHADERS } from './shaders.ts';

export type OptimizerKind = 'sgd' | 'momentum' | 'adam' | 'adamw';

/** Ids of the OPT_* constants in shaders/optimizer.wgsl. */
export const OPTIMIZER_IDS: Readonly<Record<OptimizerKind, number>> = { sgd: 0, momentum: 1, adam: 2, adamw: 3 };

/** State each optimizer keeps, laid out like the parameters and zero at the start. */
export const OPTIMIZER_STATE: Readonly<Record<OptimizerKind, readonly ('m' | 'v')[]>> = {
  sgd: [],
  momentum: ['m'],
  adam: ['m', 'v'],
  adamw: ['m', 'v'],
};

/** The same fields as the reference's OptimizerHyper, plus the clip threshold τ (norm or value mode). */
export interface OptimizerHyper {
  readonly lr: number;
  readonly momentum: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly clipMax: number;
}

/**
 * n floats of one arena chunk: parameters, their gradients, and the state the optimizer keeps. The kernel
 * moves four floats at a time, so n is a multiple of 4 (arena chunks are whole 256-byte slots).
 */
export interface OptimizerChunk {
  readonly n: number;
  readonly p: BufferRange;
  readonly g: BufferRange;
  readonly m?: BufferRange;
  readonly v?: BufferRange;
}

const WG = 256;
/** struct Hyper in shaders/optimizer.wgsl: 9 f32 words, padded to 16 bytes. */
const HYPER_BYTES = 48;
type Binding = 'p' | 'g' | 'm' | 'v' | 'scalars' | 'hyper' | 'params' | 'partials' | 'segs';

/** The plain update, or (`withNorms`) the logged step's update that also sums ‖W‖² and ‖ΔW‖² per tensor. */
export function optimizerSpec(kind: OptimizerKind, clip: ClipMode, withNorms = false): KernelSpec<Binding> {
  const bindings: KernelSpec<Binding>['bindings'] = [
    ['p', 'rw'],
    ['g', 'read'],
    ['m', 'rw'],
    ['v', 'rw'],
    ['scalars', 'read'],
    ['hyper', 'uniform'],
    ['params', 'uniform'],
  ];
  const constants = { WG, KIND: OPTIMIZER_IDS[kind], CLIP_MODE: CLIP_MODE_IDS[clip] };
  if (!withNorms) return { shader: SHADERS.optimizer, entry: 'optimizer_step', bindings, constants };
  return { shader: SHADERS.optimizer, entry: 'optimizer_step_stats', bindings: [...bindings, ['partials', 'rw'], ['segs', 'read']], constants };
}

/** Where a logged update writes ‖W‖ (before it) and ‖ΔW‖ of each segment: out[base + s]. */
export interface NormTargets {
  readonly weights: BufferRange;
  readonly weightsBase: number;
  readonly deltas: BufferRange;
  readonly deltasBase: number;
}

/** Throws a message naming the first bad field; kind and clip decide which fields matter. */
export function checkHyper(kind: OptimizerKind, clip: ClipMode, h: OptimizerHyper): void {
  const fail = (field: string, rule: string): never => {
    throw new RangeError(`optimizer: ${field} must be ${rule} (got ${h[field as keyof OptimizerHyper]})`);
  };
  const finite = (x: number): boolean => Number.isFinite(x);
  if (!finite(h.lr) || h.lr < 0) fail('lr', 'a finite number ≥ 0');
  if (!finite(h.weightDecay) || h.weightDecay < 0) fail('weightDecay', 'a finite number ≥ 0');
  if (kind === 'momentum' && (!finite(h.momentum) || h.momentum < 0)) fail('momentum', 'a finite number ≥ 0');
  if (kind === 'adam' || kind === 'adamw') {
    if (!(h.beta1 >= 0 && h.beta1 < 1)) fail('beta1', 'in [0, 1)');
    if (!(h.beta2 >= 0 && h.beta2 < 1)) fail('beta2', 'in [0, 1)');
    // eps > 0 also keeps the zero padding between arena slots at zero (0 / (0 + eps)).
    if (!finite(h.eps) || h.eps <= 0) fail('eps', 'a finite number > 0');
  }
  if (clip !== 'none' && (!finite(h.clipMax) || h.clipMax <= 0)) fail('clipMax', `a finite number > 0 in ${clip} clip mode`);
}

/**
 * One optimizer for a whole network: owns the hyperparameter uniform (rewritten when the user changes
 * lr or weight decay mid-run, no rebuild) and the scalars buffer that finalize writes and the update
 * reads. Build the dispatches once; each training step records finalize, then every chunk's update.
 */
export class Optimizer {
  /** struct Hyper; its first word is τ, so it doubles as finalize_grad_norm's clip uniform. */
  readonly hyper: BufferRange;
  /** SCALARS (src/kernels/reduce.ts): gradient norm, clip scale, non-finite flag, step t. */
  readonly scalars: BufferRange;
  /** Write-only stand-ins for m and v when this optimizer keeps none (two writable bindings must not overlap). */
  private readonly unused: GPUBuffer;

  constructor(
    private readonly ctx: KernelContext,
    readonly kind: OptimizerKind,
    readonly clip: ClipMode,
    hyper: OptimizerHyper,
  ) {
    // COPY_SRC: a logged step's snapshot carries τ as it was applied (it may change mid-run).
    const buffer = ctx.createBuffer('optimizer hyper', HYPER_BYTES, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
    this.hyper = { buffer, offset: 0, size: HYPER_BYTES };
    this.scalars = createScalars(ctx);
    this.unused = ctx.createBuffer('optimizer unused state', 512, GPUBufferUsage.STORAGE);
    this.setHyper(hyper);
  }

  /** Takes effect from the next submitted step. */
  setHyper(h: OptimizerHyper): void {
    checkHyper(this.kind, this.clip, h);
    // 1 − β in double before rounding, as PyTorch passes it to its kernels.
    const words = new Float32Array(HYPER_BYTES / 4);
    words.set([h.clipMax, h.lr, h.momentum, h.beta1, h.beta2, 1 - h.beta1, 1 - h.beta2, h.eps, h.weightDecay]);
    this.ctx.device.queue.writeBuffer(this.hyper.buffer, this.hyper.offset, words);
  }

  /** Restart the step counter (a new run) or restore it (a checkpoint). */
  setStep(step: number): void {
    writeScalars(this.ctx, this.scalars, step);
  }

  /**
   * Norm, clip scale, non-finite flag and step from the first `count` per-segment sums of squares.
   * Sticky: the first non-finite step halts every later update until setStep clears the flag.
   */
  finalize(sums: BufferRange, count: number, sticky = false): Promise<Dispatch> {
    return finalizeGradNorm(this.ctx, this.clip, { sums, count, scalars: this.scalars, clip: this.hyper }, sticky);
  }

  /** The update for each chunk, in order. */
  dispatches(chunks: readonly OptimizerChunk[]): Promise<Dispatch[]> {
    return Promise.all(chunks.map((c, i) => this.update(c, i)));
  }

  /**
   * A logged step's update of one chunk: the same arithmetic as `dispatches` (bit for bit) on every tensor
   * in `segments`, which also writes ‖W‖ before the update and ‖ΔW‖ of the update it applied for each,
   * exact across f32's range. On a non-finite step nothing changes and ‖ΔW‖ = 0. Each tensor must start on
   * a vec4, and the floats after it up to the next vec4 must be zero padding (both hold for arena slots);
   * floats outside every tensor are left alone (the plain update keeps zero padding at zero too). Build time
   * only (uploads the segment table).
   */
  async updateWithNorms(c: OptimizerChunk, index: number, segments: readonly Segment[], out: NormTargets): Promise<Dispatch[]> {
    const label = `${this.kind} step with norms [${index}]`;
    const plan = planSegments(segments, c.n);
    if (!plan.aligned) {
      const s = segments.findIndex((x) => x.offset % 4 !== 0);
      throw new RangeError(`${label}: segments[${s}].offset ${segments[s]!.offset} must be a multiple of 4 (arena slots are)`);
    }
    const segs = upload(this.ctx, plan.table, 'optimizer segments');
    // ΔW's partials start on a 256-byte boundary so segmentNorms can bind that half on its own.
    const deltaBase = Math.ceil((3 * plan.units) / 64) * 64;
    const partials = zeros(this.ctx, deltaBase + 3 * plan.units, 'optimizer norm partials');
    const ranges = { ...this.ranges(c, index), params: this.ctx.paramBlock([c.n / 4, plan.segments, plan.units, deltaBase]), partials, segs };
    const half = (at: number): BufferRange => ({ buffer: partials.buffer, offset: partials.offset + at * 4, size: 3 * plan.units * 4 });
    return [
      await this.ctx.dispatch(label, optimizerSpec(this.kind, this.clip, true), ranges, dispatch1d(plan.units, WG)),
      await segmentNorms(this.ctx, { plan, segs, partials: half(0), out: out.weights, outBase: out.weightsBase }),
      await segmentNorms(this.ctx, { plan, segs, partials: half(deltaBase), out: out.deltas, outBase: out.deltasBase }),
    ];
  }

  private ranges(c: OptimizerChunk, index: number) {
    const label = `${this.kind} step [${index}]`;
    if (!Number.isInteger(c.n) || c.n < 4 || c.n % 4 !== 0) throw new RangeError(`${label}: n must be a positive multiple of 4 (got ${c.n})`);
    const state = OPTIMIZER_STATE[this.kind];
    for (const name of ['p', 'g', ...state] as const) {
      const r = c[name];
      if (!r) throw new Error(`${label}: ${this.kind} keeps state ${name}; pass a zeroed buffer laid out like p`);
      if (r.size < c.n * 4) throw new RangeError(`${label}: ${name} holds ${r.size / 4} floats, needs ${c.n}`);
    }
    const placeholder = (offset: number): BufferRange => ({ buffer: this.unused, offset, size: 256 });
    return {
      p: c.p,
      g: c.g,
      m: state.includes('m') ? c.m! : placeholder(0),
      v: state.includes('v') ? c.v! : placeholder(256),
      scalars: this.scalars,
      hyper: this.hyper,
    };
  }

  private update(c: OptimizerChunk, index: number): Promise<Dispatch> {
    const ranges = { ...this.ranges(c, index), params: this.ctx.paramBlock([c.n / 4, 0, 0, 0]) };
    return this.ctx.dispatch(`${this.kind} step [${index}]`, optimizerSpec(this.kind, this.clip), ranges, dispatch1d(c.n / 4, WG));
  }
}
