import type { RunConfig } from '../../model/config.ts';
import type { StepRecord } from '../../stats/record.ts';
import type { Dataset } from '../../train/data/types.ts';
import { tilingFromTable, type Engine, type KernelContext } from '../../train/engine.ts';
import type { EvalResult } from '../../train/eval.ts';
import { RunSet, type PageFiles, type RunId } from '../../train/run-set.ts';
import type { Trainer } from '../../train/trainer.ts';
import type { BoundaryData } from '../gs-boundary/gs-boundary.ts';
import { loadTuning } from '../tuning-store.ts';
import { LatestBuild, SUPERSEDED } from './latest-build.ts';
import { chunkStride, DEFAULT_SPEED, MAX_SPEED, nextGoal, stepsThisFrame } from './pacing.ts';

export type { RunId };
/** `done`: the run reached its goal (train.steps, or where Continue moved it) and waits for Continue. */
export type PageStatus = 'idle' | 'running' | 'paused' | 'done' | 'diverged' | 'error';
/** What a load came to: the nets were replaced, or a newer load was asked for before this one started. */
export type LoadResult = 'built' | 'superseded';

/** What the controller tells the page; the page never touches the GPU. */
export interface RunListener {
  /** A record of the current run; `stride` is the steps per record the run was logging at (log.every). */
  record(run: RunId, r: StepRecord, stride: number): void;
  test(run: RunId, step: number, result: EvalResult): void;
  status(s: PageStatus, detail?: string): void;
  /** The runs start over (a new build or a reset): views drop everything they hold. */
  rebuilt(runs: RunId[]): void;
  /** A run's decision boundary (2-D classification only), a few times a second while it trains. */
  boundary(run: RunId, d: BoundaryData): void;
}

/** How often the decision boundary refreshes while training, at most. */
const BOUNDARY_MS = 400;
/**
 * The share of the GPU's time the boundary may take while training: a prediction runs the whole grid (48² points)
 * through the net, as much work as dozens of training steps on a deep one, so the gap before the next follows its cost.
 */
const BOUNDARY_SHARE = 0.1;
/** A first boundary costing no more than this runs at once, also in a run that plays from its build. */
const FIRST_BOUNDARY_MS = 1000;
/** Steps between test-set evaluations while running. */
const EVAL_EVERY = 100;
/** Submits allowed ahead of the GPU before a frame skips submitting (flow control without waiting). */
const MAX_PENDING = 2;

/**
 * Owns the current build (run A, and B in compare mode) and drives it from requestAnimationFrame: each
 * frame submits one chunk of steps per run (the same seed, data and batches, so they stay in lockstep),
 * logging its last step, and hands over the records that have arrived. Rendering never waits for training
 * and training never waits for rendering.
 *
 * Every time the runs start over (a rebuild or a reset) the generation goes up; evaluations and
 * predictions carry the generation they started in, and results of an older one are dropped, so nothing
 * of a replaced run reaches the page.
 */
export class RunController {
  status: PageStatus = 'idle';
  /** Steps per frame; below 1 is slow motion (src/ui/session/pacing.ts). */
  speed = DEFAULT_SPEED;
  /** The step the run stops at: train.steps, moved on by train.steps each time it is continued. */
  goal = 0;
  /** train.steps of the current run (an edit changes it without a rebuild). */
  private trainSteps = 1;
  /** Whether the nets use a tuning table saved for this adapter by the bench page. */
  tuned = false;
  private set: RunSet | null = null;
  private readonly builds = new LatestBuild<RunSet>();
  private readonly ctx: KernelContext;
  private generation = 0;
  private destroyed = false;
  private raf = 0;
  private frameNo = 0;
  /** Per run: the stride each submitted chunk logs at, by the step its record will carry. */
  private strides = new Map<RunId, Map<number, number>>();
  private lastEval = 0;
  private evaluating = false;
  private lastBoundary = 0;
  /** GPU ms the newest boundary prediction took (from when the work queued before it finished); null before one. */
  private boundaryMs: number | null = null;
  /** Wall ms per training step, from the newest record of run A. */
  private stepMs = 0;
  private predicting = false;

  constructor(
    private readonly engine: Engine,
    private readonly listener: RunListener,
  ) {
    this.ctx = engine.ctx;
  }

  /** Run A's data set (the page draws its points under the boundary). */
  get data(): Dataset | null {
    return this.set?.data ?? null;
  }

  get step(): number {
    return this.trainer('A')?.step ?? 0;
  }

  trainer(run: RunId): Trainer | undefined {
    return this.set?.runs.get(run);
  }

