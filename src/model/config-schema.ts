/**
 * The table behind RunConfig validation: the allowed values of every leaf field. The enum lists are the
 * single source of the RunConfig union types (config.ts derives them), the controls' menus and the errors.
 */
import { closestMatch, describeValue, fieldError, ConfigError } from './config-error.ts';

export const DATA_NAMES = ['spiral', 'circles', 'xor', 'gaussians', 'teacher', 'mnist', 'shapes', 'cifar10', 'adding', 'order', 'csv'] as const;
export const ARCHS = ['mlp', 'resnet', 'rnn'] as const;
/** model.arch=rnn's cells: nn.RNN, nn.LSTM, nn.GRU. */
export const RNN_CELLS = ['rnn', 'lstm', 'gru'] as const;
/** Data sets whose samples are images (what a convolutional architecture reads). */
export const IMAGE_DATA = ['mnist', 'shapes', 'cifar10'] as const;
/** Data sets of sequences, data.length steps long (what a recurrent net reads; an MLP reads them flattened). */
export const SEQUENCE_DATA = ['adding', 'order'] as const;
/** What model.arch=rnn reads: the sequence tasks, and mnist as 28 steps of one 28-pixel row each. */
export const RNN_DATA = [...SEQUENCE_DATA, 'mnist'] as const;
/** data.samples × data.length at most this for sequence data: 240 MB of inputs for order (6 floats a step). */
export const MAX_SEQUENCE_STEPS = 10_000_000;
/** Data sets that read data.path: a file (csv) or the folder of the binary batches (cifar10). */
export const PATH_DATA = ['csv', 'cifar10'] as const;
/** Training-batch augmentations: none, or pad-4 random crop and horizontal flip (He et al. 2016, §4.2), drawn on the GPU. */
export const AUGMENTS = ['none', 'crop-flip'] as const;
/** Data sets that can be augmented: images kept as bytes, which the GPU crops and flips as it gathers a batch. */
export const AUGMENTABLE_DATA = ['cifar10'] as const;
export const ACTIVATIONS = ['linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'gelu'] as const;
export const NORMS = ['none', 'batch', 'layer'] as const;
export const RESIDUALS = ['none', 'identity', 'rezero'] as const;
export const INIT_SCHEMES = ['xavier', 'xavier_uniform', 'he', 'he_uniform', 'lecun', 'orthogonal', 'pytorch', 'meanfield', 'identity'] as const;
export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'adamw'] as const;
export const CLIP_MODES = ['none', 'norm', 'value'] as const;

export type FieldSpec =
  | { kind: 'enum'; values: readonly string[] }
  /** An integer; `nullable` also takes null (train.bptt: null is full backpropagation through time). */
  | { kind: 'int'; min: number; max: number; nullable?: boolean }
  /** A real number; `open` bounds exclude their end point. */
  | { kind: 'number'; min: number; max: number; minOpen?: boolean; maxOpen?: boolean }
  /** A file path or null. */
  | { kind: 'path' };

const int = (min: number, max: number): FieldSpec => ({ kind: 'int', min, max });
const intOrNull = (min: number, max: number): FieldSpec => ({ kind: 'int', min, max, nullable: true });
const num = (min: number, max: number, open: { minOpen?: boolean; maxOpen?: boolean } = {}): FieldSpec => ({ kind: 'number', min, max, ...open });
const oneOf = (values: readonly string[]): FieldSpec => ({ kind: 'enum', values });

/** Every leaf of RunConfig, in the order DESIGN.md lists them. */
export const FIELDS = {
  seed: int(0, 4294967295),
  'data.name': oneOf(DATA_NAMES),
  'data.samples': int(16, 100000),
  'data.length': int(2, 1000),
  'data.noise': num(0, 10),
  'data.testFraction': num(0, 0.9),
  'data.path': { kind: 'path' },
  'data.augment': oneOf(AUGMENTS),
  'model.arch': oneOf(ARCHS),
  'model.cell': oneOf(RNN_CELLS),
  'model.depth': int(1, 10000),
  'model.width': int(1, 4096),
  'model.activation': oneOf(ACTIVATIONS),
  'model.norm': oneOf(NORMS),
  'model.residual': oneOf(RESIDUALS),
  'model.init.scheme': oneOf(INIT_SCHEMES),
  'model.init.gain': num(0, 100, { minOpen: true }),
  'model.init.sigmaW2': num(0, 100, { minOpen: true }),
  'model.init.sigmaB2': num(0, 100),
  'model.init.forgetBias': num(-10, 10),
  'train.optimizer': oneOf(OPTIMIZERS),
  'train.lr': num(0, 10, { minOpen: true }),
  'train.momentum': num(0, 1, { maxOpen: true }),
  'train.weightDecay': num(0, 1),
  'train.batchSize': int(1, 4096),
  'train.steps': int(0, 10000000),
  'train.clip.mode': oneOf(CLIP_MODES),
  'train.clip.max': num(0, 1e6, { minOpen: true }),
  'train.bptt': intOrNull(1, 1000),
  'log.every': int(1, 1000000),
} as const satisfies Record<string, FieldSpec>;

