import type { KernelContext } from '../gpu/context.ts';
import type { TilingChoice } from '../kernels/tunables.ts';
import type { RunConfig } from '../model/config.ts';
import { makeDataset, type Cifar10Data, type UserData } from './data/dataset.ts';
import type { Dataset, Samples } from './data/types.ts';
import { gridPoints, PredictProgram } from './predict.ts';
import { Trainer } from './trainer.ts';

export type RunId = 'A' | 'B';

/** Grid cells per side of the decision boundary on a net of up to BOUNDARY_FULL_ROWS rows. */
export const BOUNDARY_RES = 48;
const BOUNDARY_FULL_ROWS = 200;
/** The coarsest grid a deep net's boundary is drawn with. */
const BOUNDARY_MIN_RES = 16;

/**
 * Grid cells per side for a net of `rows` rows: a prediction runs every grid point through the whole net (48² points
 * are 72 batches of 32), so past BOUNDARY_FULL_ROWS rows the grid thins to keep its cost near that of a 200-row net's
 * full grid, down to BOUNDARY_MIN_RES per side.
 */
export function boundaryRes(rows: number): number {
  const res = Math.round(BOUNDARY_RES * Math.sqrt(BOUNDARY_FULL_ROWS / Math.max(rows, BOUNDARY_FULL_ROWS)));
  return Math.max(BOUNDARY_MIN_RES, res);
}

/** The data the user gave the page: an uploaded CSV's rows, CIFAR-10's batches parsed from the files picked. */
export interface PageFiles {
  csv?: Samples;
  cifar10?: Cifar10Data;
}

/**
 * What one build needs: run A's config, run B's (compare mode), the most steps one submit will run, the
 * user's files, matmul tilings.
 */
export interface BuildRequest extends PageFiles {
  a: RunConfig;
  b: RunConfig | null;
  stepsPerSubmit: number;
  tiling?: TilingChoice;
}

/** The files a config's data set reads. */
function filesFor(c: RunConfig, files: PageFiles): UserData | undefined {
  return c.data.name === 'csv' ? files.csv : c.data.name === 'cifar10' ? files.cifar10 : undefined;
}

/** One run's decision-boundary program and the square its grid covers (2-D classification only). */
export interface Predictor {
  program: PredictProgram;
  /** Grid cells per side. */
  res: number;
  min: number;
  max: number;
  classes: number;
}

/**
 * Everything one build made: the trainers, run A's data set and the boundary predictors, all allocated in one
 * KernelContext scope. `destroy()` frees every buffer of the build (arenas, read-back rings, the eval and
 * predict programs' buffers and bind groups), so replacing a build leaves nothing behind on the GPU.
 */
export class RunSet {
  private constructor(
    private readonly scope: KernelContext,
    readonly runs: ReadonlyMap<RunId, Trainer>,
    readonly data: Dataset,
    /** The boundary program of each run whose data is 2-D classification. */
    readonly predictors: ReadonlyMap<RunId, Predictor>,
  ) {}

  /** Builds every net or none: a refused build (too big, batch larger than the data…) frees what it made and throws. */
  static async build(ctx: KernelContext, req: BuildRequest): Promise<RunSet> {
    const scope = ctx.scope();
    const runs = new Map<RunId, Trainer>();
    try {
      const opts = { stepsPerSubmit: req.stepsPerSubmit, ...(req.tiling ? { tiling: req.tiling } : {}) };
      const data = await makeDataset(req.a.data, req.a.seed, filesFor(req.a, req));
      const dataOf = new Map<RunId, Dataset>([['A', data]]);
      runs.set('A', await Trainer.create(scope, req.a, data, opts));
      if (req.b) {
        // Run B shares A's data only when it would draw the same: every data field and the seed agree.
        const same = req.b.seed === req.a.seed && JSON.stringify(req.b.data) === JSON.stringify(req.a.data);
        const dataB = same ? data : await makeDataset(req.b.data, req.b.seed, filesFor(req.b, req));
        dataOf.set('B', dataB);
        runs.set('B', await Trainer.create(scope, req.b, dataB, opts));
      }
      const predictors = new Map<RunId, Predictor>();
      for (const [id, t] of runs) {
        const p = await makePredictor(t, dataOf.get(id)!);
        if (p) predictors.set(id, p);
      }
      await scope.pipelines.settled();
      return new RunSet(scope, runs, data, predictors);
    } catch (e) {
      for (const t of runs.values()) t.destroy();
      scope.destroy();
      throw e;
    }
  }

  destroy(): void {
    for (const p of this.predictors.values()) p.program.stop();
    for (const t of this.runs.values()) t.destroy();
    this.scope.destroy();
  }
}

async function makePredictor(t: Trainer, d: Dataset): Promise<Predictor | null> {
  if (d.bytes || d.inputDim !== 2 || d.task !== 'classification') return null;
  let extent = 0;
  for (const v of d.train.x) extent = Math.max(extent, Math.abs(v));
  const max = extent * 1.1 || 1;
  const res = boundaryRes(t.graph.rows.length);
  const program = await PredictProgram.build(t.net, gridPoints(res, -max, max));
  return { program, res, min: -max, max, classes: d.outputDim };
}