  /**
   * Build the nets for a config (and its comparison) and swap them in. Until the swap the old nets keep
   * training; a refused build (ConfigError, LimitError) rejects and leaves them exactly as they were.
   */
  async load(a: RunConfig, b: RunConfig | null, files: PageFiles = {}): Promise<LoadResult> {
    const table = loadTuning(this.engine.adapter);
    const req = { a, b, stepsPerSubmit: MAX_SPEED, ...files, ...(table ? { tiling: tilingFromTable(table) } : {}) };
    const built = await this.builds.request(() => RunSet.build(this.ctx, req));
    if (built === SUPERSEDED) return 'superseded';
    if (this.destroyed) {
      built.destroy();
      return 'superseded';
    }
    this.tuned = !!table;
    const wasRunning = this.status === 'running';
    this.set?.destroy();
    this.set = built;
    this.startOver();
    this.setStatus(wasRunning ? 'running' : 'idle');
    this.schedule();
    return 'built';
  }

  /** Learning rate, momentum, weight decay and τ take effect without a rebuild; train.steps moves the goal. */
  setHyper(a: RunConfig, b: RunConfig | null): void {
    this.trainer('A')?.setHyper(a);
    if (b) this.trainer('B')?.setHyper(b);
    if (a.train.steps !== this.trainSteps) {
      this.trainSteps = a.train.steps;
      this.goal = nextGoal(Math.max(0, this.step - 1), this.trainSteps);
    }
  }

  /** Play, or at the goal Continue: the goal moves on by train.steps. */
  play(): void {
    const a = this.trainer('A');
    if (!a || this.status === 'diverged' || this.status === 'error') return;
    if (a.step >= this.goal) this.goal = nextGoal(a.step, this.trainSteps);
    this.setStatus('running');
    this.schedule();
  }

  pause(): void {
    if (this.status === 'running') this.setStatus('paused');
  }

  /** One step on every run (the → key); its record arrives on a later frame. */
  stepOnce(): void {
    if (!this.set || this.status === 'running' || this.status === 'diverged' || this.status === 'error') return;
    this.submit(this.set, 1, 1);
    this.setStatus('paused');
    this.schedule();
    this.refreshBoundary(true);
  }

  /** Back to step 0 with the same nets; records still on their way from the old run are dropped. */
  reset(): void {
    if (!this.set) return;
    for (const t of this.set.runs.values()) t.reset();
    this.startOver();
    this.setStatus('idle');
    this.schedule();
  }

  destroy(): void {
    this.destroyed = true;
    cancelAnimationFrame(this.raf);
    this.raf = 0;
    this.set?.destroy();
    this.set = null;
    this.generation++;
  }

  /** A new generation: views clear, and whatever the old one still has in flight is dropped. */
  private startOver(): void {
    const set = this.set!;
    this.generation++;
    this.frameNo = 0;
    this.lastEval = 0;
    this.evaluating = this.predicting = false;
    this.strides = new Map([...set.runs.keys()].map((id) => [id, new Map()]));
    this.trainSteps = set.runs.get('A')!.config.train.steps;
    this.goal = this.trainSteps;
    this.listener.rebuilt([...set.runs.keys()]);
    // The first boundary comes from the frame loop, queued behind a playing run's first step, not ahead of it.
    this.lastBoundary = -Infinity;
    this.boundaryMs = null;
    this.stepMs = 0;
  }

  private schedule(): void {
    if (!this.raf && !this.destroyed) this.raf = requestAnimationFrame(this.frame);
  }

  private frame = (): void => {
    this.raf = 0;
    const set = this.set;
    if (!set) return;
    if (this.status === 'running') this.advance(set);
    this.drain(set);
    if (this.status === 'running') this.maybeEvaluate();
    this.refreshBoundary();
    // Keep delivering while anything is in flight, also after a pause or a single step.
    if (this.status === 'running' || this.inFlight(set)) this.schedule();
  };

  /** This frame's chunk of steps, or at the goal (once every record is in) the end of the run. */
  private advance(set: RunSet): void {
    const trainers = [...set.runs.values()];
    if (this.step >= this.goal) {
      if (!this.inFlight(set)) this.finish();
      return;
    }
    // An evaluation or a prediction runs in slices between frames: no step may change the weights under it.
    if (this.evaluating || this.predicting || !trainers.every((t) => t.pending < MAX_PENDING)) return;
    const n = stepsThisFrame({ step: this.step, speed: this.speed, frame: this.frameNo++, goal: this.goal });
    if (n > 0) this.submit(set, n, chunkStride(this.step, this.speed));
  }

