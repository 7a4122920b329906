/** One WGSL file, named as messages should show it (`shaders/matmul.wgsl`, or the path a user gave). */
export interface WgslFile {
  readonly file: string;
  readonly code: string;
}

/**
 * A shader module: a WGSL file preceded by the function libraries it uses (WGSL has no imports).
 * `parts` keeps each file's first line so compile errors can name the file and line they came from.
 */
export interface ShaderSource {
  readonly file: string;
  readonly code: string;
  readonly parts: readonly { readonly file: string; readonly firstLine: number }[];
}

export function composeShader(main: WgslFile, ...libraries: WgslFile[]): ShaderSource {
  const files = [...libraries, main];
  let line = 1;
  const parts = files.map((f) => {
    const part = { file: f.file, firstLine: line };
    line += f.code.split('\n').length;
    return part;
  });
  return { file: main.file, code: files.map((f) => f.code).join('\n'), parts };
}

/** Map a line of a composed module back to the file it came from: [file, line in that file]. */
export function sourceLine(shader: ShaderSource, line: number): [string, number] {
  let hit = shader.parts[0] ?? { file: shader.file, firstLine: 1 };
  for (const p of shader.parts) if (p.firstLine <= line) hit = p;
  return [hit.file, line - hit.firstLine + 1];
}

/** read: read-only storage · rw: read-write storage · uniform: a small parameter block. */
export type BindingKind = 'read' | 'rw' | 'uniform';

/**
 * One compute entry point and its bind group layout: binding i of group 0 is `bindings[i]`.
 * A test checks every spec against the `@binding` declarations of its WGSL.
 */
export interface KernelSpec<Name extends string = string> {
  readonly shader: ShaderSource;
  readonly entry: string;
  readonly bindings: readonly (readonly [Name, BindingKind])[];
  /** WGSL `override` values: tile sizes, workgroup size, fused options (booleans as 0/1). */
  readonly constants?: Readonly<Record<string, number>>;
}

/** A byte range of a GPU buffer, as bound to one binding. Offsets are 256-byte aligned. */
export interface BufferRange {
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly size: number;
}

/** Everything one dispatch needs, made once at build time and replayed every step. */
export interface Dispatch {
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: readonly [number, number, number];
}

export function encodeDispatches(pass: GPUComputePassEncoder, dispatches: Iterable<Dispatch>): void {
  for (const d of dispatches) {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
  }
}

/**
 * A short, stable digest of a module's code (FNV-1a, 32 bits, as hex): two modules with the same file name
 * but different code (a user's kernel edited and pasted again) must never share a cache entry.
 */
export function codeDigest(code: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < code.length; i++) h = Math.imul(h ^ code.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

const moduleKeys = new WeakMap<ShaderSource, string>();

/**
 * The module cache key: the file as messages name it, and its code's digest plus its length. Remembered per source
 * object: a deep net asks for it once per dispatch it builds, and hashing the code each time cost a depth-10,000
 * page build seconds.
 */
export function moduleKey(shader: ShaderSource): string {
  let key = moduleKeys.get(shader);
  if (key === undefined) {
    key = `${shader.file}@${codeDigest(shader.code)}:${shader.code.length}`;
    moduleKeys.set(shader, key);
  }
  return key;
}

/** Stable key for a spec + its constants (the pipeline cache key). */
export function specKey(spec: KernelSpec): string {
  const c = spec.constants ?? {};
  const consts = Object.keys(c)
    .sort()
    .map((k) => `${k}=${c[k]}`)
    .join(',');
  return `${moduleKey(spec.shader)}#${spec.entry}{${consts}}`;
}
