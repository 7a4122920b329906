/**
 * The step benchmark's second peer (issue #9): jax-js (`@jax-js/jax`, an optional dev dependency) trains the same
 * MLP (jax-mlp.ts) on two of its devices in the same run: WebGPU, on a device of its own that it requests from our
 * GPU instance (so from the same adapter), and Wasm, on the same CPU (one thread in Node, which has no global Worker
 * for jax-js's thread pool). Each is gated like our step before it is timed: its first loss against the float64
 * forward, and its first update against float64 SGD. Our step results then carry jax-js's ms per step over ours
 * (detail.vsJaxWebgpu, detail.vsJaxWasm).
 */
import type { KernelContext } from '../gpu/context.ts';
import { graphForwardBackward } from '../reference/graph.ts';
import { hostParams, jaxInputs, jaxMlpStep, mlpProblem, type Jax, type JaxArray, type JaxDevice, type MlpParams, type MlpProblem } from './jax-mlp.ts';
import { REFERENCE } from './estimate.ts';
import { wasmDispatches, wasmThreads, watchDevice } from './jax-watch.ts';
import type { BenchResult } from './result.ts';
import { STEP_BUDGET_MS, stepConfig } from './step-bench.ts';
import { median } from './timing.ts';

export const JAX_DEVICES: readonly JaxDevice[] = ['webgpu', 'wasm'];

/** The case: depth 100, width 128, batch 128, as our step benchmark. */
export interface JaxStepCase {
  depth: number;
  width: number;
  batch: number;
}

/** `step/jax-webgpu-depth100-width128`: beside our `step/depth100-width128`, so a filter on `step` runs both. */
export function jaxStepName(device: JaxDevice, c: JaxStepCase): string {
  return `step/jax-${device}-depth${c.depth}-width${c.width}`;
}

/** The case `npm run bench` runs. */
export const JAX_STEP_CASE: JaxStepCase = { depth: 100, width: 128, batch: 128 };

/**
 * Seconds per step per block at width and batch 128 on the reference machine (issue #9 at depth 100: 1,049 ms on
 * WebGPU, 323 ms on Wasm), and what the first step adds to one: tracing and compiling the jit.
 */
const JAX_REFERENCE = { stepSecondsPerBlock: { webgpu: 1.05e-2, wasm: 3.2e-3 }, compileSeconds: 3 } as const;

/** A jax-js step case for the progress line: loading, the first step and its float64 check, the warm-up, the timed steps. */
export function jaxStepSeconds(device: JaxDevice, c: JaxStepCase): number {
  const step = c.depth * JAX_REFERENCE.stepSecondsPerBlock[device] * ((c.width / 128) ** 2 * c.batch) / 128;
  const gate = (3 * c.depth * c.width ** 2 * c.batch) / REFERENCE.f64MacsPerSecond;
  return JAX_REFERENCE.compileSeconds + gate + (2 + plannedJaxSteps(1000 * step).planned) * step;
}

/** The first loss agrees with float64 as tightly as ours must (step-bench.ts). */
export const JAX_LOSS_TOLERANCE = 1e-4;
/** ‖Δp − Δp₆₄‖ / ‖Δp₆₄‖ over every parameter: 8.5e-5 at depth 100 on both devices, so a wrong gradient is far above. */
export const JAX_UPDATE_TOLERANCE = 1e-3;

let loaded: Promise<Jax | string> | undefined;

/** jax-js reads navigator.gpu (WebGPU) and navigator.userAgent (its tuning); Node 20 has no navigator: lend ours. */
function lendNavigator(ctx: KernelContext): void {
  const g = globalThis as { navigator?: { gpu?: GPU; userAgent?: string } };
  g.navigator ??= {};
  if (!g.navigator.gpu) Object.defineProperty(g.navigator, 'gpu', { value: ctx.gpu.instance, configurable: true });
  if (typeof g.navigator.userAgent !== 'string') Object.defineProperty(g.navigator, 'userAgent', { value: 'Node.js', configurable: true });
}

