// What issue #9's instruments add to a logged step, on GPU time, at the step benchmark's shape (depth 100, width
// 128, batch 128) with identity skips and value clipping, so every piece runs: the residual split's norms, the
// clamped gradient norms, and (sampled) the per-layer timing, against the whole logged step without readback.
// A developer's tool, not a test: it reads StepProgram's private dispatch lists.
//   node --import ./bin/register.js scripts/instrument-cost.ts [depth]
import { median, timeDispatches } from '../src/bench/timing.ts';
import { stepConfig } from '../src/bench/step-bench.ts';
import { KernelContext } from '../src/gpu/context.ts';
import type { Dispatch } from '../src/gpu/kernel.ts';
import { nodeDevice } from '../src/gpu/node-gpu.ts';
import { resolveConfig } from '../src/model/config.ts';
import { makeDataset } from '../src/train/data/dataset.ts';
import { residualSplitNorms } from '../src/train/graph-stats.ts';
import type { StepRecord } from '../src/stats/record.ts';
import { Trainer } from '../src/train/trainer.ts';

const depth = Number(process.argv[2] ?? 100);
const gpu = await nodeDevice();
const ctx = new KernelContext(gpu);
const base = stepConfig(depth);
const config = resolveConfig({
  ...base,
  model: { ...base.model, residual: 'identity', init: { ...base.model.init, gain: 0.1 } },
  train: { ...base.train, clip: { mode: 'value', max: 0.01 } },
  log: { every: 1 },
});
const trainer = await Trainer.create(ctx, config, await makeDataset(config.data, config.seed));
const prog = (trainer as unknown as { program: Record<string, unknown> }).program;
const L = (k: string) => prog[k] as Dispatch[];
const phases = prog.phases as Dispatch[][];
const gather = (prog.gather as Dispatch[][])[0]!;
const program = trainer.program;
const split = await residualSplitNorms(trainer.net, program.out(program.stats.residual));
const normsPlain = await program.gradNorms(trainer.net.grads, trainer.net.plan.paramList);
const normsClamped = (await program.loggedGradNorms(trainer.net.grads, trainer.net.plan.paramList))!;
await trainer.run(2, () => {});
const gpuMs = async (d: Dispatch[]) => (await timeDispatches(ctx, d, { warmup: 1, iterations: 9 })).ms;
const logged = [...gather, ...phases.flat(), ...L('beforeUpdate'), ...L('loggedUpdate'), ...L('afterUpdate')];
const [all, splitMs] = [await gpuMs(logged), await gpuMs(split)];
const clampMs = (await gpuMs(normsClamped)) - (await gpuMs(normsPlain));
const pct = (x: number) => `${((100 * x) / all).toFixed(1)}%`;
console.log(`depth ${depth}, width 128, batch 128, identity skips, value clipping: a logged step ${all.toFixed(1)} ms of GPU time`);
console.log(`  residual split: ${split.length} dispatches, ${splitMs.toFixed(2)} ms (${pct(splitMs)})`);
console.log(`  clamped gradient norms, in the norms' own pass: +${normsClamped.length - normsPlain.length} dispatches, ${clampMs.toFixed(2)} ms (${pct(clampMs)})`);

// Per-layer timing: the sampled steps' extra GPU time over a phase-timed step, and how often the budget lets it run.
const records: StepRecord[] = [];
trainer.timePhasesEvery = 10;
await trainer.run(200, (r) => records.push(r));
const timed = records.filter((r) => r.layerMs);
const phased = records.filter((r) => r.phaseMs).map((r) => r.phaseMs!);
const sum = (v: readonly number[]) => v.reduce((a, b) => a + b, 0);
const walks = median(phased.map((p) => p.forward + p.backward));
const steps = median(phased.map((p) => sum(Object.values(p))));
const extra = median(timed.map((r) => sum(r.layerMs!.forward) + sum(r.layerMs!.backward) - walks));
const untimed = median(records.filter((r) => !r.layerMs && !r.phaseMs).map((r) => r.stepMs));
const timedWall = median(timed.map((r) => r.stepMs));
console.log(`  per-layer timing: ${timed.length} of ${records.length} logged steps timed by layer; each added ${extra.toFixed(1)} ms of GPU time (a logged step ${steps.toFixed(1)} ms) and took ${timedWall.toFixed(0)} ms of wall time against ${untimed.toFixed(0)} ms; over the run ${((100 * timed.length * Math.max(0, timedWall - untimed)) / (records.length * untimed)).toFixed(1)}% of the wall time`);
trainer.destroy();
gpu.destroy();
