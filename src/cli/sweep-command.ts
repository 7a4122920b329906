/**
 * `gradscope sweep`: every run of a grid (or of one shard of it) trained in turn on one device, each run's config
 * line and summary line written as it finishes (DESIGN.md, "Sweep JSONL"). Step and eval lines stay out: a sweep
 * file is two lines a run. The whole grid is resolved first, so a bad value fails before the first run.
 */
import { KernelContext } from '../gpu/context.ts';
import { nodeDevice } from '../gpu/node-gpu.ts';
import { sweepConfigLine, sweepSummaryLine } from '../io/sweep-log.ts';
import { Rng } from '../math/prng.ts';
import { ConfigError, type RunConfig } from '../model/config.ts';
import type { RunSummary } from '../stats/record.ts';
import { BatchSampler } from '../train/data/batch-sampler.ts';
import type { Dataset } from '../train/data/types.ts';
import { Trainer } from '../train/trainer.ts';
import { UsageError } from './errors.ts';
import { EXIT_INTERRUPTED } from './exit-codes.ts';
import { gridRuns, parseGrid, parseShard, shardRuns, type GridRun, type GridValue, type Shard } from './grid.ts';
import { memoryBudget } from './memory.ts';
import { gitCommit, packageVersion } from './meta.ts';
import { checkOutputPaths, OutputFile } from './output-file.ts';
import { flagValue, loadDataset, resolveRunConfig } from './run-config.ts';
import { StopSignals } from './signals.ts';
import { duration } from './terminal/progress-bar.ts';
import { datasetInfo, graphInfo, keepPartialLog, trainRun } from './train-command.ts';
import { tuning } from './tuning-file.ts';

/** What every run repeats of the command line under its grid values: --set, then --steps and --every. */
function pinnedAssignments(flags: Map<string, string[]>): string[] {
  const steps = flags.get('steps')?.at(-1);
  const every = flags.get('every')?.at(-1);
  return [...(flags.get('set') ?? []), ...(steps === undefined ? [] : [`train.steps=${steps}`]), ...(every === undefined ? [] : [`log.every=${every}`])];
}

/** The runs this invocation trains, all checked: the grid's, or the shard's share of them. */
function plannedRuns(flags: Map<string, string[]>): { runs: GridRun[]; total: number; shard: Shard | null } {
  const base = resolveRunConfig(flags);
  const all = gridRuns(base, pinnedAssignments(flags), parseGrid(flags.get('grid') ?? [], base));
  const text = flagValue(flags, 'shard', 'I/N');
  const shard = text === undefined ? null : parseShard(text);
  return { runs: shard ? shardRuns(all.length, shard).map((k) => all[k]!) : all, total: all.length, shard };
}

export async function sweepCommand(flags: Map<string, string[]>): Promise<number> {
  const path = flagValue(flags, 'out', 'a file path');
  if (path === undefined) throw new UsageError('gradscope sweep needs --out FILE.jsonl (each shard its own file; cat them for the whole sweep)');
  checkOutputPaths([{ flag: '--out', path }]);
  const { runs, total, shard } = plannedRuns(flags);
  await checkData(runs);
  const out = OutputFile.open(path, '--out');
  const progress = new SweepProgress(total, shard, runs, !!process.stderr.isTTY);
  const signals = new StopSignals(() => keepPartialLog(out));
  const state: SweepState = { done: 0, diverged: 0, current: null };
  try {
    if (runs.length) await trainAll(runs, out, { progress, signals, state });
    out.commit();
  } catch (e) {
    progress.end();
    // The runs finished so far are a valid sweep file; with none, the file at --out stays as it was.
    if (state.done) keepPartialLog(out);
    else out.discard();
    // Still one line: which run failed, and where the finished ones are, go into the error's own message.
    const { current, done } = state;
    if (e instanceof Error && current) e.message = `run ${current.run} (${gridLabel(current.grid)}): ${e.message}${done ? ` (the ${done} run${done === 1 ? '' : 's'} finished before it ${done === 1 ? 'is' : 'are'} in ${path})` : ''}`;
    throw e;
  } finally {
    signals.dispose();
  }
  progress.end();
  const share = shard ? ` (shard ${shard.index}/${shard.count} of ${total})` : '';
  process.stdout.write(`${state.done} of ${runs.length} runs${share}, ${state.diverged} diverged, in ${path}${signals.stopped ? ' (interrupted)' : ''}\n`);
  return signals.stopped ? EXIT_INTERRUPTED : 0;
}

interface SweepState {
  done: number;
  diverged: number;
  /** The run training now, for the message if it fails. */
  current: GridRun | null;
}

