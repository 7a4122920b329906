import type { KernelContext } from '../gpu/context.ts';
import { dispatch1d } from '../gpu/dispatch.ts';
import type { BufferRange, Dispatch, KernelSpec } from '../gpu/kernel.ts';
import { upload, zeros } from '../gpu/transfer.ts';
import { SHADERS } from './shaders.ts';

export type ClipMode = 'none' | 'norm' | 'value';

/** Ids of the CLIP_* constants in shaders/reduce.wgsl and shaders/optimizer.wgsl. */
export const CLIP_MODE_IDS: Readonly<Record<ClipMode, number>> = { none: 0, norm: 1, value: 2 };

/**
 * Layout of the scalars buffer: written once per step by finalize_grad_norm, read by the optimizer
 * (and by the statistics readback). Every word is an f32, so one Float32Array reads it:
 * - gradNorm  total gradient L2 norm (NaN or Inf when some gradient was)
 * - clipScale τ/‖g‖ in norm mode when ‖g‖ ≥ τ, else 1 (also 1 in none/value mode and on non-finite steps)
 * - nonFinite 1 when the total was NaN/Inf (the optimizer then changes nothing), else 0
 * - step      Adam's t: starts at 0, +1 on every finite step only (exact up to 2²⁴ steps)
 */
export const SCALARS = { gradNorm: 0, clipScale: 1, nonFinite: 2, step: 3 } as const;
export const SCALARS_FLOATS = 4;

/** A run of `length` floats starting `offset` floats into the reduced buffer. */
export interface Segment {
  readonly offset: number;
  readonly length: number;
}

const WG = 64;
const SEGMENT_WG = 64;
const FINALIZE_WG = 256;
/** Words per segment in the table: struct Segment in shaders/reduce.wgsl. */
export const SEGMENT_WORDS = 4;

/** The segment table as the shader reads it: [offset, length, firstUnit, units] per segment. */
export interface SegmentPlan {
  readonly table: Uint32Array;
  readonly segments: number;
  /** Partials in all: the units of every segment. */
  readonly units: number;
  /** Every segment starts on a vec4, so the first pass may read vec4s. */
  readonly aligned: boolean;
}

/**
 * Floats per unit for a segment of `length`: about √length, a multiple of 64. Both passes then stay
 * short (a 16K-float layer is 128 units of 128; a 16M-float one 4096 of 4096), and there are enough
 * units to fill a GPU. A unit takes every units-th float of its segment, so neighbouring units read
 * neighbouring memory.
 */
export function unitFloats(length: number): number {
  return 64 * Math.max(1, Math.ceil(Math.sqrt(length) / 64));
}

/**
 * Pure: the units of each segment. Every segment owns at least one unit, so an empty segment still
 * writes its norm (0) and the binary search in the shader never lands on a unit-less segment.
 */
export function planSegments(segments: readonly Segment[], floats: number): SegmentPlan {
  if (segments.length === 0) throw new RangeError('sumSquares: the segment table is empty; pass at least one segment');
  const table = new Uint32Array(segments.length * SEGMENT_WORDS);
  let units = 0;
  segments.forEach(({ offset, length }, s) => {
    const ok = Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 && length >= 0;
    if (!ok || offset + length > floats) {
      throw new RangeError(
        `sumSquares: segments[${s}] = {offset: ${offset}, length: ${length}} must be whole floats inside the buffer (${floats} floats)`,
      );
    }
    const unit = unitFloats(length);
    const own = Math.max(1, Math.ceil(length / unit));
    table.set([offset, length, units, own], s * SEGMENT_WORDS);
    units += own;
  });
  return { table, segments: segments.length, units, aligned: segments.every((x) => x.offset % 4 === 0) };
}

type PassBinding = 'src' | 'segs' | 'dst' | 'params' | 'sub' | 'shift' | 'dst2' | 'limit' | 'clamped';
type FinalizeBinding = 'src' | 'clip' | 'scalars' | 'params';

export function sumSquaresSpec(pass: 'units' | 'units4' | 'split_units' | 'clamped_units' | 'segments'): KernelSpec<PassBinding> {
  const bindings: KernelSpec<PassBinding>['bindings'] = [
    ['src', 'read'],
    ['segs', 'read'],
    ['dst', 'rw'],
    ['params', 'uniform'],
    ...(pass === 'split_units' ? ([['sub', 'read'], ['shift', 'read'], ['dst2', 'rw']] as const) : []),
    ...(pass === 'clamped_units' ? ([['limit', 'uniform'], ['clamped', 'rw']] as const) : []),
  ];
  return {
    shader: SHADERS.reduce,
    entry: `sum_squares_${pass}`,
    bindings,
    constants: { WG: pass === 'segments' ? SEGMENT_WG : WG },
  };
}

