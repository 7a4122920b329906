import { parseDecimal } from '../model/decimal.ts';
import { UsageError } from './errors.ts';

/** GPU memory a plan may use: GRADSCOPE_MEMORY_MB, else 4 GiB (WebGPU cannot tell how much a device has). */
export function memoryBudget(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.GRADSCOPE_MEMORY_MB;
  if (raw === undefined || raw === '') return 4 * 2 ** 30;
  const mb = parseDecimal(raw.trim()) ?? NaN;
  if (!(mb > 0)) throw new UsageError(`GRADSCOPE_MEMORY_MB must be a positive number of MiB (got ${JSON.stringify(raw)})`);
  return mb * 2 ** 20;
}
