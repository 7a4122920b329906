/**
 * What a jax-js step records, watched from outside the library: the dispatches and submits on its WebGPU device and when
 * its host side was done (jax-peer.ts's dispatchesPerStep, submitsPerStep, encodeMs), the kernels its Wasm device ran,
 * and how many threads that device has.
 */
import type { Jax } from './jax-mlp.ts';

/** What jax-js's WebGPU device records while watched: dispatches, the submits that carry them, and when the last returned. */
export interface DeviceCounter {
  dispatches: number;
  kernelSubmits: number;
  lastKernelSubmitAt: number;
  stop(): void;
}

/**
 * Watch a device by wrapping its methods on the instance (the prototype's stay as they are; stop() removes the
 * wrappers). jax-js records each kernel into a command encoder and compute pass of its own and submits it at once, so
 * a submit that follows a dispatch carries a kernel; the others are blockUntilReady's reads.
 */
export function watchDevice(device: GPUDevice): DeviceCounter {
  const c: DeviceCounter = { dispatches: 0, kernelSubmits: 0, lastKernelSubmitAt: 0, stop: () => void (delete (device as Partial<GPUDevice>).createCommandEncoder, delete (device.queue as Partial<GPUQueue>).submit) };
  const [createEncoder, submit] = [device.createCommandEncoder, device.queue.submit];
  let recorded = false;
  device.createCommandEncoder = (d?: GPUCommandEncoderDescriptor): GPUCommandEncoder => {
    const enc = createEncoder.call(device, d);
    const begin = enc.beginComputePass;
    enc.beginComputePass = (pd?: GPUComputePassDescriptor): GPUComputePassEncoder => {
      const pass = begin.call(enc, pd);
      const dispatch = pass.dispatchWorkgroups;
      pass.dispatchWorkgroups = (...xyz: [number, number?, number?]) => void ((c.dispatches++, (recorded = true)), dispatch.apply(pass, xyz));
      return pass;
    };
    return enc;
  };
  device.queue.submit = (buffers: Iterable<GPUCommandBuffer>): undefined => {
    submit.call(device.queue, buffers);
    if (recorded) [c.kernelSubmits, c.lastKernelSubmitAt, recorded] = [c.kernelSubmits + 1, performance.now(), false];
  };
  return c;
}

/** Kernels one step runs on the Wasm device: jax-js's profiler marks each dispatch as a performance measure. */
export async function wasmDispatches(jax: Jax, run: () => Promise<unknown>): Promise<number> {
  const from = performance.now();
  jax.profiler.startTrace();
  try {
    await run();
  } finally {
    jax.profiler.stopTrace();
  }
  const track = (e: PerformanceEntry) => ((e as PerformanceMeasure).detail as { devtools?: { track?: string } } | null)?.devtools?.track;
  const marks = performance.getEntriesByType('measure').filter((e) => e.startTime >= from && track(e) === 'wasm');
  for (const name of new Set(marks.map((e) => e.name))) performance.clearMeasures(name);
  return marks.length;
}

/** How many threads jax-js's Wasm device runs on: a pool of workers when it can make one (browsers), else one (Node). */
export function wasmThreads(): number {
  const pool = typeof SharedArrayBuffer !== 'undefined' && typeof Worker !== 'undefined';
  return pool ? Math.max(1, (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency || 4) : 1;
}
