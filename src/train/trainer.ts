import type { KernelContext } from '../gpu/context.ts';
import { Rng } from '../math/prng.ts';
import type { OptimizerHyper } from '../kernels/optimizer.ts';
import type { TilingChoice } from '../kernels/tunables.ts';
import type { RunConfig } from '../model/config.ts';
import type { Graph } from '../model/graph/graph.ts';
import type { GraphNetwork } from '../model/graph/graph-network.ts';
import type { TensorStore } from '../model/tensor-store.ts';
import { findDivergence } from '../stats/divergence.ts';
import type { Divergence, PhaseTimes, StepRecord } from '../stats/record.ts';
import { BatchSampler, type SamplerState } from './data/batch-sampler.ts';
import type { Dataset } from './data/types.ts';
import type { EvalProgram, EvalResult } from './eval.ts';
import { buildEngine, type TrainingEngine } from './engines.ts';
import type { StepProgram, StepTiming } from './step.ts';

export type TrainerStatus = 'idle' | 'running' | 'paused' | 'diverged' | 'error';

export interface TrainerOptions {
  /** Steps recorded into one submit (the page runs several per animation frame). */
  stepsPerSubmit?: number;
  /** GPU memory a plan may use; larger plans are refused before allocating. */
  budgetBytes?: number;
  /** Matmul tilings: one for all, or per shape from an autotuned table (src/bench/autotune.ts). */
  tiling?: TilingChoice;
}

/** Steps between test-set evaluations (the CLI's eval lines, the page's test curve). */
export const EVAL_EVERY = 100;

/** Where a run stands between steps: with the weights and optimizer state, all a resumed run needs. */
export interface TrainingState {
  /** Steps trained so far (the optimizer's step counter too, which Adam's bias correction reads). */
  step: number;
  sampler: SamplerState;
}

/** Adam's β and ε are PyTorch's defaults; RunConfig does not expose them. */
export function optimizerHyper(c: RunConfig): OptimizerHyper {
  return { lr: c.train.lr, momentum: c.train.momentum, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: c.train.weightDecay, clipMax: c.train.clip.max };
}

/**
 * Drives training: writes each step's batch indices, records steps into one submit, and drains
 * statistics from the readback ring without waiting on the GPU. At most two submits are in flight;
 * the loop waits only when it is that far ahead (flow control, never a per-step stall).
 */
export class Trainer {
  status: TrainerStatus = 'idle';
  /** How the i-th logged step is timed: phases on the first of every timePhasesEvery, layers half-way between (or rarer). */
  private timing(i: number): StepTiming {
    const every = this.timePhasesEvery;
    if (i % every === 0) return 'phases';
    this.nextLayered ??= Math.floor(every / 2);
    if (i < this.nextLayered) return 'none';
    this.nextLayered = i + Math.max(every, this.layerEvery ?? every);
    return 'layers';
  }

  /**
   * Thins per-row timing to its budget from what the newest layer-timed step cost: its extra GPU time over the newest
   * phase-timed step's forward and backward, and its extra wall time over the untimed logged steps' (a CPU adapter
   * spends much of a pass's cost outside the timestamps), whichever asks for the longer gap.
   */
  private paceLayerTiming(r: StepRecord): void {
    if (r.phaseMs) this.lastPhases = r.phaseMs;
    if (!r.layerMs && !r.phaseMs && r.stepMs > 0) this.untimedMs = this.untimedMs ? 0.8 * this.untimedMs + 0.2 * r.stepMs : r.stepMs;
    if (!r.layerMs) return;
    const gaps: number[] = [];
    const p = this.lastPhases;
    if (p) {
      const sum = (v: readonly number[]) => v.reduce((a, b) => a + b, 0);
      const extra = sum(r.layerMs.forward) + sum(r.layerMs.backward) - (p.forward + p.backward);
      const step = p.forward + p.loss + p.backward + p.norms + p.statistics + p.optimizer;
      if (step > 0) gaps.push(Math.max(0, extra) / step);
    }
    // stepMs is per step over the steps since the last record; the timed one carried the whole extra.
    if (this.untimedMs > 0 && r.stepMs > 0) gaps.push(Math.max(0, r.stepMs - this.untimedMs) / this.untimedMs);
    if (gaps.length) this.layerEvery = Math.ceil(Math.max(...gaps) / this.layerTimingBudget);
  }