/** jax-js with `device` started, or why not (one line, for detail.skipped). */
export async function jaxOn(ctx: KernelContext, device: JaxDevice): Promise<Jax | string> {
  loaded ??= (async () => {
    lendNavigator(ctx);
    try {
      return await import('@jax-js/jax');
    } catch (e) {
      const missing = (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (module|package)|Failed to resolve/.test(String(e));
      return missing ? 'jax-js is not installed (npm i -D @jax-js/jax)' : `jax-js failed to load: ${e instanceof Error ? e.message : String(e)}`;
    }
  })();
  const jax = await loaded;
  if (typeof jax === 'string') return jax;
  try {
    // init() starts only the devices it is given, once each; a later call for another device adds it.
    if ((await jax.init(device)).includes(device)) return jax;
  } catch (e) {
    return `jax-js could not start its ${device} device: ${e instanceof Error ? e.message : String(e)}`;
  }
  return device === 'webgpu' ? 'jax-js could not start its WebGPU device (navigator.gpu gave no adapter, or the adapter refused its device)' : 'jax-js could not start its Wasm device (no WebAssembly here)';
}

/** The gate's findings: the first loss and the first update against float64, and the parameters after that update. */
export interface JaxGate {
  lossRelErr: number;
  updateRelErr: number;
  loss: number;
  refLoss: number;
  refSeconds: number;
  gateMs: number;
  params: MlpParams;
}

/** ‖(before − after) − lr·g‖ / ‖lr·g‖ over every parameter: the update jax-js made against float64 SGD's. */
export function updateRelErr(before: ReadonlyMap<string, ArrayLike<number>>, after: ReadonlyMap<string, ArrayLike<number>>, grads: ReadonlyMap<string, ArrayLike<number>>, lr: number): number {
  let [num, den] = [0, 0];
  for (const [name, g] of grads) {
    const [p0, p1] = [before.get(name)!, after.get(name)!];
    for (let i = 0; i < g.length; i++) {
      const want = lr * g[i]!;
      num += (p0[i]! - p1[i]! - want) ** 2;
      den += want ** 2;
    }
  }
  return Math.sqrt(num / den);
}

type Step = (p: MlpParams, x: JaxArray, y: JaxArray) => [JaxArray, MlpParams];

/** One step run to completion: the loss (before the update) and the parameters after it. */
async function runStep(jax: Jax, step: Step, params: MlpParams, x: JaxArray, y: JaxArray): Promise<{ t0: number; ms: number; loss: JaxArray; params: MlpParams }> {
  const t0 = performance.now();
  const [loss, next] = step(params, x.ref, y.ref);
  // jax-js is lazy: the step's kernels are submitted here, and it resolves once every output has been computed.
  await jax.blockUntilReady([loss, next]);
  return { t0, ms: performance.now() - t0, loss, params: next };
}

/** The first step (it also compiles), checked against float64 on the weights and batch it started from. */
async function gateFirstJaxStep(jax: Jax, step: Step, prob: MlpProblem, inputs: ReturnType<typeof jaxInputs>, lr: number): Promise<JaxGate> {
  const first = await runStep(jax, step, inputs.params, inputs.x, inputs.y);
  const loss = (await first.loss.data())[0]!;
  const names = [...prob.params.keys()];
  const after = await hostParams(first.params, names);
  const t0 = performance.now();
  const before = new Map([...prob.params].map(([k, v]) => [k, Float64Array.from(v)]));
  const ref = graphForwardBackward(prob.graph, before, new Map(), { x: Float64Array.from(prob.x), y: prob.y, batch: prob.batch });
  const refSeconds = (performance.now() - t0) / 1000;
  const lossRelErr = Math.abs(loss - ref.loss) / Math.abs(ref.loss);
  return { lossRelErr, updateRelErr: updateRelErr(before, after, ref.grads, lr), loss, refLoss: ref.loss, refSeconds, gateMs: first.ms, params: first.params };
}

/** Timed steps after the warm-up: as many as fit the budget at its pace, 3 to 16. */
export function plannedJaxSteps(warmMs: number, budgetMs = STEP_BUDGET_MS): { min: number; max: number; planned: number } {
  const fit = Math.floor(budgetMs / Math.max(warmMs, 1e-3));
  return { min: 3, max: 16, planned: Math.min(16, Math.max(3, fit)) };
}

export interface JaxStepOptions {
  /** The timed steps' budget (STEP_BUDGET_MS). */
  budgetMs?: number;
  /** At most this many timed steps (16; tests take the minimum). */
  maxSteps?: number;
  /** The learning rate jax-js's step runs: the config's unless given (a test gives another to see the gate fail). */
  stepLr?: number;
}

/** The timed steps' figures, and what one step records (dispatchesPerStep; on WebGPU its submits and encodeMs). */
interface JaxTiming {
  samples: number[];
  planned: number;
  warmupMs: number;
  perStep: Record<string, number>;
}

/**
 * One untimed warm-up step, then as many as plannedJaxSteps says fit, each from the call until every output is ready.
 * On WebGPU the device is watched meanwhile: encodeMs is the median time from the call until the step's last kernel
 * was submitted (the host's share: tracing nothing, as jit has compiled, but scheduling, binding and recording each
 * kernel). On Wasm the kernels run on the host inside that time, so there is no encode time apart from them.
 */
async function timeJaxSteps(jax: Jax, step: Step, state: { params: MlpParams }, io: { x: JaxArray; y: JaxArray }, device: JaxDevice, opts: JaxStepOptions): Promise<JaxTiming> {
  const once = async () => {
    const r = await runStep(jax, step, state.params, io.x, io.y);
    state.params = r.params;
    r.loss.dispose();
    return r;
  };
  const warmupMs = (await once()).ms;
  const budgetMs = opts.budgetMs ?? STEP_BUDGET_MS;
  const fit = plannedJaxSteps(warmupMs, budgetMs);
  const max = Math.min(fit.max, opts.maxSteps ?? fit.max);
  const [samples, encodes, dispatches, submits]: [number[], number[], number[], number[]] = [[], [], [], []];
  const watch = device === 'webgpu' ? watchDevice(jax.getWebGPUDevice()) : undefined;
  try {
    const start = performance.now();
    while (samples.length < max && (samples.length < Math.min(fit.min, max) || performance.now() - start < budgetMs)) {
      const [d0, s0] = [watch?.dispatches ?? 0, watch?.kernelSubmits ?? 0];
      const r = await once();
      samples.push(r.ms);
      if (!watch) continue;
      encodes.push(watch.lastKernelSubmitAt - r.t0);
      dispatches.push(watch.dispatches - d0);
      submits.push(watch.kernelSubmits - s0);
    }
  } finally {
    watch?.stop();
  }
  const perStep = watch ? { dispatchesPerStep: median(dispatches), submitsPerStep: median(submits), encodeMs: median(encodes) } : { dispatchesPerStep: await wasmDispatches(jax, once) };
  return { samples, planned: Math.min(fit.planned, max), warmupMs, perStep };
}

/**
 * jax-js's training step on `device`: our network, weights and first batch (jax-mlp.ts), gated on its first step (its
 * loss against the float64 forward, its update against float64 SGD), then timed (timeJaxSteps). When jax-js is absent
 * or cannot start the device, the result says why (detail.skipped) and carries no figures.
 */
export async function benchJaxStep(ctx: KernelContext, device: JaxDevice, c: JaxStepCase, opts: JaxStepOptions = {}): Promise<BenchResult> {
  const [name, shape] = [jaxStepName(device, c), [c.depth, c.width, c.batch]];
  const jax = await jaxOn(ctx, device);
  if (typeof jax === 'string') return { name, shape, ok: false, maxRelErr: NaN, detail: { device, skipped: jax } };
  try {
    return await gatedJaxStep(jax, device, c, opts, { name, shape });
  } catch (e) {
    // A peer that breaks is reported, not allowed to end the run.
    return { name, shape, ok: false, maxRelErr: NaN, detail: { device, skipped: `jax-js failed on ${device}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` } };
  }
}

/** benchJaxStep once jax-js runs: build, gate, time; a gate that fails leaves the figures out. */
async function gatedJaxStep(jax: Jax, device: JaxDevice, c: JaxStepCase, opts: JaxStepOptions, id: { name: string; shape: number[] }): Promise<BenchResult> {
  const { name, shape } = id;
  const config = stepConfig(c.depth, { width: c.width, batch: c.batch });
  const prob = await mlpProblem(config);
  const inputs = jaxInputs(jax, prob, device);
  const step = jaxMlpStep(jax, opts.stepLr ?? config.train.lr, prob.batch);
  const state = { params: inputs.params };
  let done = false;
  try {
    const gate = await gateFirstJaxStep(jax, step, prob, inputs, config.train.lr);
    state.params = gate.params;
    const maxRelErr = Math.max(gate.lossRelErr, gate.updateRelErr);
    const gateDetail = { gate: 'first-step loss vs float64 forward, first update vs float64 SGD', loss: gate.loss, refLoss: gate.refLoss, lossRelErr: gate.lossRelErr, updateRelErr: gate.updateRelErr, refSeconds: gate.refSeconds, gateMs: gate.gateMs };
    const where = device === 'webgpu' ? { adapter: jax.getWebGPUDevice().adapterInfo?.description ?? '' } : { threads: wasmThreads() };
    if (!(gate.lossRelErr <= JAX_LOSS_TOLERANCE && gate.updateRelErr <= JAX_UPDATE_TOLERANCE)) {
      done = true;
      return { name, shape, ok: false, maxRelErr, detail: { device, ...where, ...gateDetail } };
    }
    const t = await timeJaxSteps(jax, step, state, inputs, device, opts);
    done = true;
    const ms = median(t.samples);
    const flops = 3 * 2 * c.batch * c.width * c.width * c.depth; // as ours (step-bench.ts)
    const figures = { ms, msMin: Math.min(...t.samples), msMax: Math.max(...t.samples), gflops: flops / ms / 1e6 };
    const detail = { case: `jax-js ${device}`, device, ...where, ...t.perStep, samples: t.samples.length, samplesPlanned: t.planned, timing: 'wall', warmupMs: t.warmupMs, ...gateDetail };
    return { name, shape, ok: true, maxRelErr, ...figures, detail };
  } finally {
    // After a failure an argument may already have been moved into a step: leave the arrays to the failed run.
    if (done) jax.tree.dispose([state.params, inputs.x, inputs.y]);
    step.dispose();
  }
}

/** Our step's key for jax-js's row at the same depth and width: `100x128`. */
function stepKey(name: string): { key: string; device?: JaxDevice } | null {
  const peer = /^step\/jax-(webgpu|wasm)-depth(\d+)-width(\d+)$/.exec(name);
  if (peer) return { key: `${peer[2]}x${peer[3]}`, device: peer[1] as JaxDevice };
  const ours = /^step\/depth(\d+)-width(\d+)(?:-nostats)?$/.exec(name);
  return ours ? { key: `${ours[1]}x${ours[2]}` } : null;
}

const RATIO_KEYS: Record<JaxDevice, 'vsJaxWebgpu' | 'vsJaxWasm'> = { webgpu: 'vsJaxWebgpu', wasm: 'vsJaxWasm' };

/** Our step result with jax-js's ms per step over ours for each jax-js device among `others` (how many times faster). */
export function withJaxRatio(r: BenchResult, others: readonly BenchResult[]): BenchResult {
  const k = r.ok && r.ms ? stepKey(r.name) : null;
  if (!k || k.device) return r;
  const ratios: Record<string, number> = {};
  for (const o of others) {
    const p = o.ok && o.ms ? stepKey(o.name) : null;
    if (p?.device && p.key === k.key) ratios[RATIO_KEYS[p.device]] = o.ms! / r.ms!;
  }
  return Object.keys(ratios).length ? { ...r, detail: { ...r.detail, ...ratios } } : r;
}

/** Every step result of a run with its ratios to jax-js's, wherever in the run the peer ran. */
export function withJaxRatios(results: BenchResult[]): BenchResult[] {
  return results.map((r) => withJaxRatio(r, results));
}
