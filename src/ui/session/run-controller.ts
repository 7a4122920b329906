import type { Gpu } from '../../gpu/device.ts';
import { KernelContext } from '../../gpu/context.ts';
import type { RunConfig } from '../../model/config.ts';
import type { StepRecord } from '../../stats/record.ts';
import { makeDataset } from '../../train/data/dataset.ts';
import type { Dataset } from '../../train/data/types.ts';
import type { EvalResult } from '../../train/eval.ts';
import { gridPoints, PredictProgram } from '../../train/predict.ts';
import { Trainer } from '../../train/trainer.ts';
import { tunedTiling } from '../../kernels/tunables.ts';
import { loadTuning } from '../tuning-store.ts';
import type { BoundaryData } from '../gs-boundary/gs-boundary.ts';

export type RunId = 'A' | 'B';
export type PageStatus = 'idle' | 'running' | 'paused' | 'diverged' | 'error';

/** What the controller tells the page; the page never touches the GPU. */
export interface RunListener {
  record(run: RunId, r: StepRecord): void;
  test(run: RunId, step: number, result: EvalResult): void;
  status(s: PageStatus, detail?: string): void;
  rebuilt(runs: RunId[]): void;
  /** Run A's decision boundary (2-D classification only), a few times a second while it trains. */
  boundary(d: BoundaryData): void;
}

/** Grid cells per side of the decision boundary, and how often it refreshes while training. */
const BOUNDARY_RES = 48;
const BOUNDARY_MS = 400;

/** Steps between test-set evaluations while running. */
const EVAL_EVERY = 100;
/** Submits allowed ahead of the GPU before a frame skips submitting (flow control without waiting). */
const MAX_PENDING = 2;

/**
 * Owns the trainers for run A (and B in compare mode) and drives them from requestAnimationFrame:
 * each frame submits `stepsPerFrame` steps to each run (the same seed, data and batches, so they stay in
 * lockstep) and hands over whatever records have arrived. Rendering never waits for training and training
 * never waits for rendering.
 */
export class RunController {
  status: PageStatus = 'idle';
  stepsPerFrame = 4;
  private runs = new Map<RunId, Trainer>();
  private ctx: KernelContext;
  private raf = 0;
  private building: Promise<void> = Promise.resolve();
  private lastEval = 0;
  private evaluating = false;
  private predictor: { program: PredictProgram; min: number; max: number; classes: number } | null = null;
  private lastBoundary = 0;
  private predicting = false;
  /** Run A's data set (the page draws its points under the boundary). */
  data: Dataset | null = null;
  /** Whether the nets use a tuning table saved for this adapter by the bench page. */
  tuned = false;

  constructor(
    private readonly gpu: Gpu,
    private readonly listener: RunListener,
  ) {
    this.ctx = new KernelContext(gpu);
  }

  get step(): number {
    return this.runs.get('A')?.step ?? 0;
  }

  trainer(run: RunId): Trainer | undefined {
    return this.runs.get(run);
  }

  /** Build the nets for a config (and its comparison). Throws ConfigError/LimitError for the page to show. */
  load(a: RunConfig, b: RunConfig | null, csv?: string): Promise<void> {
    this.building = this.building.then(async () => {
      const wasRunning = this.status === 'running';
      this.pause();
      const data: Dataset = makeDataset(a.data, a.seed, csv);
      const next = new Map<RunId, Trainer>();
      const table = loadTuning(this.gpu.adapter);
      this.tuned = !!table;
      const opts = { stepsPerSubmit: 16, ...(table ? { tiling: tunedTiling(table) } : {}) };
      try {
        next.set('A', await Trainer.create(this.ctx, a, data, opts));
        if (b) next.set('B', await Trainer.create(this.ctx, b, b.data.name === a.data.name ? data : makeDataset(b.data, b.seed, csv), opts));
      } catch (e) {
        for (const t of next.values()) t.destroy();
        this.setStatus(wasRunning ? 'running' : this.status === 'diverged' ? 'diverged' : 'paused');
        if (wasRunning) this.play();
        throw e;
      }
      for (const t of this.runs.values()) t.destroy();
      this.runs = next;
      this.data = data;
      this.predictor = await this.makePredictor(next.get('A')!, data);
      this.lastEval = 0;
      this.listener.rebuilt([...next.keys()]);
      this.setStatus('idle');
      this.refreshBoundary(true);
      if (wasRunning) this.play();
    });
    return this.building;
  }

