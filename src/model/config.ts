/**
 * RunConfig, the one input of a run (DESIGN.md, "RunConfig"): its types, its defaults, and
 * `resolveConfig`, which merges a partial config over the defaults and validates every field.
 */
import { checkCrossFields } from './config-checks.ts';
import { ConfigError, describeValue, shortText } from './config-error.ts';
import { jsonSyntaxError, nestingDepth } from './config-json.ts';
import {
  ACTIVATIONS, ARCHS, AUGMENTABLE_DATA, AUGMENTS, CLIP_MODES, IMAGE_DATA, CONFIG_PATHS, DATA_NAMES, INIT_SCHEMES, NORMS, OPTIMIZERS, PATH_DATA, RESIDUALS, RNN_CELLS, RNN_DATA, SEQUENCE_DATA, checkField,
  isConfigPath, suggestPath,
} from './config-schema.ts';

export { ConfigError } from './config-error.ts';
export { ACTIVATIONS, ARCHS, AUGMENTABLE_DATA, AUGMENTS, CLIP_MODES, IMAGE_DATA, CONFIG_PATHS, DATA_NAMES, INIT_SCHEMES, NORMS, OPTIMIZERS, PATH_DATA, RESIDUALS, RNN_CELLS, RNN_DATA, SEQUENCE_DATA };
export type { ConfigPath } from './config-schema.ts';
import type { ConfigPath } from './config-schema.ts';

export type { DataName, ArchName, RnnCellName, ActivationName, NormName, ResidualName, InitScheme, OptimizerName, ClipMode, AugmentName, DataConfig, InitConfig, ModelConfig, ClipConfig, TrainConfig, RunConfig, DeepPartial, ConfigPatch } from './config-types.ts';
import type { ArchName, DataConfig, InitConfig, ModelConfig, TrainConfig, RunConfig, DeepPartial, ConfigPatch } from './config-types.ts';

export function defaultConfig(): RunConfig {
  return {
    seed: 1,
    data: { name: 'spiral', samples: 2048, length: 50, noise: 0.1, testFraction: 0.2, path: null, augment: 'none' },
    model: {
      arch: 'mlp',
      cell: 'lstm',
      depth: 100,
      width: 64,
      activation: 'relu',
      norm: 'none',
      residual: 'none',
      init: { scheme: 'he', gain: 1, sigmaW2: 2, sigmaB2: 0, forgetBias: 0 },
    },
    train: {
      optimizer: 'sgd',
      lr: 0.01,
      momentum: 0.9,
      weightDecay: 0,
      batchSize: 128,
      steps: 1000,
      clip: { mode: 'none', max: 1 },
      bptt: null,
    },
    log: { every: 1 },
  };
}

type Section = Record<string, unknown>;

function isSection(value: unknown): value is Section {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

function unknownField(prefix: string, key: string, siblings: readonly string[]): ConfigError {
  const path = join(prefix, key);
  const allowed = siblings.map((s) => join(prefix, s)).join(', ');
  const guess = suggestPath(path);
  const hint = guess === undefined ? `known fields here: ${allowed}` : `did you mean ${guess}?`;
  return new ConfigError(path, key, allowed, `unknown field ${shortText(path)} (${hint})`);
}

function notASection(prefix: string, value: unknown): ConfigError {
  if (prefix === '') {
    return new ConfigError('', value, 'an object', `a RunConfig must be a JSON object (got ${describeValue(value)})`);
  }
  return new ConfigError(prefix, value, 'an object', `${prefix} must be an object of fields (got ${describeValue(value)})`);
}

function mergeSection(defaults: Section, input: unknown, prefix: string): Section {
  if (!isSection(input)) throw notASection(prefix, input);
  const keys = Object.keys(defaults);
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(defaults, key)) throw unknownField(prefix, key, keys);
  }
  const out: Section = {};
  for (const key of keys) {
    const path = join(prefix, key);
    const given = input[key];
    const fallback = defaults[key];
    if (isSection(fallback)) out[key] = mergeSection(fallback, given === undefined ? {} : given, path);
    else if (given === undefined) out[key] = fallback;
    else if (isConfigPath(path)) out[key] = checkField(path, given);
  }
  return out;
}

/** Deep-merges `input` (a partial config) over the defaults; throws a one-line ConfigError for any bad field. */
export function resolveConfig(input: unknown): RunConfig {
  // mergeSection walks the default config's own shape and checks every leaf, so the result is a RunConfig.
  const given = input === undefined ? {} : input;
  const config = mergeSection(defaultConfig() as unknown as Section, given, '') as unknown as RunConfig;
  if (config.model.arch !== 'mlp') {
    for (const [path, value] of Object.entries(ARCH_DEFAULTS[config.model.arch])) {
      if (!fieldGiven(given, path)) setLeaf(config, path, value);
    }
  }
  checkCrossFields(config);
  return config;
}