export function finalizeSpec(mode: ClipMode, sticky = false): KernelSpec<FinalizeBinding> {
  return {
    shader: SHADERS.reduce,
    entry: 'finalize_grad_norm',
    bindings: [
      ['src', 'read'],
      ['clip', 'uniform'],
      ['scalars', 'rw'],
      ['params', 'uniform'],
    ],
    constants: { WG: FINALIZE_WG, CLIP_MODE: CLIP_MODE_IDS[mode], STICKY: +sticky },
  };
}

function floatsIn(r: BufferRange): number {
  return Math.floor(r.size / 4);
}

/**
 * out[outBase + s] = ‖x‖₂ over segments[s] of x, exact across f32's whole range (Blue's scaled sums: a
 * norm of 1e-30 is not lost to underflowing squares), as two dispatches to record in order. Build time
 * only: this creates the segment table and the partials buffer. Several arena chunks can write one `out`
 * at different outBase, then finalizeGradNorm sums them all.
 */
export async function sumSquares(
  ctx: KernelContext,
  t: { x: BufferRange; segments: readonly Segment[]; out: BufferRange; outBase?: number },
): Promise<[Dispatch, Dispatch]> {
  const plan = planSegments(t.segments, floatsIn(t.x));
  const segs = upload(ctx, plan.table, 'sum-squares segments');
  // Three partial sums per unit: Blue's small, medium and big accumulators (shaders/sumsq_fns.wgsl).
  const partials = zeros(ctx, 3 * plan.units, 'sum-squares partials');
  const params = ctx.paramBlock([plan.segments, plan.units, 0]);
  const pass = plan.aligned ? 'units4' : 'units';
  return [
    await ctx.dispatch('sum squares units', sumSquaresSpec(pass), { src: t.x, segs, dst: partials, params }, dispatch1d(plan.units, WG)),
    await segmentNorms(ctx, { plan, segs, partials, out: t.out, outBase: t.outBase ?? 0 }),
  ];
}

/**
 * The residual split in one read of each value: for segment s, out[skipBase + s] = ‖sub‖ and out[branchBase + s] =
 * ‖x − sub‖, where x is ∂L/∂x of a residual block's input and sub (its floats from `subOffset`) is the part its
 * skip handed down. Three dispatches (one pass over both values, then each norm's second pass); build time only.
 */
export async function splitSumSquares(
  ctx: KernelContext,
  t: { x: BufferRange; sub: BufferRange; segments: readonly (Segment & { subOffset: number })[]; out: BufferRange; skipBase: number; branchBase: number },
): Promise<[Dispatch, Dispatch, Dispatch]> {
  const plan = planSegments(t.segments, floatsIn(t.x));
  t.segments.forEach((s, i) => {
    if (!Number.isInteger(s.subOffset) || s.subOffset < 0 || s.subOffset + s.length > floatsIn(t.sub)) {
      throw new RangeError(`splitSumSquares: segments[${i}].subOffset ${s.subOffset} + length ${s.length} must lie inside sub (${floatsIn(t.sub)} floats)`);
    }
  });
  const segs = upload(ctx, plan.table, 'split sum-squares segments');
  const offsets = upload(ctx, Uint32Array.from(t.segments, (s) => s.subOffset), 'split sum-squares shifts');
  const [skip, branch] = [zeros(ctx, 3 * plan.units, 'split skip partials'), zeros(ctx, 3 * plan.units, 'split branch partials')];
  const params = ctx.paramBlock([plan.segments, plan.units, 0]);
  return [
    await ctx.dispatch('split sum squares units', sumSquaresSpec('split_units'), { src: t.x, sub: t.sub, shift: offsets, segs, dst: skip, dst2: branch, params }, dispatch1d(plan.units, WG)),
    await segmentNorms(ctx, { plan, segs, partials: skip, out: t.out, outBase: t.skipBase }),
    await segmentNorms(ctx, { plan, segs, partials: branch, out: t.out, outBase: t.branchBase }),
  ];
}

/**
 * sumSquares for a value-clipping run's logged step: out[outBase + s] = ‖x‖ over segment s, as sumSquares writes it,
 * and clampedOut[outBase + s] = ‖clamp(x, −τ, τ)‖ from the same read, with τ the first f32 of the `clip` uniform
 * (the optimizer's hyperparameters, so a τ changed mid-run applies from the next step). Three dispatches; build time only.
 */