/** Train the runs in turn, each run's two lines written as it finishes; a signal stops it between steps, dropping that run. */
async function trainAll(runs: readonly GridRun[], out: OutputFile, s: { progress: SweepProgress; signals: StopSignals; state: SweepState }): Promise<void> {
  const gpu = await nodeDevice();
  try {
    // One device and one kernel context for every run: pipelines compiled for the first are reused by the rest.
    const ctx = new KernelContext(gpu);
    const opts = { stepsPerSubmit: 8, budgetBytes: memoryBudget(), ...tuning(gpu.adapter) };
    const meta = { adapter: gpu.adapter, version: packageVersion(), commit: gitCommit() };
    const stopped = (): boolean => s.signals.stopped;
    const hooks = { write: () => {}, onRecord: () => {}, stop: stopped, interrupted: stopped, tiling: opts.tiling };
    const data = datasets();
    for (const r of runs) {
      if (stopped()) break;
      s.state.current = r;
      s.progress.start(r);
      const dataset = await data(r.config);
      const trainer = await Trainer.create(ctx, r.config, dataset, opts);
      try {
        const { summary } = await trainRun(trainer, r.config, hooks);
        if (summary.interrupted) break; // a run cut short is not a point of the grid: only finished runs are kept
        const { meanField } = graphInfo(trainer, r.config, dataset);
        out.write(`${sweepConfigLine(r.run, r.grid, { config: { ...r.config }, ...meta, date: new Date().toISOString(), dataset: datasetInfo(dataset), ...(meanField ? { meanField } : {}) })}\n`);
        out.write(`${sweepSummaryLine(r.run, r.grid, summary)}\n`);
        s.state.done++;
        if (summary.diverged) s.state.diverged++;
        s.progress.finish(r, summary);
      } finally {
        trainer.destroy();
      }
    }
  } finally {
    gpu.destroy();
  }
}

/** What a run's data set is built from. */
const dataKey = (c: RunConfig): string => JSON.stringify([c.data, c.seed]);

/**
 * Each data set the runs use is built once before the first run, so that what only the data can refuse (a batch
 * larger than the training split) fails now, naming the run, as Trainer.create would refuse it later.
 */
async function checkData(runs: readonly GridRun[]): Promise<void> {
  const groups = new Map<string, GridRun[]>();
  for (const r of runs) groups.set(dataKey(r.config), [...(groups.get(dataKey(r.config)) ?? []), r]);
  for (const group of groups.values()) {
    const data = await loadDataset(group[0]!.config);
    for (const r of group) {
      try {
        new BatchSampler(data.train.n, r.config.train.batchSize, new Rng(0));
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        throw new ConfigError(e.path, e.value, e.allowed, `run ${r.run} (${gridLabel(r.grid)}): ${e.message}`);
      }
    }
  }
}

/** Data sets by what builds them (data.*, seed): a grid over the model trains every run on one copy. */
function datasets(): (config: RunConfig) => Promise<Dataset> {
  let last: { key: string; data: Dataset } | null = null;
  return async (config) => {
    const key = dataKey(config);
    if (last?.key !== key) last = { key, data: await loadDataset(config) };
    return last.data;
  };
}

/** A grid point as `depth=60 sigmaW2=2.2`: the last part of each path, unless two axes share it. */
export function gridLabel(grid: Record<string, GridValue>): string {
  const keys = Object.keys(grid);
  const short = (k: string): string => k.slice(k.lastIndexOf('.') + 1);
  const unique = new Set(keys.map(short)).size === keys.length;
  return keys.map((k) => `${unique ? short(k) : k}=${String(grid[k])}`).join(' ');
}

/** What a finished run reports on the progress line. */
function resultText(s: RunSummary): string {
  if (s.diverged) return `diverged at step ${s.diverged.step}`;
  const metric = s.trainAccuracy != null ? ['trainAccuracy', s.trainAccuracy] : s.testAccuracy != null ? ['testAccuracy', s.testAccuracy] : ['trainLoss', s.trainLoss ?? s.finalLoss];
  return `${metric[0]} ${typeof metric[1] === 'number' ? metric[1].toPrecision(3) : 'n/a'}`;
}

/**
 * `run 7/40 (shard 3/8: 2/5) · depth=60 sigmaW2=2.2 · trainAccuracy 0.930 · ETA 3m12s` on stderr: rewritten in place on
 * a terminal, one line per finished run otherwise. "run 7/40" counts from 1 (the file's "run" is 6). The ETA
 * weighs the runs left by steps × (depth + 1), what a step's dispatches grow with.
 */
export class SweepProgress {
  private readonly started = performance.now();
  private costDone = 0;
  private costLeft: number;
  private finished = 0;
  private live = false;
  private eta = '';

  constructor(
    private readonly total: number,
    private readonly shard: Shard | null,
    private readonly runs: readonly GridRun[],
    private readonly tty: boolean,
  ) {
    this.costLeft = runs.reduce((sum, r) => sum + cost(r.config), 0);
  }

  private head(r: GridRun): string {
    const share = this.shard ? ` (shard ${this.shard.index}/${this.shard.count}: ${this.finished}/${this.runs.length})` : '';
    return `run ${r.run + 1}/${this.total}${share} · ${gridLabel(r.grid)}`;
  }

  private show(line: string): void {
    if (this.tty) {
      process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns || 80) - 1)}`);
      this.live = true;
    } else process.stderr.write(`${line}\n`);
  }

  start(r: GridRun): void {
    if (this.tty) this.show(`${this.head(r)} · training${this.eta ? ` · ETA ${this.eta}` : ''}`);
  }

  finish(r: GridRun, s: RunSummary): void {
    this.finished++;
    const c = cost(r.config);
    this.costDone += c;
    this.costLeft -= c;
    const seconds = (performance.now() - this.started) / 1000;
    this.eta = this.costDone > 0 ? duration((seconds / this.costDone) * this.costLeft) : '--';
    this.show(`${this.head(r)} · ${resultText(s)} · ETA ${this.eta}`);
  }

  /** Leave the rewritten line behind before anything else is printed. */
  end(): void {
    if (this.live) process.stderr.write('\n');
    this.live = false;
  }
}

function cost(c: RunConfig): number {
  return Math.max(1, c.train.steps) * (c.model.depth + 1);
}
