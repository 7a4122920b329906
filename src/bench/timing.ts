import type { KernelContext } from '../gpu/context.ts';
import { encodeDispatches, type Dispatch } from '../gpu/kernel.ts';
import type { BenchResult } from './result.ts';

export interface Timing {
  ms: number;
  msMin: number;
  msMax: number;
  samples: number;
  /** The samples asked for; fewer were taken when the time budget ran out (noise.ts calls that noisy). */
  planned: number;
  source: 'timestamp' | 'wall';
}

/** How a timing is reported in a result's detail: its source and how many samples it rests on. */
export function timingDetail(t: Timing): { timing: Timing['source']; samples: number; samplesPlanned: number } {
  return { timing: t.source, samples: t.samples, samplesPlanned: t.planned };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Time one pass holding `dispatches`: `warmup` untimed runs, then `iterations` timed ones, each its own
 * submit awaited to completion (a benchmark may wait on the GPU; the training loop never does). GPU
 * timestamps around the pass when the adapter offers them, else wall time from submit to completion.
 */
export async function timeDispatches(
  ctx: KernelContext,
  dispatches: readonly Dispatch[],
  opts: { warmup?: number; iterations?: number; maxSeconds?: number } = {},
): Promise<Timing> {
  const { warmup = 1, iterations = 5, maxSeconds = 20 } = opts;
  const device = ctx.device;
  const useTs = ctx.gpu.hasTimestamps;
  const qs = useTs ? device.createQuerySet({ type: 'timestamp', count: 2 }) : undefined;
  const resolve = useTs ? device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }) : undefined;
  const read = useTs ? device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }) : undefined;
  const once = async (): Promise<number> => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass(qs ? { timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {});
    encodeDispatches(pass, dispatches);
    pass.end();
    if (qs && resolve && read) {
      enc.resolveQuerySet(qs, 0, 2, resolve, 0);
      enc.copyBufferToBuffer(resolve, 0, read, 0, 16);
    }
    const t0 = performance.now();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    const wall = performance.now() - t0;
    if (!read) return wall;
    await read.mapAsync(GPUMapMode.READ);
    const [begin, end] = new BigUint64Array(read.getMappedRange().slice(0));
    read.unmap();
    const gpuMs = Number(end! - begin!) / 1e6;
    // Some implementations report zeros or quantised junk; fall back to wall time rather than lie.
    return gpuMs > 0 && gpuMs <= wall * 1.5 ? gpuMs : wall;
  };
  for (let i = 0; i < warmup; i++) await once();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < iterations && (samples.length < 2 || performance.now() - start < maxSeconds * 1000)) {
    samples.push(await once());
  }
  qs?.destroy();
  resolve?.destroy();
  read?.destroy();
  return {
    ms: median(samples),
    msMin: Math.min(...samples),
    msMax: Math.max(...samples),
    samples: samples.length,
    planned: iterations,
    source: useTs ? 'timestamp' : 'wall',
  };
}

/** A gate run slower than this is the only sample: more would take minutes and tell little more. */
export const SLOW_RUN_MS = 2000;

/**
 * A checked kernel's figures: its gate run (which was also its warm-up) is the one sample when it was slow,
 * else five more runs are timed; GFLOP/s and GB/s from the work and bytes one run does.
 */
export async function timedResult(
  ctx: KernelContext,
  dispatches: readonly Dispatch[],
  gate: Timing,
  r: { name: string; shape: number[]; maxRelErr: number; flops: number; bytes: number; detail: Record<string, unknown> },
): Promise<BenchResult> {
  const t = gate.ms > SLOW_RUN_MS ? gate : await timeDispatches(ctx, dispatches, { warmup: 0, iterations: 5 });
  return {
    name: r.name,
    shape: r.shape,
    ok: true,
    maxRelErr: r.maxRelErr,
    ms: t.ms,
    msMin: t.msMin,
    msMax: t.msMax,
    gflops: r.flops / t.ms / 1e6,
    gbps: r.bytes / t.ms / 1e6,
    detail: { ...r.detail, ...timingDetail(t) },
  };
}
