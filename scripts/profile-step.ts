// Where a logged step's time goes, at the step benchmark's shape: wall time of logged and unlogged steps
// (alternating), GPU time of each statistics piece, and whole-step variants with one piece added at a time.
// A developer's tool, not a test: it reads StepProgram's private dispatch lists.
//   node --import ./bin/register.js scripts/profile-step.ts [depth]     (PAIRS=n, UNTIMED=1 to skip phase timing)
import { KernelContext } from '../src/gpu/context.ts';
import { encodeDispatches, type Dispatch } from '../src/gpu/kernel.ts';
import { nodeDevice } from '../src/gpu/node-gpu.ts';
import { stepConfig } from '../src/bench/step-bench.ts';
import { makeDataset } from '../src/train/data/dataset.ts';
import { Trainer } from '../src/train/trainer.ts';
import { median, timeDispatches } from '../src/bench/timing.ts';

const depth = Number(process.argv[2] ?? 100);
const gpu = await nodeDevice();
const ctx = new KernelContext(gpu);
const config = stepConfig(depth);
const trainer = await Trainer.create(ctx, config, makeDataset(config.data, config.seed));
const prog = (trainer as unknown as { program: Record<string, unknown> }).program;
const L = (k: string) => prog[k] as Dispatch[];

async function time(fn: () => void, reps = 5): Promise<number> {
  const s: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    await ctx.device.queue.onSubmittedWorkDone();
    s.push(performance.now() - t0);
  }
  return median(s);
}
function list(name: string, d: Dispatch[]) {
  return async () => {
    const ms = await time(() => {
      const enc = ctx.device.createCommandEncoder();
      const pass = enc.beginComputePass();
      encodeDispatches(pass, d);
      pass.end();
      ctx.device.queue.submit([enc.finish()]);
    });
    console.log(`${name.padEnd(14)} ${ms.toFixed(1)} ms  (${d.length} dispatches)`);
  };
}
if (process.env.UNTIMED) prog.timer = null; // logged steps in one pass, without per-phase timestamps
await trainer.run(2, () => {});
// Logged and unlogged steps alternate, so a machine that gets busier or quieter moves both alike.
const pairs = Number(process.env.PAIRS ?? 9);
const [logged, plain]: number[][] = [[], []];
for (let i = 0; i < pairs; i++) {
  logged.push(await time(() => { trainer.logEvery = 1; trainer.submit(1); }, 1));
  trainer.drain();
  plain.push(await time(() => { trainer.logEvery = 1e9; trainer.submit(1); }, 1));
}
const [l, p] = [median(logged), median(plain)];
const diffs = logged.map((x, i) => x - plain[i]!);
console.log(`depth ${depth}: logged ${l.toFixed(1)} ms, unlogged ${p.toFixed(1)} ms (medians of ${pairs}), +${((l / p - 1) * 100).toFixed(1)}%; median pair difference ${median(diffs).toFixed(1)} ms`);
const gpuTime = async (d: Dispatch[]) => (await timeDispatches(ctx, d, { warmup: 1, iterations: 9 })).ms.toFixed(1);
const biasGrads = (list: Dispatch[]) => list.filter((x) => x.label.startsWith('bias grad'));
console.log(`GPU time: update ${await gpuTime(L('update'))} ms, logged update ${await gpuTime([...L('loggedUpdate'), ...L('afterUpdate')])} ms; ` +
  `bias grads ${await gpuTime(biasGrads(L('train')))} ms, with norms ${await gpuTime(biasGrads(L('trainLogged')))} ms; statistics before the update ${await gpuTime(L('beforeUpdate'))} ms`);
for (const key of ['beforeUpdate', 'update', 'loggedUpdate', 'afterUpdate']) {
  const d = prog[key] as Dispatch[];
  await list(key, d)();
  const labels = [...new Set(d.map((x) => x.label))];
  if (labels.length > 1) for (const l of labels) await list(`  ${l}`, d.filter((x) => x.label === l))();
}
const phases = prog.phases as Dispatch[][];
for (const [i, n] of ['forward', 'loss', 'backward', 'norms'].entries()) await list(n, phases[i]!)();

// Each statistics piece on its own: whole-step dispatch lists in one pass, interleaved, against the plain step.
const gather = (prog.gather as Dispatch[][])[0]!;
const variants: [string, Dispatch[]][] = [
  ['plain step', [...gather, ...L('train'), ...L('update')]],
  ['+ dz norms in bias grads', [...gather, ...L('trainLogged'), ...L('update')]],
  ['+ norms in the optimizer', [...gather, ...L('train'), ...L('loggedUpdate'), ...L('afterUpdate')]],
  ['+ layer stats', [...gather, ...L('train'), ...L('beforeUpdate'), ...L('update')]],
  ['all (no readback)', [...gather, ...L('trainLogged'), ...L('beforeUpdate'), ...L('loggedUpdate'), ...L('afterUpdate')]],
];
// CPU time of the whole process (every SwiftShader worker thread) as well as wall time: on a shared
// machine the wall clock swings by ±30 ms per step, while the CPU time a step burns barely moves.
const samples = variants.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
for (let r = 0; r < pairs; r++) {
  for (const [i, [, d]] of variants.entries()) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const enc = ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    encodeDispatches(pass, d);
    pass.end();
    ctx.device.queue.submit([enc.finish()]);
    await ctx.device.queue.onSubmittedWorkDone();
    const c = process.cpuUsage(c0);
    samples[i]!.wall.push(performance.now() - t0);
    samples[i]!.cpu.push((c.user + c.system) / 1000);
  }
}
const base = samples[0]!;
const diff = (a: number[], b: number[]) => median(a.map((x, k) => x - b[k]!));
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
for (const [i, [name]] of variants.entries()) {
  const s = samples[i]!;
  console.log(`${name.padEnd(28)} wall ${median(s.wall).toFixed(1)} ms (${signed(diff(s.wall, base.wall))}), CPU ${median(s.cpu).toFixed(1)} ms (${signed(diff(s.cpu, base.cpu))})`);
}
trainer.destroy();
gpu.destroy();
