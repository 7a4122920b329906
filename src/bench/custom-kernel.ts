import type { KernelContext } from '../gpu/context.ts';
import { composeShader, type BindingKind, type KernelSpec } from '../gpu/kernel.ts';
import { ShaderError } from '../gpu/errors.ts';
import { Rng } from '../math/prng.ts';
import { readF32, upload, zeros } from '../gpu/transfer.ts';
import { matmul as refMatmul } from '../reference/matmul.ts';
import { matmulSeconds } from './estimate.ts';
import { relErr } from './kernel-bench.ts';
import type { BenchResult } from './result.ts';
import type { BenchEntry } from './suite.ts';
import { timeDispatches, timingDetail } from './timing.ts';

/**
 * The contract a bring-your-own matmul follows, so it can be checked and timed beside the built-ins:
 *
 *   C[M×N] = A[M×K] · B[K×N], all row-major f32
 *   @group(0) @binding(0) var<storage, read> a: array<f32>;        (or array<vec4f>)
 *   @group(0) @binding(1) var<storage, read> b: array<f32>;        (or array<vec4f>)
 *   @group(0) @binding(2) var<storage, read_write> c: array<f32>;
 *   @group(0) @binding(3) var<uniform> params: Params;             struct Params { M: u32, N: u32, K: u32 }
 *   @compute fn main(...)
 *   override TILE_M: u32 = …;  override TILE_N: u32 = …;          rows and columns of C per workgroup
 *
 * The dispatch is ceil(N / TILE_N) × ceil(M / TILE_M) workgroups; the kernel must guard the edges.
 */
export const CUSTOM_CONTRACT = [
  [0, 'read', 'A (M×K, row-major f32)'],
  [1, 'read', 'B (K×N)'],
  [2, 'rw', 'C (M×N)'],
  [3, 'uniform', 'params {M, N, K: u32}'],
] as const;

const DECL = /@group\(0\)\s*@binding\((\d+)\)\s*var(?:<([^>]+)>)?\s+(\w+)/g;
const ACCESS: Record<BindingKind, string> = { read: 'var<storage, read>', rw: 'var<storage, read_write>', uniform: 'var<uniform>' };

/** Check a supplied kernel against the contract before compiling it; the error says what to change. */
export function checkCustomKernel(code: string, source: string): { tileM: number; tileN: number } {
  const decls = new Map<number, string>();
  for (const [, i, space] of code.matchAll(DECL)) {
    const s = (space ?? '').replace(/\s/g, '');
    decls.set(Number(i), s === 'uniform' ? 'uniform' : s === 'storage,read_write' ? 'rw' : 'read');
  }
  for (const [i, kind, what] of CUSTOM_CONTRACT) {
    const got = decls.get(i);
    if (got === undefined) throw new ShaderError(`${source}: binding ${i} (${what}) is not declared; declare it as @group(0) @binding(${i}) ${ACCESS[kind]}`);
    if (got !== kind) throw new ShaderError(`${source}: binding ${i} (${what}) is declared ${ACCESS[got as BindingKind]}, the contract needs ${ACCESS[kind]}`);
  }
  const extra = [...decls.keys()].filter((i) => i > 3);
  if (extra.length) throw new ShaderError(`${source}: binding ${extra[0]} is not part of the contract (bindings 0–3 only)`);
  if (!/@compute[^]*?fn\s+main\s*\(/.test(code)) throw new ShaderError(`${source}: no entry point: the contract needs @compute … fn main(…)`);
  const tile = (name: string): number => {
    const m = code.match(new RegExp(`override\\s+${name}\\s*:\\s*u32\\s*=\\s*(\\d+)u?`));
    if (!m) throw new ShaderError(`${source}: declare override ${name}: u32 = <rows|columns of C per workgroup>; the dispatch is computed from it`);
    return Number(m[1]);
  };
  return { tileM: tile('TILE_M'), tileN: tile('TILE_N') };
}

/** Check a supplied kernel, verify it against the float64 reference, then time it: `matmul/custom`. */
export async function benchCustomMatmul(ctx: KernelContext, code: string, source: string, n: number): Promise<BenchResult> {
  const { tileM, tileN } = checkCustomKernel(code, source);
  const spec: KernelSpec<'a' | 'b' | 'c' | 'params'> = {
    shader: composeShader({ file: source, code }),
    entry: 'main',
    bindings: [['a', 'read'], ['b', 'read'], ['c', 'rw'], ['params', 'uniform']],
  };
  const rng = new Rng(n);
  const a = rng.fill(new Float32Array(n * n), () => rng.normal()) as Float32Array;
  const b = rng.fill(new Float32Array(n * n), () => rng.normal()) as Float32Array;
  const c = zeros(ctx, n * n);
  const groups: [number, number, number] = [Math.ceil(n / tileN), Math.ceil(n / tileM), 1];
  const d = await ctx.dispatch(`custom matmul ${source}`, spec, { a: upload(ctx, a), b: upload(ctx, b), c, params: ctx.paramBlock([n, n, n]) }, groups);
  await ctx.pipelines.settled(); // a user's WGSL that does not compile is a ShaderError with its file and line
  await timeDispatches(ctx, [d], { warmup: 0, iterations: 1 });
  const maxRelErr = relErr(await readF32(ctx, c, n * n), refMatmul(a, b, n, n, n));
  const base = { name: 'matmul/custom', shape: [n, n, n], maxRelErr, detail: { case: String(n), source, tileM, tileN } };
  if (!(maxRelErr <= 1e-4)) return { ...base, ok: false };
  const t = await timeDispatches(ctx, [d], { warmup: 0, iterations: 5 }); // the checked run was the warm-up
  const flops = 2 * n * n * n;
  return { ...base, detail: { ...base.detail, ...timingDetail(t) }, ok: true, ms: t.ms, msMin: t.msMin, msMax: t.msMax, gflops: flops / t.ms / 1e6, gbps: (12 * n * n) / t.ms / 1e6 };
}

/** A user's kernel at n³ as a suite entry (run after the suite's own, counted by its progress). */
export function customMatmulEntry(code: string, source: string, n: number): BenchEntry {
  return { id: `matmul/custom ${n}`, estimateS: matmulSeconds('reg', n ** 3), run: (ctx) => benchCustomMatmul(ctx, code, source, n) };
}
