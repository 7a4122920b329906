import { KernelContext } from '../gpu/context.ts';
import { nodeDevice } from '../gpu/node-gpu.ts';
import { checkpointEntries } from '../io/checkpoint.ts';
import { encodeSafetensors, type TensorInput } from '../io/safetensors.ts';
import { Trainer } from '../train/trainer.ts';
import { UsageError } from './errors.ts';
import { memoryBudget } from './memory.ts';
import { checkOutputPaths, OutputFile } from './output-file.ts';
import { tuning } from './tuning-file.ts';
import { flagValue, loadDataset, resolveRunConfig } from './run-config.ts';

/**
 * `gradscope grads`: at initialisation, on the first training batch, every parameter and its gradient,
 * the batch itself and the loss, in one safetensors file PyTorch can check against.
 */
export async function gradsCommand(flags: Map<string, string[]>): Promise<number> {
  const out = flagValue(flags, 'out', 'a file path');
  if (out === undefined) throw new UsageError('gradscope grads needs --out FILE.safetensors');
  checkOutputPaths([{ flag: '--out', path: out }]);
  const config = resolveRunConfig(flags);
  const data = await loadDataset(config);
  const file = OutputFile.open(out, '--out');
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
    file.write(encodeSafetensors(tensors, { config: JSON.stringify(config) }));
    file.commit();
    console.log(`wrote ${tensors.length} tensors to ${out} (loss ${loss.toFixed(6)} on a batch of ${s.batch})`);
    trainer.destroy();
    return 0;
  } catch (e) {
    file.discard();
    throw e;
  } finally {
    gpu.destroy();
  }
}
