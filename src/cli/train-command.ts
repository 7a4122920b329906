import { KernelContext } from '../gpu/context.ts';
import { nodeDevice } from '../gpu/node-gpu.ts';
import { loadCheckpoint, loadOptimizerState, saveCheckpoint, savedTraining } from '../io/checkpoint.ts';
import { configLine, evalLine, stepLine, summaryLine } from '../io/jsonl.ts';
import { decodeSafetensors, SafetensorsError, type Safetensors } from '../io/safetensors.ts';
import type { TilingChoice } from '../kernels/tunables.ts';
import { resolveConfig, type RunConfig } from '../model/config.ts';
import { layerRows } from '../model/graph/params.ts';
import { residualBlocks } from '../model/graph/row-names.ts';
import { inputMeanSquare, runTheory, type RunTheory } from '../stats/theory.ts';
import { diagnose, diagnoseOptions } from '../stats/diagnosis.ts';
import type { RunSummary, StepRecord } from '../stats/record.ts';
import { RunWindow } from '../stats/run-window.ts';
import type { Dataset } from '../train/data/types.ts';
import type { EvalSummary } from '../train/eval.ts';
import { trainSplitEval } from '../train/train-eval.ts';
import { EVAL_EVERY, Trainer, type TrainingState } from '../train/trainer.ts';
import { UsageError } from './errors.ts';
import { EXIT_INTERRUPTED } from './exit-codes.ts';
import { gitCommit, packageVersion } from './meta.ts';
import { memoryBudget } from './memory.ts';
import { checkOutputPaths, OutputError, OutputFile } from './output-file.ts';
import { reportRun } from './report.ts';
import { flagValue, loadDataset, resolveRunConfig, resumedConfig } from './run-config.ts';
import { StopSignals } from './signals.ts';
import { tuning } from './tuning-file.ts';
import { readCheckpointFile } from './user-files.ts';

/** Where the weights come from: a fresh init, `--load` (weights only) or `--resume` (the whole run). */
type Start = { kind: 'init' } | { kind: 'load'; path: string; file: Safetensors } | { kind: 'resume'; path: string; file: Safetensors; state: TrainingState };

function readStart(flags: Map<string, string[]>): Start {
  const load = flagValue(flags, 'load', 'a file path');
  const resume = flagValue(flags, 'resume', 'a file path');
  if (load && resume) throw new UsageError('--load and --resume cannot be used together: --load starts a new run from weights, --resume continues a run');
  const path = resume ?? load;
  if (!path) return { kind: 'init' };
  const flag = resume ? '--resume' : '--load';
  const file = decodeSafetensors(new Uint8Array(readCheckpointFile(path, flag)), path);
  return resume ? { kind: 'resume', path, file, state: savedTraining(file, path) } : { kind: 'load', path, file };
}

function startConfig(start: Start, flags: Map<string, string[]>): RunConfig {
  if (start.kind !== 'resume') return resolveRunConfig(flags);
  const text = start.file.metadata.config;
  if (text === undefined) throw new SafetensorsError(`${start.path}: has no config in its __metadata__; use --load with the config it was trained with`);
  const config = resumedConfig(resolveConfig(JSON.parse(text) as unknown), flags, start.path);
  if (config.train.steps <= start.state.step) {
    throw new UsageError(`--resume ${start.path}: the run is at step ${start.state.step} and train.steps is ${config.train.steps}: nothing to train (raise it with --steps N)`);
  }
  return config;
}

