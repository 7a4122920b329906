/**
 * RunConfig, the one input of a run (DESIGN.md, "RunConfig"): its types, its defaults, and
 * `resolveConfig`, which merges a partial config over the defaults and validates every field.
 */
import { ConfigError, describeValue, shortText } from './config-error.ts';
import { jsonSyntaxError, nestingDepth } from './config-json.ts';
import {
  ACTIVATIONS, ARCHS, AUGMENTABLE_DATA, AUGMENTS, CLIP_MODES, IMAGE_DATA, CONFIG_PATHS, DATA_NAMES, INIT_SCHEMES, MAX_SEQUENCE_STEPS, NORMS, OPTIMIZERS, PATH_DATA, RESIDUALS, SEQUENCE_DATA, checkField, isConfigPath,
  suggestPath,
} from './config-schema.ts';

export { ConfigError } from './config-error.ts';
export { ACTIVATIONS, ARCHS, AUGMENTABLE_DATA, AUGMENTS, CLIP_MODES, IMAGE_DATA, CONFIG_PATHS, DATA_NAMES, INIT_SCHEMES, NORMS, OPTIMIZERS, PATH_DATA, RESIDUALS, SEQUENCE_DATA };
export type { ConfigPath } from './config-schema.ts';
import type { ConfigPath } from './config-schema.ts';

export type DataName = (typeof DATA_NAMES)[number];
export type ArchName = (typeof ARCHS)[number];
export type ActivationName = (typeof ACTIVATIONS)[number];
export type NormName = (typeof NORMS)[number];
export type ResidualName = (typeof RESIDUALS)[number];
export type InitScheme = (typeof INIT_SCHEMES)[number];
export type OptimizerName = (typeof OPTIMIZERS)[number];
export type ClipMode = (typeof CLIP_MODES)[number];
export type AugmentName = (typeof AUGMENTS)[number];

export interface DataConfig {
  name: DataName;
  samples: number;
  /** adding, order: T, the time steps of every sequence (other data sets ignore it). */
  length: number;
  noise: number;
  testFraction: number;
  /**
   * csv: the file to read (numeric columns, the last one the label); cifar10: the folder of the binary batches
   * or a file in it (null in the page, which reads the files the user picks).
   */
  path: string | null;
  /** cifar10 only: crop-flip is a pad-4 random crop and horizontal flip of every training image, each step. */
  augment: AugmentName;
}

export interface InitConfig {
  scheme: InitScheme;
  gain: number;
  /** meanfield only: W ~ N(0, sigmaW2 / fan_in), b ~ N(0, sigmaB2). */
  sigmaW2: number;
  sigmaB2: number;
}

export interface ModelConfig {
  /** The architecture builder (DESIGN.md, "Architectures beyond the MLP"). */
  arch: ArchName;
  /** Hidden blocks (mlp); weight layers, 6n + 2 (resnet). */
  depth: number;
  /** Units per block (mlp); channels of the first stage (resnet). */
  width: number;
  activation: ActivationName;
  norm: NormName;
  residual: ResidualName;
  init: InitConfig;
}

export interface ClipConfig {
  /** norm: rescale so the global L2 norm is at most max; value: clamp each entry to ±max. */
  mode: ClipMode;
  max: number;
}

export interface TrainConfig {
  optimizer: OptimizerName;
  lr: number;
  momentum: number;
  weightDecay: number;
  batchSize: number;
  steps: number;
  clip: ClipConfig;
}