export async function sumSquaresWithClamped(
  ctx: KernelContext,
  t: { x: BufferRange; segments: readonly Segment[]; clip: BufferRange; out: BufferRange; clampedOut: BufferRange; outBase?: number },
): Promise<[Dispatch, Dispatch, Dispatch]> {
  const plan = planSegments(t.segments, floatsIn(t.x));
  const segs = upload(ctx, plan.table, 'clamped sum-squares segments');
  const [partials, clamped] = [zeros(ctx, 3 * plan.units, 'sum-squares partials'), zeros(ctx, 3 * plan.units, 'clamped sum-squares partials')];
  const params = ctx.paramBlock([plan.segments, plan.units, 0]);
  const clipWords = { buffer: t.clip.buffer, offset: t.clip.offset, size: 16 };
  const outBase = t.outBase ?? 0;
  return [
    await ctx.dispatch('sum squares units, clamped too', sumSquaresSpec('clamped_units'), { src: t.x, limit: clipWords, clamped, segs, dst: partials, params }, dispatch1d(plan.units, WG)),
    await segmentNorms(ctx, { plan, segs, partials, out: t.out, outBase }),
    await segmentNorms(ctx, { plan, segs, partials: clamped, out: t.clampedOut, outBase }),
  ];
}

/**
 * The second pass alone: out[outBase + s] = the norm that segment s's per-unit partials (three Blue sums
 * each, 3·units floats) stand for. Kernels that produce the partials themselves (the optimizer's logged
 * update) end with this.
 */
export function segmentNorms(
  ctx: KernelContext,
  t: { plan: SegmentPlan; segs: BufferRange; partials: BufferRange; out: BufferRange; outBase: number },
): Promise<Dispatch> {
  const { plan, outBase } = t;
  if (floatsIn(t.partials) < 3 * plan.units) {
    throw new RangeError(`segmentNorms: partials hold ${floatsIn(t.partials)} floats, need ${3 * plan.units} (3 per unit)`);
  }
  if (outBase + plan.segments > floatsIn(t.out)) {
    throw new RangeError(`segmentNorms: out holds ${floatsIn(t.out)} floats, needs ${outBase + plan.segments} (outBase + segments)`);
  }
  const params = ctx.paramBlock([plan.segments, plan.units, outBase]);
  return ctx.dispatch('segment norms', sumSquaresSpec('segments'), { src: t.partials, segs: t.segs, dst: t.out, params }, dispatch1d(plan.segments, SEGMENT_WG));
}

/**
 * One workgroup: from the first `count` segment sums, write the scalars (SCALARS) for this step.
 * `clip` is a uniform whose first f32 is τ (Optimizer.hyper, or ctx.paramBlock([τ], [true])); it is
 * read only in norm mode.
 */
export function finalizeGradNorm(
  ctx: KernelContext,
  mode: ClipMode,
  t: { sums: BufferRange; count: number; scalars: BufferRange; clip?: BufferRange },
  sticky = false,
): Promise<Dispatch> {
  if (!Number.isInteger(t.count) || t.count < 1 || t.count > floatsIn(t.sums)) {
    throw new RangeError(`finalizeGradNorm: count must be an integer from 1 to ${floatsIn(t.sums)} (got ${t.count})`);
  }
  if (floatsIn(t.scalars) < SCALARS_FLOATS) {
    throw new RangeError(`finalizeGradNorm: scalars holds ${floatsIn(t.scalars)} floats, needs ${SCALARS_FLOATS}`);
  }
  if (mode === 'norm' && !t.clip) throw new Error('finalizeGradNorm: norm mode needs the clip uniform (τ)');
  const ranges = { src: t.sums, clip: t.clip ?? ctx.dummy, scalars: t.scalars, params: ctx.paramBlock([t.count]) };
  return ctx.dispatch(`finalize grad norm (${mode})`, finalizeSpec(mode, sticky), ranges, [1, 1, 1]);
}

/** A zeroed scalars buffer: step 0, nothing clipped yet. */
export function createScalars(ctx: KernelContext): BufferRange {
  return zeros(ctx, SCALARS_FLOATS, 'scalars');
}

/** Overwrite the scalars, e.g. to restore Adam's step counter from a checkpoint. */
export function writeScalars(ctx: KernelContext, scalars: BufferRange, step: number, nonFinite = false): void {
  const words = new Float32Array(SCALARS_FLOATS);
  words[SCALARS.clipScale] = 1;
  words[SCALARS.nonFinite] = nonFinite ? 1 : 0;
  words[SCALARS.step] = step;
  ctx.device.queue.writeBuffer(scalars.buffer, scalars.offset, words);
}
