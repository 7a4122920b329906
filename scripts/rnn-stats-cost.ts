// The statistics' cost of a logged recurrent step at a lesson's size (an LSTM of 64 units, 50 steps, batch 32):
// logged and plain steps alternated ABBA, as the MLP step benchmark measures it.
//   node --import ./bin/register.js scripts/rnn-stats-cost.ts [width length batch]
import { benchLstmStep } from '../src/bench/rnn-bench.ts';
import { KernelContext } from '../src/gpu/context.ts';
import { nodeDevice } from '../src/gpu/node-gpu.ts';

const [width, length, batch] = (process.argv.length > 4 ? process.argv.slice(2, 5) : ['64', '50', '32']).map(Number) as [number, number, number];
const ctx = new KernelContext(await nodeDevice());
const result = await benchLstmStep(ctx, { width, length, batch });
console.log(JSON.stringify({ name: result.name, ms: result.ms, detail: result.detail }, null, 2));
