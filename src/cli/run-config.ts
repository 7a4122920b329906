import { readFileSync } from 'node:fs';
import { applyAssignments } from '../model/set-path.ts';
import { parseConfigJson, resolveConfig, type RunConfig } from '../model/config.ts';
import { presetByName } from '../model/presets.ts';
import { makeDataset } from '../train/data/dataset.ts';
import type { Dataset } from '../train/data/types.ts';
import { UsageError } from './errors.ts';

/** Read a file the user named, turning "not found" and friends into one line that names the flag. */
export function readUserFile(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String(code ?? e);
    throw new UsageError(`${flag} ${path}: cannot read it (${why})`);
  }
}

/** The run's config: defaults, then --config or --preset, then each --set in order, then flag shortcuts. */
export function resolveRunConfig(flags: Map<string, string[]>): RunConfig {
  const file = flags.get('config')?.at(-1);
  const preset = flags.get('preset')?.at(-1);
  if (file && preset) throw new UsageError('--config and --preset cannot be used together; pick one and adjust it with --set');
  let config = resolveConfig(
    file ? parseConfigJson(readUserFile(file, '--config').toString('utf8'), file) : preset ? presetByName(preset).config : {},
  );
  config = applyAssignments(config, flags.get('set') ?? []);
  const steps = flags.get('steps')?.at(-1);
  if (steps !== undefined) config = applyAssignments(config, [`train.steps=${steps}`]);
  const every = flags.get('every')?.at(-1);
  if (every !== undefined) config = applyAssignments(config, [`log.every=${every}`]);
  return config;
}

/** The data set a config asks for, reading data.path for csv. */
export function loadDataset(config: RunConfig): Dataset {
  const path = config.data.path;
  const csv = config.data.name === 'csv' && path ? readUserFile(path, 'data.path').toString('utf8') : undefined;
  return makeDataset(config.data, config.seed, csv);
}
