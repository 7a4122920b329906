/**
 * `key.path=VALUE` assignments: the CLI's `--set`, the URL hash and the controls all edit a RunConfig
 * through these, so a run can always be written down as the list of fields that differ from the defaults.
 */
import { ConfigError, describeValue, shortText } from './config-error.ts';
import { ARCHS, CONFIG_PATHS, FIELDS, SECTION_PATHS, isConfigPath, suggestPath } from './config-schema.ts';
import type { ConfigPath, FieldSpec } from './config-schema.ts';
import { archDefaults, defaultConfig, resolveConfig, type ArchName } from './config.ts';
import { isDecimal } from './decimal.ts';
import type { RunConfig } from './config.ts';

export { CONFIG_PATHS };
export type { ConfigPath };

const EXAMPLE = 'write key.path=VALUE, e.g. model.depth=300';

type Tree = Record<string, unknown>;

/** The value at a leaf path. */
export function getField(config: RunConfig, path: ConfigPath): unknown {
  let node: unknown = config;
  for (const key of path.split('.')) node = (node as Tree)[key];
  return node;
}

function setField(tree: Tree, path: ConfigPath, value: unknown): void {
  const keys = path.split('.');
  let node = tree;
  for (const key of keys.slice(0, -1)) node = node[key] as Tree;
  node[keys[keys.length - 1]!] = value;
}

function unknownPath(path: string): ConfigError {
  if (SECTION_PATHS.includes(path)) {
    const inside = CONFIG_PATHS.filter((p) => p.startsWith(`${path}.`)).join(', ');
    return new ConfigError(path, path, inside, `${path} is a group of fields, not one: set one of ${inside}`);
  }
  const guess = suggestPath(path);
  const hint = guess === undefined ? `fields: ${CONFIG_PATHS.join(', ')}` : `did you mean ${guess}?`;
  return new ConfigError(path, path, CONFIG_PATHS.join(', '), `unknown field ${shortText(path)} (${hint})`);
}

/** Turns the text after `=` into the field's type; text that does not fit is left as is for validation to name. */
function parseValue(path: ConfigPath, text: string): unknown {
  const spec: FieldSpec = FIELDS[path];
  const kind = spec.kind;
  const unquoted = /^"(.*)"$/.exec(text)?.[1] ?? text;
  if (kind === 'int' && spec.nullable === true && text === 'null') return null;
  if (kind === 'int' || kind === 'number') return isDecimal(text) ? Number(text) : unquoted;
  if (kind === 'path') return text === 'null' || text === '' ? null : unquoted;
  return unquoted;
}

function parseAssignment(assignment: string): { path: ConfigPath; value: unknown } {
  const eq = assignment.indexOf('=');
  const key = (eq < 0 ? assignment : assignment.slice(0, eq)).trim();
  if (key === '') {
    throw new ConfigError('', assignment, 'key.path=VALUE', `${describeValue(assignment)} names no field: ${EXAMPLE}`);
  }
  if (!isConfigPath(key)) throw unknownPath(key);
  if (eq < 0) throw new ConfigError(key, assignment, 'key.path=VALUE', `${key} has no value: write ${key}=VALUE`);
  return { path: key, value: parseValue(key, assignment.slice(eq + 1).trim()) };
}

/**
 * Fields only one architecture or data set accepts, back to their defaults on a switch of architecture (which
 * changes the data set too) unless the assignments name them: an LSTM's forget bias and truncated BPTT would
 * otherwise make the mlp refuse the switch, and a CSV path or CIFAR-10 augmentation the rnn.
 */
const ARCH_OWNED: Readonly<Partial<Record<ConfigPath, unknown>>> = { 'model.init.forgetBias': 0, 'train.bptt': null, 'data.path': null, 'data.augment': 'none' };

/**
 * Applies several assignments at once and validates the result once, so pairs that only make sense
 * together (`data.name=csv` with `data.path=...`) can be given in any order. Never mutates `config`.
 */
export function applyAssignments(config: RunConfig, assignments: readonly string[]): RunConfig {
  const tree = structuredClone(config) as unknown as Tree;
  const parsed = assignments.map(parseAssignment);
  // A switch of architecture brings that architecture's defaults for the fields these assignments leave alone.
  const arch = parsed.filter((a) => a.path === 'model.arch').at(-1)?.value;
  if (typeof arch === 'string' && arch !== config.model.arch && (ARCHS as readonly string[]).includes(arch)) {
    const named = new Set(parsed.map((a) => a.path));
    const defaults = { ...ARCH_OWNED, ...archDefaults(arch as ArchName) };
    for (const [path, value] of Object.entries(defaults) as [ConfigPath, unknown][]) if (!named.has(path)) setField(tree, path, value);
  }
  for (const { path, value } of parsed) setField(tree, path, value);
  return resolveConfig(tree);
}

/** `model.depth=300` → a new, validated config; malformed or invalid assignments throw ConfigError. */
export function applySet(config: RunConfig, assignment: string): RunConfig {
  return applyAssignments(config, [assignment]);
}

function formatValue(value: unknown): string {
  return value === null ? 'null' : String(value);
}

/**
 * The fields that differ from the defaults of the config's architecture, as `path=value` in CONFIG_PATHS
 * order, with `model.arch` whenever it is not the MLP: resolving or applying them rebuilds `config`
 * exactly (a ResNet's `model.norm=none` is kept although it is the MLP's default).
 */
export function toAssignments(config: RunConfig): string[] {
  const arch = config.model.arch;
  const base = arch === 'mlp' ? defaultConfig() : resolveConfig({ model: { arch } });
  return CONFIG_PATHS.filter((path) => (path === 'model.arch' ? arch !== 'mlp' : getField(config, path) !== getField(base, path))).map(
    (path) => `${path}=${formatValue(getField(config, path))}`,
  );
}

/** The assignments that turn `from` into `to` (the fields where they differ, `to`'s values), in CONFIG_PATHS order. */
export function diffAssignments(from: RunConfig, to: RunConfig): string[] {
  return CONFIG_PATHS.filter((path) => getField(to, path) !== getField(from, path)).map((path) => `${path}=${formatValue(getField(to, path))}`);
}