  /** Steps submitted so far (the next step is step + 1). */
  step = 0;
  divergence: Divergence | null = null;
  /** Log every this many steps (the config's log.every; the page and benchmarks may change it). */
  logEvery: number;
  /**
   * One logged step in this many is timed phase by phase (StepRecord.phaseMs), the first always; another one in
   * this many, half-way between, row by row (StepRecord.layerMs), or fewer: see layerTimingBudget.
   */
  timePhasesEvery = 10;
  /**
   * The share of the logged steps' GPU time that per-row timing may add (a compute pass per row costs a CPU adapter
   * about a step's worth at depth 100): after each layer-timed step, its extra GPU time over the newest phase-timed
   * step's forward and backward sets how many logged steps pass before the next one.
   */
  layerTimingBudget = 0.02;
  private layerEvery: number | null = null;
  private nextLayered: number | null = null;
  private lastPhases: PhaseTimes | null = null;
  /** Wall ms per step of the untimed logged steps, smoothed. */
  private untimedMs = 0;
  private loggedSteps = 0;
  private sampler: BatchSampler;
  private readonly indices: Uint32Array;
  private inFlight: Promise<unknown>[] = [];
  private lastRecordAt = { time: 0, step: 0 };
  /** The network as a layer graph: its rows name the per-layer arrays of every record. */
  readonly graph: Graph;

  private constructor(
    readonly config: RunConfig,
    readonly data: Dataset,
    readonly engine: TrainingEngine,
  ) {
    this.sampler = new BatchSampler(data.train.n, config.train.batchSize, new Rng(config.seed).fork('shuffle'));
    this.indices = new Uint32Array(config.train.batchSize);
    this.logEvery = config.log.every;
    this.graph = engine.graph;
    this.program = engine.program;
    this.evaluator = engine.evaluator;
  }

  static async create(ctx: KernelContext, config: RunConfig, data: Dataset, opts: TrainerOptions = {}): Promise<Trainer> {
    // Check the batch size against the data before planning, so the message names the field.
    new BatchSampler(data.train.n, config.train.batchSize, new Rng(0));
    // The trainer's own scope: destroy() frees every buffer its network and programs made (eval's, predict's too).
    const scope = ctx.scope();
    try {
      const tiling = opts.tiling ? { tiling: opts.tiling } : {};
      const step = { optimizer: config.train.optimizer, clip: config.train.clip.mode, hyper: optimizerHyper(config), ...tiling };
      const engine = await buildEngine(scope, config, data, { stepsPerSubmit: opts.stepsPerSubmit ?? 1, budgetBytes: opts.budgetBytes ?? 4 * 2 ** 30, step, ...tiling });
      // Pipelines compile while the build goes on; every one is checked before the first step.
      await scope.pipelines.settled();
      return new Trainer(config, data, engine);
    } catch (e) {
      scope.destroy();
      throw e;
    }
  }

  readonly program: StepProgram;
  readonly evaluator: EvalProgram;

  get ctx(): KernelContext {
    return this.engine.ctx;
  }

  /** Every named tensor, as checkpoints and gradient dumps see it. */
  get store(): TensorStore {
    return this.engine.store;
  }

  /** The network on the device (tests and the step benchmark's float64 gate read it). */
  get net(): GraphNetwork {
    return this.engine.net;
  }

  /** Whether step n is one whose statistics are recorded. */
  logs(n: number): boolean {
    return n % this.logEvery === 0 || n === this.config.train.steps;
  }

  /**
   * Submit up to `max` steps (at most stepsPerSubmit), ending early at the next logged step, and return
   * how many were submitted. With `logLast` the chunk runs whole and only its last step is logged (the page:
   * one record per animation frame). Never waits.
   */
  submit(max: number, logLast = false): number {
    if (this.status === 'diverged') return 0;
    const cap = Math.min(max, this.engine.stepsPerSubmit);
    let k = 0;
    const enc = this.ctx.device.createCommandEncoder();
    let ringSlot: number | null = null;
    while (k < cap) {
      const n = this.step + 1;
      this.sampler.next(this.indices);
      this.engine.writeIndices(k, this.indices, n);
      const log = logLast ? k === cap - 1 : this.logs(n);
      ringSlot = this.program.encode(enc, k, log, log ? this.timing(this.loggedSteps++) : 'none');
      this.step = n;
      k++;
      if (log) break;
    }
    this.ctx.device.queue.submit([enc.finish()]);
    if (ringSlot !== null) this.program.ring.commit(ringSlot, this.step);
    const done = this.ctx.device.queue.onSubmittedWorkDone();
    this.inFlight.push(done);
    this.pending++;
    // Settled either way (a lost device rejects it; whoever awaits inFlight hears of that).
    done.then(
      () => this.pending--,
      () => this.pending--,
    );
    return k;
  }