export async function trainCommand(flags: Map<string, string[]>): Promise<number> {
  const start = readStart(flags);
  const config = startConfig(start, flags);
  const logPath = flagValue(flags, 'log', 'a file path');
  const savePath = flagValue(flags, 'save', 'a file path');
  checkOutputPaths([{ flag: '--log', path: logPath }, { flag: '--save', path: savePath }]);
  if (start.kind !== 'init' && logPath !== undefined) checkOutputPaths([{ flag: `--${start.kind}`, path: start.path }, { flag: '--log', path: logPath }]);
  const data = await loadDataset(config);
  // Opened before any work: a path that cannot be written fails now, not after the run.
  const log = logPath === undefined ? null : OutputFile.open(logPath, '--log');
  const save = savePath === undefined ? null : OutputFile.open(savePath, '--save');
  const gpu = await nodeDevice();
  try {
    const tuned = tuning(gpu.adapter);
    const trainer = await Trainer.create(new KernelContext(gpu), config, data, { stepsPerSubmit: 8, budgetBytes: memoryBudget(), ...tuned });
    applyStart(trainer, start);
    const meta = { dataset: datasetInfo(data), layers: layerRows(trainer.graph), ...graphInfo(trainer, config, data) };
    log?.write(configLine({ config: { ...config }, adapter: gpu.adapter, version: packageVersion(), commit: gitCommit(), date: new Date().toISOString(), ...meta, ...startInfo(start) }) + '\n');
    const result = await train(trainer, config, log, tuned.tiling);
    if (save) await saveTo(save, trainer, config);
    if (result.failure) throw result.failure; // the checkpoint is saved; the log keeps what it has (catch below)
    log?.commit();
    reportRun.final(result.summary, result.last, { color: !!process.stdout.isTTY && !process.env.NO_COLOR });
    trainer.destroy();
    return result.summary.interrupted ? EXIT_INTERRUPTED : 0;
  } catch (e) {
    // Keep every line already written, and never leave a half-written checkpoint behind.
    keepPartialLog(log);
    save?.discard();
    throw e;
  } finally {
    gpu.destroy();
  }
}

interface TrainResult {
  summary: RunSummary;
  last: StepRecord | undefined;
  /** A log write that failed mid-run: the run stopped there, the checkpoint is still written. */
  failure: OutputError | null;
}

/** train's run: its lines into the log, a progress bar on a terminal, SIGINT/SIGTERM asking it to stop. */
async function train(trainer: Trainer, config: RunConfig, log: OutputFile | null, tiling: TilingChoice | undefined): Promise<TrainResult> {
  const started = performance.now();
  const signals = new StopSignals(() => keepPartialLog(log));
  let failure: OutputError | null = null;
  const write = (line: string): void => {
    try {
      log?.write(line + '\n');
    } catch (e) {
      if (!(e instanceof OutputError)) throw e;
      failure ??= e;
    }
  };
  const progress = process.stderr.isTTY ? (r: StepRecord) => reportRun.progress(r, config, started) : () => {};
  try {
    const hooks = { write, onRecord: progress, stop: () => signals.stopped || failure !== null, interrupted: () => signals.stopped, tiling };
    const { summary, last } = await trainRun(trainer, config, hooks);
    write(summaryLine(summary));
    return { summary, last, failure };
  } finally {
    signals.dispose();
  }
}

/** What a run does with what it produces, and when it stops (train and sweep each give their own). */
export interface RunHooks {
  /** Step and eval lines, as they come. */
  write(line: string): void;
  onRecord(r: StepRecord): void;
  /** Asked between submits: true stops the run after the steps in flight. */
  stop(): boolean;
  /** Whether a stop was a signal's (the summary then says "interrupted"). */
  interrupted(): boolean;
  tiling?: TilingChoice | undefined;
}

/**
 * The training loop shared by train and sweep: step lines as they arrive, eval lines every EVAL_EVERY steps, the
 * test set again at the step the run ends on, the training split at the end, and the summary (not written).
 */
