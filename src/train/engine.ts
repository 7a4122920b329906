import { browserDevice } from '../gpu/browser-gpu.ts';
import { KernelContext } from '../gpu/context.ts';
import type { AdapterSummary, Gpu } from '../gpu/device.ts';
import { tunedTiling, type TilingChoice } from '../kernels/tunables.ts';

export { BROWSER_HINT, GpuUnavailableError } from '../gpu/errors.ts';
export type { AdapterSummary, Gpu, KernelContext, TilingChoice };

/**
 * The engine on one device, as a host (the page, the bench page) holds it: the device and its kernel
 * caches. Hosts build trainers and benchmarks through it and never reach below it into gpu/ or kernels/.
 */
export interface Engine {
  gpu: Gpu;
  ctx: KernelContext;
  adapter: AdapterSummary;
}

/** The engine on a device already acquired. */
export function engineOn(gpu: Gpu): Engine {
  return { gpu, ctx: new KernelContext(gpu), adapter: gpu.adapter };
}

/** The engine on the page's WebGPU device; fails with GpuUnavailableError naming the browsers and flags that give it. */
export async function browserEngine(): Promise<Engine> {
  return engineOn(await browserDevice());
}

/** A bench page's tuning table (kernel → chosen variant) as the matmul tilings a trainer takes. */
export function tilingFromTable(table: Readonly<Record<string, string>>): TilingChoice {
  return tunedTiling(table);
}
