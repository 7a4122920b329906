import type { KernelContext } from '../gpu/context.ts';
import { Rng } from '../math/prng.ts';
import { checkAgainstReference } from './matmul-bench.ts';
import type { BenchResult } from './result.ts';

type Tf = typeof import('@tensorflow/tfjs-core');
let loaded: Promise<Tf | string> | undefined;

/**
 * TensorFlow.js with its WebGPU backend built on *our* device, so both libraries run on the same adapter in
 * the same run. Null when the packages are not installed (they are dev dependencies).
 */
function tfjsOn(ctx: KernelContext): Promise<Tf | string> {
  loaded ??= (async () => {
    let tf: Tf;
    let WebGPUBackend: typeof import('@tensorflow/tfjs-backend-webgpu').WebGPUBackend;
    try {
      tf = await import('@tensorflow/tfjs-core');
      ({ WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu'));
    } catch {
      return 'TensorFlow.js is not installed (npm i -D @tensorflow/tfjs-core @tensorflow/tfjs-backend-webgpu)';
    }
    try {
      // TF.js checks navigator.gpu before it will build a backend; Node has no navigator, so lend it ours.
      const g = globalThis as { navigator?: { gpu?: GPU } };
      g.navigator ??= {};
      if (!g.navigator.gpu) Object.defineProperty(g.navigator, 'gpu', { value: ctx.gpu.instance, configurable: true });
      // The backend's kernels are registered under the name 'webgpu': replace its factory with one on our device.
      if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
      tf.registerBackend('webgpu', () => new WebGPUBackend(ctx.device), 10);
      if (!(await tf.setBackend('webgpu'))) return 'TensorFlow.js could not start its WebGPU backend on this device';
      await tf.ready();
      return tf;
    } catch (e) {
      return `TensorFlow.js failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  })();
  return loaded;
}

/**
 * TF.js's WebGPU matmul on n×n×n, checked against the float64 reference, then timed (`peer/tfjs-webgpu`).
 * When TF.js cannot run, the result says why (`detail.skipped`) and carries no figures.
 */
export async function benchTfjsMatmul(ctx: KernelContext, n: number): Promise<BenchResult> {
  const tf = await tfjsOn(ctx);
  if (typeof tf === 'string') return { name: 'peer/tfjs-webgpu', shape: [n, n, n], ok: false, maxRelErr: NaN, detail: { case: String(n), skipped: tf } };
  const rng = new Rng(n + 17);
  const a = rng.fill(new Float32Array(n * n), () => rng.normal()) as Float32Array;
  const b = rng.fill(new Float32Array(n * n), () => rng.normal()) as Float32Array;
  const [ta, tb] = [tf.tensor2d(a, [n, n]), tf.tensor2d(b, [n, n])];
  const name = 'peer/tfjs-webgpu';
  try {
    // tf.time reports the backend's kernel time (GPU timestamps when it can), which leaves out compiling the shader.
    const msOf = (info: Awaited<ReturnType<Tf['time']>>): number => (typeof info.kernelMs === 'number' && info.kernelMs > 0 ? info.kernelMs : info.wallMs);
    let first: ReturnType<Tf['matMul']> | undefined;
    const gateInfo = await tf.time(() => void (first = tf.matMul(ta, tb)));
    const maxRelErr = checkAgainstReference((await first!.data()) as Float32Array, a, b, { M: n, N: n, K: n }, rng);
    first!.dispose();
    if (!(maxRelErr <= 1e-4)) return { name, shape: [n, n, n], ok: false, maxRelErr, detail: { case: String(n) } };
    // At 1,024 one run takes tens of seconds on a CPU adapter: the gate run is the one sample, as for our slow matmuls.
    const planned = n >= 1024 ? 1 : 3;
    const samples = n >= 1024 ? [msOf(gateInfo)] : [];
    while (samples.length < planned) samples.push(msOf(await tf.time(() => void tf.matMul(ta, tb).dispose())));
    const ms = samples.sort((x, y) => x - y)[samples.length >> 1]!;
    return { name, shape: [n, n, n], ok: true, maxRelErr, ms, msMin: samples[0]!, msMax: samples.at(-1)!, gflops: (2 * n ** 3) / ms / 1e6, detail: { case: String(n), samples: samples.length, samplesPlanned: planned } };
  } finally {
    ta.dispose();
    tb.dispose();
  }
}

/** Each of our square matmul results as a multiple of TF.js's GFLOP/s at the same size (detail.vsTfjs). */
export function withTfjsRatios(results: BenchResult[]): BenchResult[] {
  const peer = new Map(results.filter((r) => r.name === 'peer/tfjs-webgpu' && r.ok).map((r) => [r.shape.join('x'), r.gflops!]));
  return results.map((r) => {
    const p = peer.get(r.shape.join('x'));
    return r.ok && r.name.startsWith('matmul/') && p && r.gflops ? { ...r, detail: { ...r.detail, vsTfjs: r.gflops / p } } : r;
  });
}
