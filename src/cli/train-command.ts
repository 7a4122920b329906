import { writeFileSync } from 'node:fs';
import { KernelContext } from '../gpu/context.ts';
import { nodeDevice } from '../gpu/node-gpu.ts';
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint.ts';
import { configLine, stepLine, summaryLine } from '../io/jsonl.ts';
import type { RunConfig } from '../model/config.ts';
import { diagnose } from '../stats/diagnosis.ts';
import type { RunSummary, StepRecord } from '../stats/record.ts';
import { Trainer } from '../train/trainer.ts';
import { memoryBudget } from './memory.ts';
import { readTuning } from './tuning-file.ts';
import { tunedTiling } from '../kernels/tunables.ts';
import { gitCommit, packageVersion } from './meta.ts';
import { readUserFile, loadDataset, resolveRunConfig } from './run-config.ts';
import { reportRun } from './report.ts';
import { UsageError } from './errors.ts';

/** Records kept for the diagnosis: enough recent history without holding a long run in memory. */
const KEEP = 200;

export async function trainCommand(flags: Map<string, string[]>): Promise<number> {
  const config = resolveRunConfig(flags);
  const logPath = flags.get('log')?.at(-1);
  const savePath = flags.get('save')?.at(-1);
  const loadPath = flags.get('load')?.at(-1);
  const loadBytes = loadPath ? readUserFile(loadPath, '--load') : undefined;
  const data = loadDataset(config);
  const gpu = await nodeDevice();
  const lines: string[] = [];
  try {
    const ctx = new KernelContext(gpu);
    const trainer = await Trainer.create(ctx, config, data, { stepsPerSubmit: 8, budgetBytes: memoryBudget(), ...tuning(gpu.adapter) });
    if (loadBytes && loadPath) loadCheckpoint(trainer.net, new Uint8Array(loadBytes), loadPath);
    lines.push(
      configLine({ config: { ...config }, adapter: gpu.adapter, version: packageVersion(), commit: gitCommit(), date: new Date().toISOString(), dataset: datasetInfo(data) }),
    );
    const recent: StepRecord[] = [];
    const started = performance.now();
    const progress = process.stderr.isTTY ? (r: StepRecord) => reportRun.progress(r, config, started) : () => {};
    await trainer.run(config.train.steps, (r) => {
      lines.push(stepLine(r));
      recent.push(r);
      if (recent.length > KEEP) recent.shift();
      progress(r);
    });
    const seconds = (performance.now() - started) / 1000;
    const test = trainer.divergence ? null : await trainer.evaluate();
    const last = recent.at(-1);
    const summary: RunSummary = {
      steps: trainer.step,
      finalLoss: last?.loss ?? null,
      finalAccuracy: last?.accuracy ?? null,
      testLoss: test?.loss ?? null,
      testAccuracy: test?.accuracy ?? null,
      diverged: trainer.divergence,
      diagnosis: diagnose(recent, diagnoseOptions(config)),
      stepsPerSecond: trainer.step / Math.max(seconds, 1e-9),
    };
    lines.push(summaryLine(summary));
    if (logPath) writeOutput(logPath, '--log', lines.join('\n') + '\n');
    if (savePath) writeOutput(savePath, '--save', await saveCheckpoint(trainer.net, config));
    reportRun.final(summary, last, { color: !!process.stdout.isTTY && !process.env.NO_COLOR });
    trainer.destroy();
    return 0;
  } finally {
    gpu.destroy();
  }
}

export function diagnoseOptions(c: RunConfig) {
  return { activation: c.model.activation, residual: c.model.residual, norm: c.model.norm, clipMode: c.train.clip.mode, lr: c.train.lr, init: c.model.init.scheme };
}

function datasetInfo(d: ReturnType<typeof loadDataset>) {
  return { name: d.name, task: d.task, inputDim: d.inputDim, outputDim: d.outputDim, train: d.train.n, test: d.test.n };
}

export function writeOutput(path: string, flag: string, data: string | Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot write it (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

/** This adapter's autotuned matmul tilings (`gradscope bench --tune`), when it has any. */
function tuning(adapter: Parameters<typeof readTuning>[0]) {
  const table = readTuning(adapter);
  return table ? { tiling: tunedTiling(table) } : {};
}
