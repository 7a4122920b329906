import type { KernelContext } from '../gpu/context.ts';
import { convGemm } from '../kernels/conv.ts';
import { convSeconds, kernelSeconds, lstmStepSeconds, matmulSeconds, peerSeconds, REFERENCE, resnetStepSeconds, stepSeconds, tfjsLstmSeconds } from './estimate.ts';
import { benchConv, CONV_CASES, CONV_PASSES, CONV_VARIANTS } from './conv-bench.ts';
import { benchMatmul, MATMUL_CASES, MATMUL_VARIANTS } from './matmul-bench.ts';
import { benchCase, KERNEL_CASES } from './kernel-bench.ts';
import { benchJaxStep, JAX_DEVICES, JAX_STEP_CASE, jaxStepName, jaxStepSeconds, withJaxRatio, withJaxRatios } from './jax-peer.ts';
import { withNoise } from './noise.ts';
import { benchPeakCopy, benchPeakFma } from './peak-bench.ts';
import { remainingSeconds, type SuiteProgress } from './progress.ts';
import { benchResnetStep, forwardMacs, RESNET_STEP_CASES, resnetStepGraph, resnetStepName } from './resnet-bench.ts';
import { benchLstmStep, LSTM_STEP_CASES, lstmForwardMacs, lstmStepName } from './rnn-bench.ts';
import { benchStep, plannedPairs, stepTimingPlan } from './step-bench.ts';
import { benchTfjsLstm, plannedTfjsSteps, tfjsLstmName } from './tfjs-lstm.ts';
import { benchTfjsConv, benchTfjsMatmul, withTfjsRatios } from './tfjs-peer.ts';
import type { BenchResult } from './result.ts';

/**
 * One runnable benchmark: its full name (`family/variant case`), a rough duration for the progress line, and
 * how to run it. A paired measurement (a training step with and without statistics) yields several results,
 * named in `also`; a filter that matches any of its names runs it. `slow` cases are left out of a quick run.
 */
export interface BenchEntry {
  id: string;
  also?: string[];
  /** Seconds on the reference adapter (estimate.ts). */
  estimateS: number;
  slow?: boolean;
  run(ctx: KernelContext): Promise<BenchResult | BenchResult[]>;
}

/** A quick run leaves out matmuls above this many multiply-adds (1,024³, 2,048³, batch 512 × width 1,024). */
const QUICK_MAX_MACS = 2 ** 27;

export function benchEntries(): BenchEntry[] {
  // Peaks first: later results are reported as a percentage of them.
  const out: BenchEntry[] = [
    { id: 'peak/fma', estimateS: REFERENCE.peakSeconds, run: benchPeakFma },
    { id: 'peak/copy', estimateS: REFERENCE.peakSeconds, run: benchPeakCopy },
  ];
  for (const c of MATMUL_CASES) {
    for (const variant of Object.keys(MATMUL_VARIANTS)) {
      // The naive kernel on the big shapes takes tens of seconds on a CPU adapter and proves nothing new.
      const { M, N, K } = c.shape;
      if (variant === 'naive' && M * N * K > 2 ** 27) continue;
      const slow = M * N * K > QUICK_MAX_MACS;
      out.push({ id: `matmul/${variant} ${c.label}`, estimateS: matmulSeconds(variant, M * N * K), ...(slow ? { slow } : {}), run: (ctx) => benchMatmul(ctx, variant, c) });
    }
  }
  // The ResNet convolutions (implicit GEMM): more multiply-adds than a quick run's matmuls, so slow.
  for (const c of CONV_CASES) {
    for (const pass of CONV_PASSES) {
      for (const variant of Object.keys(CONV_VARIANTS)) {
        const g = convGemm(c.shape, pass);
        out.push({ id: `conv/${variant}-${pass} ${c.label}`, estimateS: convSeconds(variant, g.M * g.N * g.K), slow: true, run: (ctx) => benchConv(ctx, variant, pass, c) });
      }
      const g = convGemm(c.shape, pass);
      out.push({ id: `peer/tfjs-conv-${pass} ${c.label}`, estimateS: convSeconds('tfjs', g.M * g.N * g.K), slow: true, run: (ctx) => benchTfjsConv(ctx, pass, c) });
    }
  }
  // The peer comparison: TF.js's WebGPU matmul on the same device, when its packages are installed.
  for (const n of [256, 512, 1024]) {
    out.push({ id: `peer/tfjs-webgpu ${n}`, estimateS: peerSeconds(n, n === 256), ...(n >= 1024 ? { slow: true } : {}), run: (ctx) => benchTfjsMatmul(ctx, n) });
  }
  for (const c of KERNEL_CASES) out.push({ id: `${c.name} ${c.shape.join('x')}`, estimateS: kernelSeconds(c.shape), run: (ctx) => benchCase(ctx, c) });
  for (const depth of [100, 1000]) {
    // Issue #9's peer, jax-js on its WebGPU and Wasm devices, just before our step, so our rows can print the ratios.
    if (depth === JAX_STEP_CASE.depth) {
      for (const device of JAX_DEVICES) out.push({ id: jaxStepName(device, JAX_STEP_CASE), estimateS: jaxStepSeconds(device, JAX_STEP_CASE), run: (ctx) => benchJaxStep(ctx, device, JAX_STEP_CASE) });
    }
    const estimateS = stepSeconds(depth, (pairS) => plannedPairs(pairS * 1000).planned);
    const id = `step/depth${depth}-width128`;
    out.push({ id, also: [`${id}-nostats`], estimateS, ...(depth > 100 ? { slow: true } : {}), run: (ctx) => benchStep(ctx, depth) });
  }
  // Issue #7's ResNet-20 and ResNet-56 steps at batch 128: minutes each on a CPU adapter, so slow.
  for (const c of RESNET_STEP_CASES) {
    const estimateS = resnetStepSeconds(forwardMacs(resnetStepGraph(c), c.batch), (stepS) => stepTimingPlan(stepS * 1000).steps);
    out.push({ id: resnetStepName(c), estimateS, slow: true, run: (ctx) => benchResnetStep(ctx, c) });
  }
  // Issue #10's LSTM step (H 128, T 100, batch 128), then the same network in TF.js on the same device: slow.
  for (const c of LSTM_STEP_CASES) {
    const macs = lstmForwardMacs(c);
    out.push({ id: lstmStepName(c), estimateS: lstmStepSeconds(macs, (stepS) => stepTimingPlan(stepS * 1000).steps), slow: true, run: (ctx) => benchLstmStep(ctx, c) });
    out.push({ id: tfjsLstmName(c), estimateS: tfjsLstmSeconds(macs, (stepS) => plannedTfjsSteps(stepS * 1000).planned), slow: true, run: (ctx) => benchTfjsLstm(ctx, c) });
  }
  return out;
}