  private submit(set: RunSet, steps: number, stride: number): void {
    for (const [id, t] of set.runs) {
      t.submit(steps, true);
      this.strides.get(id)?.set(t.step, stride);
    }
  }

  private finish(): void {
    this.setStatus('done');
    this.maybeEvaluate(true);
    this.refreshBoundary(true);
  }

  private inFlight(set: RunSet): boolean {
    return [...set.runs.values()].some((t) => t.pending > 0 || t.program.ring.inFlight > 0);
  }

  private drain(set: RunSet): void {
    for (const [id, t] of set.runs) {
      const strides = this.strides.get(id)!;
      for (const r of t.drain()) {
        const stride = strides.get(r.step) ?? 1;
        if (id === 'A' && r.stepMs > 0) this.stepMs = r.stepMs;
        for (const k of strides.keys()) if (k <= r.step) strides.delete(k);
        this.listener.record(id, r, stride);
      }
      if (t.status === 'diverged' && this.status !== 'diverged') {
        const d = t.divergence;
        this.setStatus('diverged', d ? `Run ${id} went non-finite at step ${d.step}: ${d.what}.` : undefined);
      }
    }
  }

  /** The test set every EVAL_EVERY steps (and at the end of a run), off the frame loop. */
  private maybeEvaluate(force = false): void {
    const set = this.set;
    if (!set || this.evaluating || (!force && this.step - this.lastEval < EVAL_EVERY)) return;
    const gen = this.generation;
    this.evaluating = true;
    this.lastEval = this.step;
    const jobs = [...set.runs].map(async ([id, t]) => {
      const step = t.step;
      const r = await t.evaluate();
      if (r && gen === this.generation) this.listener.test(id, step, r);
    });
    void Promise.all(jobs)
      .catch((e: unknown) => gen === this.generation && this.fail(e))
      .finally(() => gen === this.generation && (this.evaluating = false));
  }

  /**
   * Predict on the grid unless a prediction is under way or the last one was too recent. While training: BOUNDARY_MS or
   * 1/BOUNDARY_SHARE times its cost after the last, whichever is longer. A run playing from its build has had none: its
   * first comes at once if it is cheap (under FIRST_BOUNDARY_MS by the step time, a batch's forward pass being about a
   * third of a step), else after 1/BOUNDARY_SHARE times that estimate. Otherwise: when asked (`now`), and once for a
   * new build.
   */
  private refreshBoundary(now = false): void {
    const predictors = this.set?.predictors;
    if (!predictors?.size || this.predicting) return;
    const since = performance.now() - this.lastBoundary;
    let due = now || (since === Infinity && this.status !== 'running');
    if (!due && this.status === 'running') {
      const batches = Math.max(...[...predictors.values()].map((p) => p.program.batches));
      const cost = this.boundaryMs ?? (this.stepMs > 0 ? (this.stepMs * batches) / 3 : null);
      if (cost === null) return;
      if (since === Infinity && cost > FIRST_BOUNDARY_MS) {
        this.lastBoundary = performance.now();
        return;
      }
      due = since >= Math.max(BOUNDARY_MS, cost / BOUNDARY_SHARE);
    }
    if (!due) return;
    const gen = this.generation;
    this.predicting = true;
    const start = (this.lastBoundary = performance.now());
    // The prediction starts on the GPU when the work queued before it is done. A lost device rejects this too: the
    // prediction's own rejection below is the one that reports it.
    let queuedDone = start;
    this.ctx.device.queue.onSubmittedWorkDone().then(
      () => (queuedDone = performance.now()),
      () => {},
    );
    const jobs = [...predictors].map(([id, p]) =>
      p.program.run().then((logits) => gen === this.generation && this.listener.boundary(id, { logits, res: p.res, classes: p.classes, min: p.min, max: p.max })),
    );
    void Promise.all(jobs)
      .then(() => gen === this.generation && (this.boundaryMs = performance.now() - Math.max(start, queuedDone)))
      .catch((e: unknown) => gen === this.generation && this.fail(e))
      .finally(() => gen === this.generation && (this.predicting = false));
  }

  /** A read-back that failed (the device was lost, usually): stop and say so once. */
  private fail(e: unknown): void {
    if (this.status === 'error') return;
    this.setStatus('error', e instanceof Error ? e.message : String(e));
  }

  private setStatus(s: PageStatus, detail?: string): void {
    this.status = s;
    this.listener.status(s, detail);
  }
}
