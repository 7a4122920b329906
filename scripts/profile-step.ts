// Where a logged step's time goes, at the step benchmark's shape: wall time of logged and unlogged steps
// (alternating), GPU time of each statistics piece, and whole steps with one piece added at a time.
// A developer's tool, not a test: it reads StepProgram's private dispatch lists.
//   node --import ./bin/register.js scripts/profile-step.ts [depth]     (PAIRS=n, default 9)
import { median, timeDispatches } from '../src/bench/timing.ts';
import { stepConfig } from '../src/bench/step-bench.ts';
import { KernelContext } from '../src/gpu/context.ts';
import { encodeDispatches, type Dispatch } from '../src/gpu/kernel.ts';
import { nodeDevice } from '../src/gpu/node-gpu.ts';
import { makeDataset } from '../src/train/data/dataset.ts';
import { Trainer } from '../src/train/trainer.ts';

const depth = Number(process.argv[2] ?? 100);
const pairs = Number(process.env.PAIRS ?? 9);
const gpu = await nodeDevice();
const ctx = new KernelContext(gpu);
const config = stepConfig(depth);
const trainer = await Trainer.create(ctx, config, await makeDataset(config.data, config.seed));
const prog = (trainer as unknown as { program: Record<string, unknown> }).program;
const L = (k: string) => prog[k] as Dispatch[];
const phases = prog.phases as Dispatch[][];
const trainLogged = phases.flat();
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
const diff = (a: number[], b: number[]) => median(a.map((x, k) => x - b[k]!));

/** Wall and process CPU time (every SwiftShader worker thread) of fn and its GPU work. */
async function measure(fn: () => void): Promise<{ wall: number; cpu: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  fn();
  await ctx.device.queue.onSubmittedWorkDone();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

function submitOnce(d: Dispatch[]): void {
  const enc = ctx.device.createCommandEncoder();
  const pass = enc.beginComputePass();
  encodeDispatches(pass, d);
  pass.end();
  ctx.device.queue.submit([enc.finish()]);
}

// Logged and unlogged steps alternate, so a machine that gets busier or quieter moves both alike.
await trainer.run(2, () => {});
const steps = { logged: [] as number[], plain: [] as number[] };
for (let i = 0; i < pairs; i++) {
  for (const kind of ['logged', 'plain'] as const) {
    trainer.logEvery = kind === 'logged' ? 1 : Number.MAX_SAFE_INTEGER;
    steps[kind].push((await measure(() => trainer.submit(1))).wall);
    trainer.drain();
  }
}
const [l, p] = [median(steps.logged), median(steps.plain)];
console.log(`depth ${depth}: logged ${l.toFixed(1)} ms, unlogged ${p.toFixed(1)} ms (medians of ${pairs}); median pair difference ${signed(diff(steps.logged, steps.plain))} ms`);

const gpuTime = async (d: Dispatch[]) => (await timeDispatches(ctx, d, { warmup: 1, iterations: 9 })).ms.toFixed(1);
const biasGrads = (list: Dispatch[]) => list.filter((x) => x.label.startsWith('bias grad'));
console.log(`GPU time: update ${await gpuTime(L('update'))} ms, logged update ${await gpuTime([...L('loggedUpdate'), ...L('afterUpdate')])} ms`);
console.log(`          bias grads ${await gpuTime(biasGrads(L('train')))} ms, with norms ${await gpuTime(biasGrads(trainLogged))} ms`);
console.log(`          statistics before the update ${await gpuTime(L('beforeUpdate'))} ms`);
for (const [i, name] of ['forward', 'loss', 'backward', 'norms'].entries()) console.log(`          ${name} ${await gpuTime(phases[i]!)} ms`);

// Whole steps in one pass each, interleaved, against the plain step. CPU time as well as wall time: on a
// shared machine the wall clock swings by ±30 ms per step, while the CPU time a step burns barely moves.
const gather = (prog.gather as Dispatch[][])[0]!;
const variants: [string, Dispatch[]][] = [
  ['plain step', [...gather, ...L('train'), ...L('update')]],
  ['+ dz norms in bias grads', [...gather, ...trainLogged, ...L('update')]],
  ['+ norms in the optimizer', [...gather, ...L('train'), ...L('loggedUpdate'), ...L('afterUpdate')]],
  ['+ layer stats', [...gather, ...L('train'), ...L('beforeUpdate'), ...L('update')]],
  ['all (no readback)', [...gather, ...trainLogged, ...L('beforeUpdate'), ...L('loggedUpdate'), ...L('afterUpdate')]],
];
const samples = variants.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
for (let r = 0; r < pairs; r++) {
  for (const [i, [, d]] of variants.entries()) {
    const m = await measure(() => submitOnce(d));
    samples[i]!.wall.push(m.wall);
    samples[i]!.cpu.push(m.cpu);
  }
}
const base = samples[0]!;
for (const [i, [name]] of variants.entries()) {
  const s = samples[i]!;
  console.log(`${name.padEnd(28)} wall ${median(s.wall).toFixed(1)} ms (${signed(diff(s.wall, base.wall))}), CPU ${median(s.cpu).toFixed(1)} ms (${signed(diff(s.cpu, base.cpu))})`);
}
trainer.destroy();
gpu.destroy();