export interface RunConfig {
  /** Drives init, data and shuffling: same seed, same run. */
  seed: number;
  data: DataConfig;
  model: ModelConfig;
  train: TrainConfig;
  log: { every: number };
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** A partial RunConfig, merged over the defaults (presets, URL state, config files). */
export type ConfigPatch = DeepPartial<RunConfig>;

export function defaultConfig(): RunConfig {
  return {
    seed: 1,
    data: { name: 'spiral', samples: 2048, length: 50, noise: 0.1, testFraction: 0.2, path: null, augment: 'none' },
    model: {
      arch: 'mlp',
      depth: 100,
      width: 64,
      activation: 'relu',
      norm: 'none',
      residual: 'none',
      init: { scheme: 'he', gain: 1, sigmaW2: 2, sigmaB2: 0 },
    },
    train: {
      optimizer: 'sgd',
      lr: 0.01,
      momentum: 0.9,
      weightDecay: 0,
      batchSize: 128,
      steps: 1000,
      clip: { mode: 'none', max: 1 },
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

function checkCrossFields(config: RunConfig): void {
  const { name, path } = config.data;
  if (name === 'csv' && (path === null || path.trim() === '')) {
    const allowed = 'a file path when data.name is csv';
    throw new ConfigError('data.path', path, allowed, `data.path must be ${allowed} (got ${describeValue(path)})`);
  }
  if (name === 'cifar10' && path !== null && path.trim() === '') {
    const allowed = 'the folder of the CIFAR-10 binary batches, or null when the page reads files you pick';
    throw new ConfigError('data.path', path, allowed, `data.path must be ${allowed} (got "")`);
  }
  if (!(PATH_DATA as readonly string[]).includes(name) && path !== null) {
    const allowed = `null unless data.name is ${PATH_DATA.join(' or ')}`;
    throw new ConfigError('data.path', path, allowed, `data.path must be ${allowed} (got ${describeValue(path)}; data.name is ${name})`);
  }
  const augment = config.data.augment;
  if (augment !== 'none' && !(AUGMENTABLE_DATA as readonly string[]).includes(name)) {
    const allowed = `none unless data.name is ${AUGMENTABLE_DATA.join(' or ')}`;
    throw new ConfigError('data.augment', augment, allowed, `data.augment must be ${allowed} (got ${augment}; data.name is ${name})`);
  }
  checkSequenceSize(config.data);
  if (config.model.arch === 'resnet') checkResnet(config);
}

/** Sequence data is drawn whole on the host: data.samples × data.length is capped so it cannot ask for gigabytes. */
function checkSequenceSize({ name, samples, length }: DataConfig): void {
  if (!(SEQUENCE_DATA as readonly string[]).includes(name) || samples * length <= MAX_SEQUENCE_STEPS) return;
  const most = Math.floor(MAX_SEQUENCE_STEPS / length);
  const allowed = `at most ${most} for ${name} with data.length=${length}`;
  const why = `samples × length is capped at ${MAX_SEQUENCE_STEPS} steps: use fewer samples or a shorter data.length`;
  throw new ConfigError('data.samples', samples, allowed, `data.samples must be ${allowed} (got ${samples}); ${why}`);
}

/** A CIFAR ResNet reads images, has 6n + 2 weight layers, and pads channels by width/2 on each side (option A). */
function checkResnet(config: RunConfig): void {
  const { depth, width, norm } = config.model;
  if (!(IMAGE_DATA as readonly string[]).includes(config.data.name)) {
    const allowed = `image data (${IMAGE_DATA.join(', ')}) when model.arch is resnet`;
    throw new ConfigError('data.name', config.data.name, allowed, `data.name must be ${allowed} (got ${config.data.name}); use model.arch=mlp for ${config.data.name}`);
  }
  if (depth < 8 || (depth - 2) % 6 !== 0) {
    const allowed = '6n + 2 for a resnet: 8, 14, 20, 32, 44, 56, 110, …';
    throw new ConfigError('model.depth', depth, allowed, `model.depth must be ${allowed} (got ${depth}); ResNet-20 is model.depth=20`);
  }
  if (width % 2 !== 0) {
    const allowed = 'even for a resnet (its shortcuts pad width/2 zero channels on each side)';
    throw new ConfigError('model.width', width, allowed, `model.width must be ${allowed} (got ${width}); He et al. use 16`);
  }
  if (norm === 'layer') {
    const allowed = 'batch or none for a resnet';
    throw new ConfigError('model.norm', norm, allowed, `model.norm must be ${allowed} (got layer)`);
  }
}

/** Deep-merges `input` (a partial config) over the defaults; throws a one-line ConfigError for any bad field. */
export function resolveConfig(input: unknown): RunConfig {
  // mergeSection walks the default config's own shape and checks every leaf, so the result is a RunConfig.
  const given = input === undefined ? {} : input;
  const config = mergeSection(defaultConfig() as unknown as Section, given, '') as unknown as RunConfig;
  if (config.model.arch !== 'mlp') {
    for (const [path, value] of Object.entries(ARCH_DEFAULTS[config.model.arch])) {
      if (fieldGiven(given, path)) continue;
      const [section, key] = path.split('.') as ['model' | 'data' | 'train', string];
      (config[section] as unknown as Section)[key] = value;
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
 * chance at step 120).
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
  },
};

/**
 * The values the architecture-dependent fields take under `arch` (the MLP's are its defaults): what a
 * config switched to that architecture starts from, where it does not say otherwise.
 */
export function archDefaults(arch: ArchName): Readonly<Partial<Record<ConfigPath, number | string>>> {
  if (arch !== 'mlp') return ARCH_DEFAULTS[arch];
  const d = defaultConfig();
  return {
    'model.depth': d.model.depth,
    'model.width': d.model.width,
    'model.norm': d.model.norm,
    'model.residual': d.model.residual,
    'data.name': d.data.name,
    'data.augment': d.data.augment,
    'train.optimizer': d.train.optimizer,
    'train.lr': d.train.lr,
    'train.batchSize': d.train.batchSize,
  };
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
