import { applyAssignments } from '../model/set-path.ts';
import { parseConfigJson, resolveConfig, type RunConfig } from '../model/config.ts';
import { CONFIG_PATHS } from '../model/config-schema.ts';
import { getField } from '../model/set-path.ts';
import { presetByName } from '../model/presets.ts';
import { CIFAR10_HELP, parseCifar10 } from '../train/data/cifar10.ts';
import { readCifar10Dir } from '../train/data/cifar10-files.ts';
import { makeDataset, type UserData } from '../train/data/dataset.ts';
import { ConfigError } from '../model/config-error.ts';
import type { Dataset } from '../train/data/types.ts';
import { UsageError } from './errors.ts';
import { READ_LIMITS, readUserFile } from './user-files.ts';

export { readUserFile } from './user-files.ts';

/** The last value of a flag; an empty one is refused (`--preset ''` must not quietly mean "none"). */
export function flagValue(flags: Map<string, string[]>, name: string, what = 'a value'): string | undefined {
  const value = flags.get(name)?.at(-1);
  if (value !== undefined && value.trim() === '') throw new UsageError(`--${name} needs ${what} (got an empty string)`);
  return value;
}

/** --set, then the --steps and --every shortcuts, over a base config. */
function applyFlags(base: RunConfig, flags: Map<string, string[]>): RunConfig {
  let config = applyAssignments(base, flags.get('set') ?? []);
  const steps = flags.get('steps')?.at(-1);
  if (steps !== undefined) config = applyAssignments(config, [`train.steps=${steps}`]);
  const every = flags.get('every')?.at(-1);
  if (every !== undefined) config = applyAssignments(config, [`log.every=${every}`]);
  return config;
}

/** The run's config: defaults, then --config or --preset, then each --set in order, then flag shortcuts. */
export function resolveRunConfig(flags: Map<string, string[]>): RunConfig {
  const file = flagValue(flags, 'config', 'a file path');
  const preset = flagValue(flags, 'preset', 'a preset name (gradscope presets lists them)');
  if (file && preset) throw new UsageError('--config and --preset cannot be used together; pick one and adjust it with --set');
  const base = resolveConfig(
    file ? parseConfigJson(readUserFile(file, '--config', READ_LIMITS.config).toString('utf8'), file) : preset ? presetByName(preset).config : {},
  );
  return applyFlags(base, flags);
}

/** Fields a resumed run may change: how it steps and logs, not what it trains or on which data. */
const RESUMABLE = /^(train\.(lr|momentum|weightDecay|steps|clip\..*)|log\.every)$/;

/** A resumed run's config: the checkpoint's, with --set/--steps/--every changing only what may change mid-run. */
export function resumedConfig(saved: RunConfig, flags: Map<string, string[]>, source: string): RunConfig {
  if (flags.has('config') || flags.has('preset')) throw new UsageError('--resume takes its config from the checkpoint; drop --config/--preset (adjust it with --set)');
  const config = applyFlags(saved, flags);
  for (const path of CONFIG_PATHS) {
    if (!RESUMABLE.test(path) && getField(config, path) !== getField(saved, path)) {
      throw new UsageError(`--resume ${source}: ${path} cannot change when resuming (saved ${String(getField(saved, path))}); start a new run with --load to reuse its weights`);
    }
  }
  return config;
}

/** What data.path holds for csv (the text) and cifar10 (the parsed batches); nothing for the other data sets. */
function readDataPath(config: RunConfig): UserData | undefined {
  const { name, path } = config.data;
  if (name === 'csv' && path) return readUserFile(path, 'data.path', READ_LIMITS.csv).toString('utf8');
  if (name !== 'cifar10') return undefined;
  if (path === null) {
    const allowed = 'the folder of the CIFAR-10 binary batches';
    throw new ConfigError('data.path', path, allowed, `data.path must be ${allowed} when data.name is cifar10 (got null). ${CIFAR10_HELP}`);
  }
  return parseCifar10(readCifar10Dir(path, (file) => readUserFile(file, 'data.path', READ_LIMITS.cifar10)));
}

/** The data set a config asks for, reading data.path for csv and cifar10. */
export async function loadDataset(config: RunConfig): Promise<Dataset> {
  return await makeDataset(config.data, config.seed, readDataPath(config));
}
