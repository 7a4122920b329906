import type { KernelContext } from '../gpu/context.ts';
import { convOutput, type ConvPass } from '../kernels/conv.ts';
import { Rng } from '../math/prng.ts';
import { convEntry, convInputs, type ConvCase } from './conv-bench.ts';
import { sampledRelErr } from './kernel-bench.ts';
import { checkAgainstReference } from './matmul-bench.ts';
import type { BenchResult } from './result.ts';

export type Tf = typeof import('@tensorflow/tfjs-core');
let loaded: Promise<Tf | string> | undefined;

/**
 * TensorFlow.js with its WebGPU backend built on *our* device, so both libraries run on the same adapter in
 * the same run. Null when the packages are not installed (they are dev dependencies).
 */
export function tfjsOn(ctx: KernelContext): Promise<Tf | string> {
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

/** tf.time's kernel time (GPU timestamps when it can, which leaves out compiling the shader), else wall time. */
const kernelMs = (info: Awaited<ReturnType<Tf['time']>>): number => (typeof info.kernelMs === 'number' && info.kernelMs > 0 ? info.kernelMs : info.wallMs);

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
    let first: ReturnType<Tf['matMul']> | undefined;
    const gateInfo = await tf.time(() => void (first = tf.matMul(ta, tb)));
    const maxRelErr = checkAgainstReference((await first!.data()) as Float32Array, a, b, { M: n, N: n, K: n }, rng);
    first!.dispose();
    if (!(maxRelErr <= 1e-4)) return { name, shape: [n, n, n], ok: false, maxRelErr, detail: { case: String(n) } };
    // At 1,024 one run takes tens of seconds on a CPU adapter: the gate run is the one sample, as for our slow matmuls.
    const planned = n >= 1024 ? 1 : 3;
    const samples = n >= 1024 ? [kernelMs(gateInfo)] : [];
    while (samples.length < planned) samples.push(kernelMs(await tf.time(() => void tf.matMul(ta, tb).dispose())));
    const ms = samples.sort((x, y) => x - y)[samples.length >> 1]!;
    return { name, shape: [n, n, n], ok: true, maxRelErr, ms, msMin: samples[0]!, msMax: samples.at(-1)!, gflops: (2 * n ** 3) / ms / 1e6, detail: { case: String(n), samples: samples.length, samplesPlanned: planned } };
  } finally {
    ta.dispose();
    tb.dispose();
  }
}

/**
 * TF.js's WebGPU convolution kernels (Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter: what tf.conv2d and its
 * gradient run) on one ResNet convolution pass, NHWC with HWIO filters and the same symmetric padding as ours,
 * checked on sampled entries against float64, then timed (`peer/tfjs-conv-{pass}`).
 */
export async function benchTfjsConv(ctx: KernelContext, pass: ConvPass, c: ConvCase): Promise<BenchResult> {
  const s = c.shape;
  const name = `peer/tfjs-conv-${pass}`;
  const shape = [s.batch, s.H, s.W, s.Cin, s.Cout, s.stride];
  const tf = await tfjsOn(ctx);
  if (typeof tf === 'string') return { name, shape, ok: false, maxRelErr: NaN, detail: { case: c.label, skipped: tf } };
  const { Ho, Wo } = convOutput(s);
  const { g, rng, x, w, dy } = convInputs(s, pass);
  // Our weights are OHWI, TF.js's filters HWIO: index maps both ways.
  const hwio = (i: number): number => {
    const [ci, kk, co] = [i % s.Cin, Math.floor(i / s.Cin) % (s.KH * s.KW), Math.floor(i / (s.Cin * s.KH * s.KW))];
    return (kk * s.Cin + ci) * s.Cout + co;
  };
  const filterData = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) filterData[hwio(i)] = w[i]!;
  const tx = tf.tensor4d(x, [s.batch, s.H, s.W, s.Cin]);
  const tw = tf.tensor4d(filterData, [s.KH, s.KW, s.Cin, s.Cout]);
  const tdy = tf.tensor4d(dy, [s.batch, Ho, Wo, s.Cout]);
  const attrs = { strides: [s.stride, s.stride], pad: s.pad, dataFormat: 'NHWC', dilations: [1, 1] };
  const run = (): ReturnType<Tf['conv2d']> =>
    pass === 'forward'
      ? tf.conv2d(tx, tw, s.stride, s.pad)
      : pass === 'input'
        ? (tf.engine().runKernel('Conv2DBackpropInput', { dy: tdy, filter: tw }, { ...attrs, inputShape: [s.batch, s.H, s.W, s.Cin] }) as ReturnType<Tf['conv2d']>)
        : (tf.engine().runKernel('Conv2DBackpropFilter', { x: tx, dy: tdy }, { ...attrs, filterShape: [s.KH, s.KW, s.Cin, s.Cout] }) as ReturnType<Tf['conv2d']>);
  try {
    let first: ReturnType<Tf['conv2d']> | undefined;
    const gate = await tf.time(() => void (first = run()));
    const got = (await first!.data()) as Float32Array;
    first!.dispose();
    const maxRelErr = sampledRelErr(1024, g.c, rng, (i) => got[pass === 'weights' ? hwio(i) : i]!, (i) => convEntry(s, pass, x, w, dy, i));
    if (!(maxRelErr <= 1e-4)) return { name, shape, ok: false, maxRelErr, detail: { case: c.label } };
    const samples = [kernelMs(gate)];
    while (samples.length < 3) samples.push(kernelMs(await tf.time(() => void run().dispose())));
    const ms = samples.sort((p, q) => p - q)[1]!;
    return { name, shape, ok: true, maxRelErr, ms, msMin: samples[0]!, msMax: samples[2]!, gflops: (2 * g.M * g.N * g.K) / ms / 1e6, detail: { case: c.label, pass, samples: 3, samplesPlanned: 3 } };
  } finally {
    tx.dispose();
    tw.dispose();
    tdy.dispose();
  }
}

/**
 * Each of our square matmuls, and each conv pass, as a multiple of TF.js's GFLOP/s on the same shape; each of our
 * LSTM steps as TF.js's ms per step over ours (detail.vsTfjs).
 */
export function withTfjsRatios(results: BenchResult[]): BenchResult[] {
  const key = (r: BenchResult): string | null => {
    if (r.name === 'peer/tfjs-webgpu' || r.name.startsWith('matmul/')) return `matmul ${r.shape.join('x')}`;
    const conv = /^(?:peer\/tfjs-conv|conv\/\w+)-(forward|input|weights)$/.exec(r.name);
    if (conv) return `conv ${conv[1]} ${r.shape.join('x')}`;
    const lstm = /^(?:step\/|peer\/tfjs-)(lstm-\S+)$/.exec(r.name);
    return lstm ? `step ${lstm[1]}` : null;
  };
  const peer = new Map(results.filter((r) => r.name.startsWith('peer/tfjs') && r.ok).map((r) => [key(r), r]));
  return results.map((r) => {
    const p = peer.get(key(r));
    if (!r.ok || r.name.startsWith('peer/') || !p) return r;
    const ratio = r.name.startsWith('step/') ? p.ms! / r.ms! : p.gflops && r.gflops ? r.gflops / p.gflops : undefined;
    return ratio ? { ...r, detail: { ...r.detail, vsTfjs: ratio } } : r;
  });
}
