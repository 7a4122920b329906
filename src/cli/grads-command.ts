import { KernelContext } from '../gpu/context.ts';
import { nodeDevice } from '../gpu/node-gpu.ts';
import { checkpointEntries } from '../io/checkpoint.ts';
import { encodeSafetensors, type TensorInput } from '../io/safetensors.ts';
import { Trainer } from '../train/trainer.ts';
import { UsageError } from './errors.ts';
import { memoryBudget } from './memory.ts';
import { readTuning } from './tuning-file.ts';
import { tunedTiling } from '../kernels/tunables.ts';
import { loadDataset, resolveRunConfig } from './run-config.ts';
import { writeOutput } from './train-command.ts';

/**
 * `gradscope grads`: at initialisation, on the first training batch, every parameter and its gradient,
 * the batch itself and the loss, in one safetensors file PyTorch can check against.
 */
export async function gradsCommand(flags: Map<string, string[]>): Promise<number> {
  const out = flags.get('out')?.at(-1);
  if (!out) throw new UsageError('gradscope grads needs --out FILE.safetensors');
  const config = resolveRunConfig(flags);
  const data = loadDataset(config);
  const gpu = await nodeDevice();
  try {
    const trainer = await Trainer.create(new KernelContext(gpu), { ...config, log: { every: 1 } }, data, { budgetBytes: memoryBudget(), ...tuning(gpu.adapter) });
    const net = trainer.net;
    const entries = checkpointEntries(net).filter((e) => e.arena === 'params');
    const tensors: TensorInput[] = [];
    for (const e of entries) tensors.push({ name: e.name, dtype: 'F32', shape: e.shape, data: await net.readTensor(net.arenas.params, e.slot) });
    let loss = NaN;
    await trainer.run(1, (r) => (loss = r.loss));
    for (const e of entries) tensors.push({ name: `grad.${e.name}`, dtype: 'F32', shape: e.shape, data: await net.readTensor(net.grads, e.slot) });
    const s = net.plan.shape;
    tensors.push({ name: 'input.x', dtype: 'F32', shape: [s.batch, s.inputDim], data: await net.readTensor(net.arenas.batchX, net.plan.batchX) });
    const y = await net.readTensor(net.arenas.batchY, net.plan.batchY);
    tensors.push(
      s.task === 'classification'
        ? { name: 'input.y', dtype: 'I32', shape: [s.batch], data: new Int32Array(y.buffer, 0, s.batch) }
        : { name: 'input.y', dtype: 'F32', shape: [s.batch, s.outputDim], data: y },
    );
    tensors.push({ name: 'loss', dtype: 'F32', shape: [1], data: new Float32Array([loss]) });
    writeOutput(out, '--out', encodeSafetensors(tensors, { config: JSON.stringify(config) }));
    console.log(`wrote ${tensors.length} tensors to ${out} (loss ${loss.toFixed(6)} on a batch of ${s.batch})`);
    trainer.destroy();
    return 0;
  } finally {
    gpu.destroy();
  }
}

/** This adapter's autotuned matmul tilings (`gradscope bench --tune`), when it has any. */
function tuning(adapter: Parameters<typeof readTuning>[0]) {
  const table = readTuning(adapter);
  return table ? { tiling: tunedTiling(table) } : {};
}