/**
 * Where an architecture's own defaults differ from the MLP's, for fields the input leaves out: a ResNet is
 * He et al.'s ResNet-20 (16 channels, batch norm, identity shortcuts) on the synthetic images unless told otherwise,
 * trained with momentum 0.9 at lr 0.02 on batches of 32: a quarter of He et al.'s batch at about their lr per sample
 * (0.1 at 128), which takes ResNet-20 from chance to 58% test accuracy on shapes in 150 steps (lr 0.05 was still at
 * chance at step 120). An RNN is one nn.LSTM layer of 64 units with PyTorch's init on the adding problem, trained
 * with Adam at lr 0.001 on batches of 32 and the gradient norm clipped at 1 (Pascanu et al. 2013's remedy for
 * exploding gradients through time).
 */
export const ARCH_DEFAULTS: Readonly<Record<Exclude<ArchName, 'mlp'>, Readonly<Partial<Record<ConfigPath, number | string>>>>> = {
  resnet: {
    'model.depth': 20,
    'model.width': 16,
    'model.norm': 'batch',
    'model.residual': 'identity',
    'data.name': 'shapes',
    'data.augment': 'none',
    'train.optimizer': 'momentum',
    'train.lr': 0.02,
    'train.batchSize': 32,
    // The MLP's values: listed so a config switched from rnn to resnet gets He et al.'s φ, init and no clipping.
    'model.activation': 'relu',
    'model.init.scheme': 'he',
    'train.clip.mode': 'none',
  },
  rnn: {
    'model.depth': 1,
    'model.width': 64,
    'model.activation': 'tanh',
    'model.norm': 'none',
    'model.residual': 'none',
    'model.init.scheme': 'pytorch',
    'data.name': 'adding',
    'train.optimizer': 'adam',
    'train.lr': 0.001,
    'train.batchSize': 32,
    'train.clip.mode': 'norm',
    'train.clip.max': 1,
  },
};

/** Every field some architecture has its own default for, in CONFIG_PATHS order. */
const ARCH_FIELDS: readonly ConfigPath[] = CONFIG_PATHS.filter((path) => Object.values(ARCH_DEFAULTS).some((d) => Object.hasOwn(d, path)));

/**
 * The values the architecture-dependent fields take under `arch` (the MLP's are its defaults): what a
 * config switched to that architecture starts from, where it does not say otherwise.
 */
export function archDefaults(arch: ArchName): Readonly<Partial<Record<ConfigPath, number | string>>> {
  if (arch !== 'mlp') return ARCH_DEFAULTS[arch];
  const d = defaultConfig();
  // Every ARCH_FIELDS default is a number or a string (ARCH_DEFAULTS' type), so the MLP's are too.
  return Object.fromEntries(ARCH_FIELDS.map((path) => [path, leafAt(d, path) as number | string]));
}

function leafAt(config: RunConfig, path: string): unknown {
  let node: unknown = config;
  for (const key of path.split('.')) node = (node as Section)[key];
  return node;
}

/** Sets a leaf of a resolved config, whose sections all exist. */
function setLeaf(config: RunConfig, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  let node = config as unknown as Section;
  for (const key of keys) node = node[key] as Section;
  node[last] = value;
}

function fieldGiven(input: unknown, path: string): boolean {
  let at: unknown = input;
  for (const key of path.split('.')) {
    if (!isSection(at) || !Object.hasOwn(at, key)) return false;
    at = at[key];
  }
  return at !== undefined;
}

/** A RunConfig nests three levels deep; anything far deeper is not a config, and must not reach a recursive walk. */
const MAX_NESTING = 32;

/**
 * JSON.parse that reports malformed text as a ConfigError naming the source, line and column. A UTF-8
 * byte order mark is skipped (editors on Windows write one); text nested deeper than MAX_NESTING is refused
 * before parsing, so a hostile file cannot exhaust the stack of the validator or the error locator.
 */
export function parseConfigJson(text: string, sourceName: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const depth = nestingDepth(body, MAX_NESTING);
  if (depth > MAX_NESTING) {
    const allowed = `JSON nested at most ${MAX_NESTING} levels`;
    throw new ConfigError('', sourceName, allowed, `${sourceName}: nests deeper than ${MAX_NESTING} levels of [ and {; a RunConfig has 3 (see gradscope train --help)`);
  }
  try {
    return JSON.parse(body) as unknown;
  } catch {
    const { line, column, reason } = jsonSyntaxError(body);
    const message = `${sourceName}: invalid JSON at line ${line}, column ${column}: ${reason}`;
    throw new ConfigError('', sourceName, 'valid JSON', message);
  }
}