  /** Submits the GPU has not finished (a frame loop checks this instead of waiting). */
  pending = 0;

  /**
   * Records that have arrived, oldest first. The first non-finite one stops the run and is the last record
   * delivered: steps already in flight behind it (their updates skipped by the sticky flag) are dropped.
   */
  drain(): StepRecord[] {
    const out: StepRecord[] = [];
    for (const snap of this.program.ring.takeReady()) {
      if (this.divergence) continue;
      const now = performance.now();
      const steps = Math.max(1, snap.tag - this.lastRecordAt.step);
      const stepMs = this.lastRecordAt.time ? (now - this.lastRecordAt.time) / steps : 0;
      this.lastRecordAt = { time: now, step: snap.tag };
      const record = this.program.stats.decode(snap.data, snap.tag, stepMs);
      this.paceLayerTiming(record);
      out.push(record);
      if (record.nonFinite) {
        // The GPU's step counter stops at the last finite update, so the first bad step is known even when
        // it was not a logged one (log.every > 1).
        const first = this.program.stats.updatesApplied(snap.data) + 1;
        this.divergence = findDivergence(record, first) ?? { step: first, layer: null, what: 'the loss is not finite' };
        this.status = 'diverged';
      }
    }
    return out;
  }

  /** Wait until at most `depth` submits are in flight (flow control for loops that run ahead). */
  async throttle(depth = 2): Promise<void> {
    while (this.inFlight.length > depth) await this.inFlight.shift();
    if (this.program.ring.inFlight >= 3) await this.program.ring.settled();
  }

  /**
   * Run `steps` more steps (the CLI), delivering every record in order. `stop` is asked between submits
   * (a signal arrived): the steps already submitted finish and their records are delivered.
   */
  async run(steps: number, onRecord: (r: StepRecord) => void, stop: () => boolean = () => false): Promise<void> {
    const end = this.step + steps;
    this.status = 'running';
    while (this.step < end && this.status === 'running' && !stop()) {
      this.submit(end - this.step);
      await this.throttle();
      for (const r of this.drain()) onRecord(r);
    }
    await Promise.all(this.inFlight.splice(0));
    await this.program.ring.settled();
    for (const r of this.drain()) onRecord(r);
    if (this.status === 'running') this.status = 'idle';
  }

  /** Test loss and accuracy at the current parameters (waits for the GPU). */
  async evaluate(): Promise<EvalResult | null> {
    await Promise.all(this.inFlight.splice(0));
    return this.evaluator.run();
  }

  /** Learning rate, momentum, weight decay and clip threshold change without a rebuild. */
  setHyper(config: RunConfig): void {
    this.program.optimizer.setHyper(optimizerHyper(config));
  }

  /** The step and the sampler's position (the weights and optimizer moments live on the GPU). */
  trainingState(): TrainingState {
    return { step: this.step, sampler: this.sampler.state() };
  }

  /**
   * Continue from a saved state, after the weights and optimizer moments have been written: the next step
   * is state.step + 1 and gets the batch it would have had in the unbroken run.
   */
  restore(state: TrainingState): void {
    this.sampler = BatchSampler.restore(this.data.train.n, this.config.train.batchSize, state.sampler);
    this.program.optimizer.setStep(state.step);
    this.step = state.step;
    this.divergence = null;
    this.status = 'idle';
    this.lastRecordAt = { time: 0, step: state.step };
  }

  /** Back to step 0: fresh weights from the seed, optimizer state and the non-finite flag cleared. */
  reset(): void {
    this.engine.initialize();
    this.program.optimizer.setStep(0);
    this.sampler = new BatchSampler(this.data.train.n, this.config.train.batchSize, new Rng(this.config.seed).fork('shuffle'));
    this.step = 0;
    this.loggedSteps = 0;
    this.divergence = null;
    this.status = 'idle';
    this.lastRecordAt = { time: 0, step: 0 };
    // Snapshots of steps before the reset may still be mapping: they must never come out of drain().
    this.program.ring.discardCommitted();
  }

  destroy(): void {
    this.engine.destroy();
    this.engine.ctx.destroy();
  }
}