  private async makePredictor(t: Trainer, d: Dataset): Promise<RunController['predictor']> {
    if (d.inputDim !== 2 || d.task !== 'classification') return null;
    let extent = 0;
    for (const v of d.train.x) extent = Math.max(extent, Math.abs(v));
    const max = extent * 1.1 || 1;
    const program = await PredictProgram.build(t.net, gridPoints(BOUNDARY_RES, -max, max));
    return { program, min: -max, max, classes: d.outputDim };
  }

  /** Predict on the grid unless a prediction is under way or one was made within BOUNDARY_MS. */
  private refreshBoundary(now = false): void {
    const p = this.predictor;
    if (!p || this.predicting || (!now && performance.now() - this.lastBoundary < BOUNDARY_MS)) return;
    this.predicting = true;
    this.lastBoundary = performance.now();
    void p.program
      .run()
      .then((logits) => {
        if (this.predictor === p) this.listener.boundary({ logits, res: BOUNDARY_RES, classes: p.classes, min: p.min, max: p.max });
      })
      .catch((e: unknown) => this.fail(e))
      .finally(() => (this.predicting = false));
  }

  /** Learning rate, momentum, weight decay and τ take effect without a rebuild. */
  setHyper(a: RunConfig, b: RunConfig | null): void {
    this.runs.get('A')?.setHyper(a);
    if (b) this.runs.get('B')?.setHyper(b);
  }

  play(): void {
    if (this.status === 'diverged' || this.status === 'error' || !this.runs.size) return;
    this.setStatus('running');
    if (!this.raf) this.raf = requestAnimationFrame(this.frame);
  }

  pause(): void {
    if (this.status === 'running') this.setStatus('paused');
    cancelAnimationFrame(this.raf);
    this.raf = 0;
  }

  /** One step on every run (the → key), delivered on the next frames. */
  stepOnce(): void {
    if (this.status === 'running' || this.status === 'diverged' || this.status === 'error') return;
    for (const t of this.runs.values()) t.submit(1, true);
    this.setStatus('paused');
    this.poll();
    this.refreshBoundary(true);
  }

  reset(): void {
    this.pause();
    for (const t of this.runs.values()) t.reset();
    this.lastEval = 0;
    this.listener.rebuilt([...this.runs.keys()]);
    this.setStatus('idle');
    this.refreshBoundary(true);
  }

  destroy(): void {
    this.pause();
    for (const t of this.runs.values()) t.destroy();
    this.runs.clear();
  }

  private frame = (): void => {
    this.raf = 0;
    if (this.status !== 'running') return;
    const ready = [...this.runs.values()].every((t) => t.pending < MAX_PENDING);
    // A fresh run's first frame is a single step, so its first record (the depth chart's ghost) is step 1.
    if (ready) for (const t of this.runs.values()) t.submit(t.step === 0 ? 1 : this.stepsPerFrame, true);
    this.drainAll();
    this.maybeEvaluate();
    this.refreshBoundary();
    if (this.status === 'running') this.raf = requestAnimationFrame(this.frame);
  };

  /** Deliver records that arrived after a single step (paused) over the next few frames. */
  private poll(tries = 30): void {
    this.drainAll();
    if (tries > 0 && [...this.runs.values()].some((t) => t.pending > 0)) requestAnimationFrame(() => this.poll(tries - 1));
    else this.drainAll();
  }

  private drainAll(): void {
    for (const [id, t] of this.runs) {
      for (const r of t.drain()) this.listener.record(id, r);
      if (t.status === 'diverged' && this.status !== 'diverged') {
        this.pause();
        const d = t.divergence;
        this.setStatus('diverged', d ? `Run ${id} went non-finite at step ${d.step}: ${d.what}.` : undefined);
      }
    }
  }

  private maybeEvaluate(): void {
    if (this.evaluating || this.step - this.lastEval < EVAL_EVERY) return;
    this.evaluating = true;
    this.lastEval = this.step;
    const jobs = [...this.runs].map(async ([id, t]) => {
      const step = t.step;
      const r = await t.evaluate();
      if (r) this.listener.test(id, step, r);
    });
    void Promise.all(jobs)
      .catch((e: unknown) => this.fail(e))
      .finally(() => (this.evaluating = false));
  }

  /** A read-back that failed (the device was lost, usually): stop and say so once. */
  private fail(e: unknown): void {
    if (this.status === 'error') return;
    this.pause();
    this.setStatus('error', e instanceof Error ? e.message : String(e));
  }

  private setStatus(s: PageStatus, detail?: string): void {
    this.status = s;
    this.listener.status(s, detail);
  }
}
