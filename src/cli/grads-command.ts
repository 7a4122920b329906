import { KernelContext } from '../gpu/context.ts';
import { nodeDevice } from '../gpu/node-gpu.ts';
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
    const { store } = trainer;
    const params = store.tensors.filter((t) => t.kind === 'param');
    const tensors: TensorInput[] = [];
    for (const p of params) tensors.push({ name: p.name, dtype: 'F32', shape: [...p.shape], data: await store.read(p) });
    let loss = NaN;
    await trainer.run(1, (r) => (loss = r.loss));
    for (const p of params) tensors.push({ name: `grad.${p.name}`, dtype: 'F32', shape: [...p.shape], data: await store.read(p, 'grad') });
    const batch = await trainer.engine.readBatch();
    const B = config.train.batchSize;
    tensors.push({ name: 'input.x', dtype: 'F32', shape: batch.xShape, data: batch.x });
    tensors.push(
      data.task === 'classification'
        ? { name: 'input.y', dtype: 'I32', shape: [B], data: new Int32Array(batch.y.buffer, 0, B) }
        : { name: 'input.y', dtype: 'F32', shape: [B, data.outputDim], data: batch.y },
    );
    tensors.push({ name: 'loss', dtype: 'F32', shape: [1], data: new Float32Array([loss]) });
    file.write(encodeSafetensors(tensors, { config: JSON.stringify(config) }));
    file.commit();
    console.log(`wrote ${tensors.length} tensors to ${out} (loss ${loss.toFixed(6)} on a batch of ${config.train.batchSize})`);
    trainer.destroy();
    return 0;
  } catch (e) {
    file.discard();
    throw e;
  } finally {
    gpu.destroy();
  }
}