export async function trainRun(trainer: Trainer, config: RunConfig, hooks: RunHooks): Promise<{ summary: RunSummary; last: StepRecord | undefined }> {
  const window = new RunWindow();
  const first = trainer.step;
  const started = performance.now();
  let test: (EvalSummary & { step: number }) | null = null;
  const onRecord = (r: StepRecord): void => {
    hooks.write(stepLine(r));
    window.push(r);
    hooks.onRecord(r);
  };
  // A stop that is not a signal's is a failed output: nothing more is measured.
  const failed = (): boolean => hooks.stop() && !hooks.interrupted();
  while (trainer.step < config.train.steps && trainer.status !== 'diverged' && !hooks.stop()) {
    const next = Math.min(config.train.steps, (Math.floor(trainer.step / EVAL_EVERY) + 1) * EVAL_EVERY);
    await trainer.run(next - trainer.step, onRecord, () => hooks.stop());
    if (trainer.divergence || failed()) break;
    test = await evaluate(trainer, hooks.write);
  }
  // An interrupted run (or --steps 0) still reports the test set at the step it stopped on.
  if (!trainer.divergence && !failed() && test?.step !== trainer.step) test = await evaluate(trainer, hooks.write);
  const seconds = (performance.now() - started) / 1000;
  const fit = trainer.divergence || failed() ? null : await (await trainSplitEval(trainer.net, hooks.tiling)).run();
  const summary = summarize(trainer, config, window, test, fit, seconds, trainer.step - first, hooks.interrupted());
  return { summary, last: window.last };
}

async function evaluate(trainer: Trainer, write: (line: string) => void): Promise<(EvalSummary & { step: number }) | null> {
  const r = await trainer.evaluate();
  if (!r) return null;
  // The eval line is a summary: one predicted class per test sample stays out of the log.
  const { predictions: _, ...summary } = r;
  const record = { step: trainer.step, ...summary };
  write(evalLine(record));
  return record;
}

function summarize(trainer: Trainer, config: RunConfig, window: RunWindow, test: EvalSummary | null, fit: EvalSummary | null, seconds: number, trained: number, interrupted: boolean): RunSummary {
  const last = window.last;
  const fresh = trainer.divergence ? null : test;
  return {
    steps: trainer.divergence ? (last?.step ?? trainer.step) : trainer.step,
    ...(interrupted && trainer.step < config.train.steps ? { interrupted: true } : {}),
    finalLoss: last?.loss ?? null,
    finalAccuracy: last?.accuracy ?? null,
    testLoss: fresh?.loss ?? null,
    testAccuracy: fresh?.accuracy ?? null,
    trainLoss: fit?.loss ?? null,
    trainAccuracy: fit?.accuracy ?? null,
    diverged: trainer.divergence,
    diagnosis: diagnose(window.records(), diagnoseOptions(config, trainer.divergence)),
    stepsPerSecond: trained / Math.max(seconds, 1e-9),
  };
}

function applyStart(trainer: Trainer, start: Start): void {
  if (start.kind === 'init') return;
  loadCheckpoint(trainer.store, start.file, start.path);
  if (start.kind === 'resume') {
    loadOptimizerState(trainer.store, start.file, trainer.config.train.optimizer, start.path);
    trainer.restore(start.state);
  }
}

function startInfo(start: Start): Record<string, unknown> {
  if (start.kind === 'load') return { load: start.path };
  if (start.kind === 'resume') return { resume: { path: start.path, step: start.state.step } };
  return {};
}

async function saveTo(save: OutputFile, trainer: Trainer, config: RunConfig): Promise<void> {
  const state = trainer.trainingState();
  const training = { optimizer: config.train.optimizer, state, divergedAt: trainer.divergence?.step ?? null };
  save.write(await saveCheckpoint(trainer.store, config, [], training));
  save.commit();
}

/** A run that stops early keeps its log: the partial file becomes the log, with every line written. */
export function keepPartialLog(log: OutputFile | null): void {
  try {
    log?.commit();
  } catch {
    // already committed, or the disk refuses even that: the .partial file still holds the lines
  }
}

/** The config line's residual blocks and mean-field theory, where the net has them. */
export function graphInfo(trainer: Trainer, config: RunConfig, data: Dataset): { residualBlocks?: { name: string; row: number }[]; meanField?: RunTheory } {
  const blocks = residualBlocks(trainer.graph);
  const theory = 'x' in data.train ? runTheory(config.model, inputMeanSquare(data.train.x, data.inputDim)) : null;
  return { ...(blocks.length ? { residualBlocks: blocks } : {}), ...(theory ? { meanField: theory } : {}) };
}

export function datasetInfo(d: Dataset) {
  return { name: d.name, task: d.task, inputDim: d.inputDim, outputDim: d.outputDim, train: d.train.n, test: d.test.n };
}
