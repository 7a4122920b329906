import { afterAll, expect } from 'vitest';
import { KernelContext } from '../../src/gpu/context.ts';
import { encodeDispatches, type Dispatch } from '../../src/gpu/kernel.ts';
import { nodeDevice } from '../../src/gpu/node-gpu.ts';
import { Rng } from '../../src/math/prng.ts';

let shared: Promise<KernelContext> | undefined;
const uncaptured: string[] = [];

/**
 * The test file's device (Dawn; SwiftShader when there is no GPU). No adapter is a loud failure with
 * the install hint, never a skip. Any uncaptured WebGPU error fails the run that produced it.
 */
export function testContext(): Promise<KernelContext> {
  shared ??= nodeDevice().then((gpu) => {
    gpu.device.addEventListener('uncapturederror', (e) => uncaptured.push((e as GPUUncapturedErrorEvent).error.message));
    afterAll(() => gpu.destroy());
    return new KernelContext(gpu);
  });
  return shared;
}

/** Record the dispatches in one pass, submit, and wait for the GPU (tests only). */
export async function run(ctx: KernelContext, ...dispatches: Dispatch[]): Promise<void> {
  const enc = ctx.device.createCommandEncoder();
  const pass = enc.beginComputePass();
  encodeDispatches(pass, dispatches);
  pass.end();
  ctx.device.queue.submit([enc.finish()]);
  await ctx.device.queue.onSubmittedWorkDone();
  if (uncaptured.length) throw new Error(`WebGPU error: ${uncaptured.splice(0).join('\n')}`);
}

export function randn(rng: Rng, n: number, scale = 1): Float32Array {
  return rng.fill(new Float32Array(n), () => rng.normal() * scale) as Float32Array;
}

/** max |got - want| / max |want| (absolute when want is all zero). */
export function relError(got: ArrayLike<number>, want: ArrayLike<number>): { err: number; worst: number } {
  let maxRef = 0;
  let maxErr = -1;
  let worst = 0;
  for (let i = 0; i < want.length; i++) maxRef = Math.max(maxRef, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const e = Number.isNaN(g) ? Infinity : Math.abs(g - want[i]!);
    if (e > maxErr) [maxErr, worst] = [e, i];
  }
  return { err: maxErr / (maxRef || 1), worst };
}

/** Assert got ≈ want within `tol` of the reference's largest magnitude; names the worst index. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, label: string): void {
  expect(got.length, `${label}: length`).toBe(want.length);
  const { err, worst } = relError(got, want);
  const detail = `${label}: max|err|/max|ref| = ${err.toExponential(2)} > ${tol} at [${worst}]: got ${got[worst]}, want ${want[worst]}`;
  expect(err <= tol, detail).toBe(true);
}
