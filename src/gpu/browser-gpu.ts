import { acquireDevice, type Gpu, type WantedLimit } from './device.ts';
import { BROWSER_HINT, GpuUnavailableError } from './errors.ts';

/** A GPUDevice from the page's navigator.gpu; fails with a message naming browsers and flags that work. */
export async function browserDevice(need: Partial<Record<WantedLimit, number>> = {}): Promise<Gpu> {
  if (typeof navigator === 'undefined' || !navigator.gpu) throw new GpuUnavailableError(BROWSER_HINT);
  return acquireDevice(navigator.gpu, { need, hint: BROWSER_HINT });
}