export interface SuitePlan {
  /** A regular expression over entry names; the peaks always run. */
  filter?: RegExp | undefined;
  /** Leave out the slow cases: the biggest matmuls, TF.js at 1,024, the convolutions, the step at depth 1,000, the ResNet and LSTM steps (and TF.js's LSTM). */
  quick?: boolean | undefined;
  /** Cases to run after the suite's own (a user's kernel), whatever the filter. */
  extra?: readonly BenchEntry[];
}

/** The entries a run will go through, in order: known before anything runs, so progress can count them. */
export function planSuite(plan: SuitePlan = {}): BenchEntry[] {
  const { filter, quick = false, extra = [] } = plan;
  const picked = benchEntries().filter((e) => {
    if (e.id.startsWith('peak/')) return true;
    if (quick && e.slow) return false;
    return !filter || [e.id, ...(e.also ?? [])].some((n) => filter.test(n));
  });
  return [...picked, ...extra];
}

export interface SuiteHooks {
  /** Each result as it lands, with its percentage of peak and its noise mark. */
  onResult?(r: BenchResult): void;
  /** Before each case, and once at the end (done = total). */
  onProgress?(p: SuiteProgress): void;
}

/** Run a planned list in order, reporting results and progress as they come. */
export async function runSuite(ctx: KernelContext, entries: readonly BenchEntry[], hooks: SuiteHooks = {}): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const estimates = entries.map((e) => e.estimateS);
  const took: number[] = [];
  const start = performance.now();
  const progress = (id: string): void =>
    hooks.onProgress?.({ done: took.length, total: entries.length, id, elapsedS: (performance.now() - start) / 1000, remainingS: remainingSeconds(estimates, took) });
  for (const e of entries) {
    progress(e.id);
    const t0 = performance.now();
    for (const raw of [await e.run(ctx)].flat()) {
      const r = finishResult(raw, results);
      results.push(r);
      hooks.onResult?.(r);
    }
    took.push((performance.now() - t0) / 1000);
  }
  progress('');
  return withJaxRatios(withTfjsRatios(results));
}

/** What every result goes through: its ratios to jax-js's step and percentage of the peaks measured before it, then the noise rules. */
export function finishResult(r: BenchResult, earlier: readonly BenchResult[]): BenchResult {
  return withNoise(withPeak(withJaxRatio(r, earlier), earlier));
}

/** Compute-bound results against peak/fma, memory-bound ones (no GFLOP/s) against peak/copy. */
export function withPeak(r: BenchResult, earlier: readonly BenchResult[]): BenchResult {
  if (!r.ok || r.name.startsWith('peak/')) return r;
  const peak = (name: string) => earlier.find((e) => e.name === name && e.ok);
  const fma = peak('peak/fma')?.gflops;
  const copy = peak('peak/copy')?.gbps;
  const pct = r.gflops !== undefined && fma ? (100 * r.gflops) / fma : r.gbps !== undefined && copy ? (100 * r.gbps) / copy : undefined;
  return pct === undefined ? r : { ...r, pctPeak: pct };
}
