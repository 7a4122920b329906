import type { KernelContext } from '../gpu/context.ts';
import { dispatch1d } from '../gpu/dispatch.ts';
import type { BufferRange, Dispatch, KernelSpec } from '../gpu/kernel.ts';
import { SHADERS } from './shaders.ts';

const WG = 256;
type Binding = 'index' | 'src' | 'dst' | 'params';

const BINDINGS: KernelSpec<Binding>['bindings'] = [
  ['index', 'read'],
  ['src', 'read'],
  ['dst', 'rw'],
  ['params', 'uniform'],
];

export function gatherSpec(entry: 'gather_rows' | 'gather_labels'): KernelSpec<Binding> {
  return { shader: SHADERS.data, entry, bindings: BINDINGS, constants: { WG } };
}

export function gatherImagesSpec(augment: boolean): KernelSpec<Binding> {
  return { shader: SHADERS.data, entry: 'gather_images_u8', bindings: BINDINGS, constants: { WG, AUGMENT: +augment } };
}

/** dst[i, :] = src[index[i], :] for B rows of `cols` floats. */
export async function gatherRows(
  ctx: KernelContext,
  B: number,
  cols: number,
  t: { index: BufferRange; src: BufferRange; dst: BufferRange },
): Promise<Dispatch> {
  if (t.dst.size < B * cols * 4) throw new RangeError(`gatherRows: dst holds ${t.dst.size / 4} floats, needs ${B * cols}`);
  if (t.index.size < B * 4) throw new RangeError(`gatherRows: index holds ${t.index.size / 4} entries, needs ${B}`);
  return ctx.dispatch('gather rows', gatherSpec('gather_rows'), { ...t, params: ctx.paramBlock([B, cols]) }, dispatch1d(B * cols, WG));
}

/** dst[i] = src[index[i]] for B u32 class ids. */
export async function gatherLabels(
  ctx: KernelContext,
  B: number,
  t: { index: BufferRange; src: BufferRange; dst: BufferRange },
): Promise<Dispatch> {
  if (t.dst.size < B * 4) throw new RangeError(`gatherLabels: dst holds ${t.dst.size / 4} entries, needs ${B}`);
  return ctx.dispatch('gather labels', gatherSpec('gather_labels'), { ...t, params: ctx.paramBlock([B, 1]) }, dispatch1d(B, WG));
}

/** One image, channels last (NHWC). */
export interface ImageShape {
  H: number;
  W: number;
  C: number;
}

export interface ImageGatherOptions {
  /** Random pad-`pad` crop and horizontal flip per sample (training); false: the plain gather (eval). */
  augment: boolean;
  pad: number;
  /** Per channel, in [0, 1] units (byte / 255). */
  mean: readonly number[];
  std: readonly number[];
}

/** The PCG hash of shaders/data.wgsl, in 32-bit integer math: the same on every engine and adapter. */
export function pcgHash(v: number): number {
  const state = (Math.imul(v, 747796405) + 2891336453) >>> 0;
  const word = Math.imul((state >>> ((state >>> 28) + 4)) ^ state, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** The crop offset and flip gather_images_u8 draws for sample `s` of the step seeded `seed`. */
export function augmentOffsets(seed: number, s: number, pad: number): { dy: number; dx: number; flip: boolean } {
  const h = pcgHash((pcgHash(seed >>> 0) + s) >>> 0);
  const n = 2 * pad + 1;
  const r = h >>> 1;
  return { dy: (r % n) - pad, dx: (Math.floor(r / n) % n) - pad, flip: (h & 1) === 1 };
}

/** Bytes as the u32 words gather_images_u8 reads (little-endian, the last word zero-padded); a view when aligned. */
export function packBytes(bytes: Uint8Array): Uint32Array {
  if (bytes.byteOffset % 4 === 0 && bytes.byteLength % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const words = new Uint32Array(Math.ceil(bytes.byteLength / 4));
  new Uint8Array(words.buffer).set(bytes);
  return words;
}

function checkImageGather(ctx: KernelContext, B: number, shape: ImageShape, t: { index: BufferRange; src: BufferRange; dst: BufferRange }, o: ImageGatherOptions): void {
  const fail = (what: string): never => {
    throw new RangeError(`gatherImagesU8: ${what}`);
  };
  for (const [k, v] of Object.entries({ B, ...shape })) if (!Number.isInteger(v) || v < 1) fail(`${k} must be an integer ≥ 1 (got ${v})`);
  if (shape.C > 4) fail(`C must be at most 4 (got ${shape.C}): mean and std travel as one vec4 each`);
  if (!Number.isInteger(o.pad) || o.pad < 0 || o.pad > Math.max(shape.H, shape.W)) fail(`pad must be an integer from 0 to ${Math.max(shape.H, shape.W)} (got ${o.pad})`);
  if (o.mean.length !== shape.C || o.std.length !== shape.C) fail(`mean and std need one value per channel, ${shape.C} (got ${o.mean.length} and ${o.std.length})`);
  if (!o.mean.every(Number.isFinite) || !o.std.every((v) => Number.isFinite(v) && v > 0)) fail(`mean must be finite and std finite and > 0 (got [${o.mean}] and [${o.std}])`);
  const hwc = shape.H * shape.W * shape.C;
  const seedWords = o.augment ? 1 : 0;
  if (t.index.size < (B + seedWords) * 4) fail(`index holds ${t.index.size / 4} words, needs ${B}${o.augment ? ' ids and then the step seed' : ''}`);
  if (t.dst.size < B * hwc * 4) fail(`dst holds ${t.dst.size / 4} floats, needs ${B * hwc}`);
  if (t.src.size < hwc) fail(`src holds ${t.src.size} bytes, less than one ${shape.H}×${shape.W}×${shape.C} image`);
  const max = ctx.limits.maxStorageBufferBindingSize;
  if (t.src.size > max) fail(`src is ${t.src.size} bytes, over this device's storage binding limit of ${max}: upload fewer images`);
}

/**
 * dst[s] = image index[s] of src (bytes, NHWC, packed by packBytes) as f32 NHWC, normalized per channel.
 * With augment, `index` holds the B image ids and then the step's seed (one writeBuffer per step, nothing
 * rebuilt): sample s is cropped and flipped as augmentOffsets(seed, s, pad) says.
 */
export async function gatherImagesU8(
  ctx: KernelContext,
  B: number,
  shape: ImageShape,
  t: { index: BufferRange; src: BufferRange; dst: BufferRange },
  opts: ImageGatherOptions,
): Promise<Dispatch> {
  checkImageGather(ctx, B, shape, t, opts);
  const { H, W, C } = shape;
  const vec4 = (v: readonly number[], fill: number): number[] => [0, 1, 2, 3].map((c) => v[c] ?? fill);
  const words = [B, H, W, C, opts.augment ? opts.pad : 0, 0, 0, 0, ...vec4(opts.mean, 0), ...vec4(opts.std, 1)];
  const params = ctx.paramBlock(words, words.map((_, i) => i >= 8));
  const label = `gather images ${H}×${W}×${C}${opts.augment ? ` (pad-${opts.pad} crop, flip)` : ''}`;
  return ctx.dispatch(label, gatherImagesSpec(opts.augment), { ...t, params }, dispatch1d(B * H * W * C, WG));
}