export type ConfigPath = keyof typeof FIELDS;

/** All leaf paths, in order. */
export const CONFIG_PATHS: readonly ConfigPath[] = Object.keys(FIELDS) as ConfigPath[];

export function isConfigPath(path: string): path is ConfigPath {
  return Object.hasOwn(FIELDS, path);
}

/** What a field accepts, in the words the error messages use. */
export function allowedText(spec: FieldSpec): string {
  switch (spec.kind) {
    case 'enum':
      return `one of ${spec.values.join(', ')}`;
    case 'int':
      return `an integer from ${spec.min} to ${spec.max}${spec.nullable === true ? ', or null' : ''}`;
    case 'path':
      return 'a file path (a string) or null';
    case 'number': {
      const low = spec.minOpen === true ? `above ${spec.min}` : `at least ${spec.min}`;
      const high = spec.maxOpen === true ? `below ${spec.max}` : `at most ${spec.max}`;
      if (spec.minOpen !== true && spec.maxOpen !== true) return `a number from ${spec.min} to ${spec.max}`;
      return `a number ${low} and ${high}`;
    }
  }
}

function inRange(spec: { min: number; max: number; minOpen?: boolean; maxOpen?: boolean }, x: number): boolean {
  const aboveMin = spec.minOpen === true ? x > spec.min : x >= spec.min;
  const belowMax = spec.maxOpen === true ? x < spec.max : x <= spec.max;
  return aboveMin && belowMax;
}

function checkEnum(path: string, values: readonly string[], value: unknown): string {
  if (typeof value === 'string' && values.includes(value)) return value;
  const allowed = `one of ${values.join(', ')}`;
  const guess = typeof value === 'string' ? closestMatch(value, values) : undefined;
  if (guess === undefined) throw fieldError(path, value, allowed);
  const message = `${path} must be ${allowed} (got ${describeValue(value)}; did you mean ${guess}?)`;
  throw new ConfigError(path, value, allowed, message);
}

/** Returns the value when the field accepts it; throws a one-line ConfigError otherwise. */
export function checkField(path: ConfigPath, value: unknown): unknown {
  const spec: FieldSpec = FIELDS[path];
  switch (spec.kind) {
    case 'enum':
      return checkEnum(path, spec.values, value);
    case 'path':
      if (value === null || typeof value === 'string') return value;
      throw fieldError(path, value, allowedText(spec));
    case 'int':
    case 'number': {
      const nullable = spec.kind === 'int' && spec.nullable === true;
      if (nullable && value === null) return value;
      if (typeof value !== 'number') throw fieldError(path, value, nullable ? allowedText(spec) : 'a number');
      const ok = inRange(spec, value) && (spec.kind === 'number' || Number.isInteger(value));
      if (!ok) throw fieldError(path, value, allowedText(spec));
      return value;
    }
  }
}

function parentOf(path: string): string {
  const cut = path.lastIndexOf('.');
  return cut < 0 ? '' : path.slice(0, cut);
}

function lastKey(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

/** The groups of fields: `data`, `model`, `model.init`, ... */
export const SECTION_PATHS: readonly string[] = [
  ...new Set(CONFIG_PATHS.flatMap((path) => path.split('.').slice(0, -1).map((_, i, keys) => keys.slice(0, i + 1).join('.')))),
];

/** The keys allowed directly inside `prefix` ('' for the top level). */
export function childKeys(prefix: string): string[] {
  return [...SECTION_PATHS, ...CONFIG_PATHS].filter((path) => parentOf(path) === prefix).map(lastKey);
}

/**
 * Did-you-mean for an unknown dotted path. A misspelt key is most often a sibling (`model.dpeth`);
 * failing that, a field of that name in another section (`depth` at the top, `train.activation`).
 */
export function suggestPath(path: string): string | undefined {
  const prefix = parentOf(path);
  const sibling = closestMatch(lastKey(path), childKeys(prefix));
  if (sibling !== undefined) return prefix === '' ? sibling : `${prefix}.${sibling}`;
  const leaf = closestMatch(lastKey(path), CONFIG_PATHS.map(lastKey));
  return leaf === undefined ? undefined : CONFIG_PATHS.find((p) => lastKey(p) === leaf);
}
