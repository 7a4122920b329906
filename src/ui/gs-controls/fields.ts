import { MAX_RNN_DEPTH } from '../../model/config-checks.ts';
import { ACTIVATIONS, ARCHS, AUGMENTABLE_DATA, AUGMENTS, CLIP_MODES, DATA_NAMES, IMAGE_DATA, INIT_SCHEMES, NORMS, OPTIMIZERS, RESIDUALS, RNN_CELLS, RNN_DATA, SEQUENCE_DATA } from '../../model/config-schema.ts';
import type { ConfigPath } from '../../model/config.ts';

/** How a RunConfig field is edited on the page. */
export type Widget =
  | { kind: 'select'; options: readonly string[] }
  | { kind: 'number'; min: number; max: number; step: number }
  | { kind: 'slider'; min: number; max: number; step: number; /** a typed field accepts up to this */ typedMax?: number }
  | { kind: 'log-slider'; min: number; max: number }
  /** An integer, or null when the box is left empty (`emptyLabel` says what null means: "full"). */
  | { kind: 'int-or-null'; min: number; max: number; emptyLabel: string };

export interface FieldControl {
  path: ConfigPath;
  label: string;
  widget: Widget;
  /** Shown only when this returns true for the current config values. */
  when?: (get: (p: ConfigPath) => unknown) => boolean;
}

export interface FieldGroup {
  title: string;
  fields: FieldControl[];
}

const initUses = (scheme: string) => (get: (p: ConfigPath) => unknown) => get('model.init.scheme') === scheme;
const mlp = (get: (p: ConfigPath) => unknown) => get('model.arch') === 'mlp';
const resnet = (get: (p: ConfigPath) => unknown) => get('model.arch') === 'resnet';
const rnn = (get: (p: ConfigPath) => unknown) => get('model.arch') === 'rnn';
const notRnn = (get: (p: ConfigPath) => unknown) => !rnn(get);
const rnnCell = (cell: string) => (get: (p: ConfigPath) => unknown) => rnn(get) && get('model.cell') === cell;
/** CIFAR-10 keeps its own images and split: samples, noise and the test fraction do not apply. */
const drawn = (get: (p: ConfigPath) => unknown) => get('data.name') !== 'cifar10';
const augmentable = (get: (p: ConfigPath) => unknown) => (AUGMENTABLE_DATA as readonly unknown[]).includes(get('data.name'));
/** The sets drawn with noise: the 2-D ones, the teacher and shapes (MNIST and the sequence tasks have none). */
const NOISY = new Set(['spiral', 'circles', 'xor', 'gaussians', 'teacher', 'shapes']);
const noisy = (get: (p: ConfigPath) => unknown) => NOISY.has(String(get('data.name')));
const sequences = (get: (p: ConfigPath) => unknown) => (SEQUENCE_DATA as readonly unknown[]).includes(get('data.name'));
/** identity (IRNN) is a recurrent init; mlp and resnet refuse it. */
const FEEDFORWARD_INITS = INIT_SCHEMES.filter((s) => s !== 'identity');
/** nn.RNN's nonlinearities; lstm and gru have their own gates and ignore model.activation. */
const RNN_ACTIVATIONS = ['tanh', 'relu'];
const RNN_DEPTHS = Array.from({ length: MAX_RNN_DEPTH }, (_, i) => String(i + 1));
/** He et al.'s CIFAR depths (6n + 2) a tab can run, ResNet-8 for a quick look. */
const RESNET_DEPTHS = ['8', '14', '20', '32', '44', '56', '110'];

/** Every RunConfig field with its widget, grouped as the panel shows them. */
export const FIELD_GROUPS: FieldGroup[] = [
  {
    title: 'Network',
    fields: [
      { path: 'model.arch', label: 'Architecture', widget: { kind: 'select', options: ARCHS } },
      { path: 'model.cell', label: 'Cell', widget: { kind: 'select', options: RNN_CELLS }, when: rnn },
      { path: 'model.depth', label: 'Depth', widget: { kind: 'slider', min: 1, max: 1000, step: 1, typedMax: 10000 }, when: mlp },
      { path: 'model.depth', label: 'Depth', widget: { kind: 'select', options: RESNET_DEPTHS }, when: resnet },
      { path: 'model.depth', label: 'Layers', widget: { kind: 'select', options: RNN_DEPTHS }, when: rnn },
      { path: 'model.width', label: 'Width', widget: { kind: 'slider', min: 1, max: 512, step: 1, typedMax: 4096 }, when: mlp },
      { path: 'model.width', label: 'Channels', widget: { kind: 'select', options: ['2', '4', '8', '16', '32', '64'] }, when: resnet },
      { path: 'model.width', label: 'Hidden units', widget: { kind: 'slider', min: 1, max: 512, step: 1, typedMax: 4096 }, when: rnn },
      { path: 'model.activation', label: 'Activation', widget: { kind: 'select', options: ACTIVATIONS }, when: notRnn },
      { path: 'model.activation', label: 'Nonlinearity', widget: { kind: 'select', options: RNN_ACTIVATIONS }, when: rnnCell('rnn') },
      { path: 'model.norm', label: 'Normalization', widget: { kind: 'select', options: NORMS }, when: mlp },
      { path: 'model.norm', label: 'Normalization', widget: { kind: 'select', options: NORMS.filter((n) => n !== 'layer') }, when: resnet },
      { path: 'model.residual', label: 'Residual', widget: { kind: 'select', options: RESIDUALS }, when: notRnn },
      { path: 'model.init.scheme', label: 'Init', widget: { kind: 'select', options: FEEDFORWARD_INITS }, when: notRnn },
      { path: 'model.init.scheme', label: 'Init', widget: { kind: 'select', options: ['pytorch', 'orthogonal', 'identity'] }, when: rnnCell('rnn') },
      { path: 'model.init.scheme', label: 'Init', widget: { kind: 'select', options: ['pytorch', 'orthogonal'] }, when: (g) => rnn(g) && g('model.cell') !== 'rnn' },
      { path: 'model.init.forgetBias', label: 'Forget-gate bias', widget: { kind: 'number', min: -10, max: 10, step: 0.5 }, when: rnnCell('lstm') },
      { path: 'model.init.gain', label: 'Gain', widget: { kind: 'log-slider', min: 0.01, max: 10 }, when: (g) => !['pytorch', 'meanfield'].includes(String(g('model.init.scheme'))) },
      { path: 'model.init.sigmaW2', label: 'σ_w²', widget: { kind: 'number', min: 0.01, max: 100, step: 0.1 }, when: initUses('meanfield') },
      { path: 'model.init.sigmaB2', label: 'σ_b²', widget: { kind: 'number', min: 0, max: 100, step: 0.01 }, when: initUses('meanfield') },
    ],
  },
  {
    title: 'Training',
    fields: [
      { path: 'train.optimizer', label: 'Optimizer', widget: { kind: 'select', options: OPTIMIZERS } },
      { path: 'train.lr', label: 'Learning rate', widget: { kind: 'log-slider', min: 1e-5, max: 10 } },
      { path: 'train.momentum', label: 'Momentum', widget: { kind: 'number', min: 0, max: 0.999, step: 0.01 }, when: (g) => g('train.optimizer') === 'momentum' },
      { path: 'train.weightDecay', label: 'Weight decay', widget: { kind: 'number', min: 0, max: 1, step: 0.0001 } },
      { path: 'train.steps', label: 'Steps', widget: { kind: 'number', min: 1, max: 10_000_000, step: 100 } },
      { path: 'train.batchSize', label: 'Batch size', widget: { kind: 'select', options: ['8', '16', '32', '64', '128', '256', '512', '1024'] } },
      { path: 'train.clip.mode', label: 'Clipping', widget: { kind: 'select', options: CLIP_MODES } },
      { path: 'train.clip.max', label: 'Clip at', widget: { kind: 'log-slider', min: 0.001, max: 1000 }, when: (g) => g('train.clip.mode') !== 'none' },
      { path: 'train.bptt', label: 'BPTT steps', widget: { kind: 'int-or-null', min: 1, max: 1000, emptyLabel: 'full' }, when: rnn },
    ],
  },
  {
    title: 'Data',
    fields: [
      { path: 'data.name', label: 'Data set', widget: { kind: 'select', options: DATA_NAMES.filter((d) => d !== 'csv') }, when: mlp },
      { path: 'data.name', label: 'Data set', widget: { kind: 'select', options: IMAGE_DATA }, when: resnet },
      { path: 'data.name', label: 'Data set', widget: { kind: 'select', options: RNN_DATA }, when: rnn },
      { path: 'data.augment', label: 'Augment', widget: { kind: 'select', options: AUGMENTS }, when: augmentable },
      { path: 'data.noise', label: 'Noise', widget: { kind: 'number', min: 0, max: 10, step: 0.01 }, when: noisy },
      { path: 'data.length', label: 'Steps in time', widget: { kind: 'number', min: 2, max: 1000, step: 1 }, when: sequences },
      { path: 'data.samples', label: 'Samples', widget: { kind: 'number', min: 16, max: 100000, step: 16 }, when: drawn },
      { path: 'data.testFraction', label: 'Test fraction', widget: { kind: 'number', min: 0, max: 0.9, step: 0.05 }, when: drawn },
      { path: 'seed', label: 'Seed', widget: { kind: 'number', min: 0, max: 4294967295, step: 1 } },
    ],
  },
];

/** The fields a group shows for a config: those whose `when` holds (or that have none). */
export function shownFields(group: FieldGroup, get: (p: ConfigPath) => unknown): FieldControl[] {
  return group.fields.filter((f) => !f.when || f.when(get));
}

/**
 * Fields that change without rebuilding the network: the optimizer's uniform is rewritten in place, and
 * train.steps only moves where the run stops.
 */
export const HOT_FIELDS: ReadonlySet<string> = new Set(['train.lr', 'train.momentum', 'train.weightDecay', 'train.clip.max', 'train.steps']);

/** Log-slider position (0–1000) ↔ value. */
export function logSliderValue(pos: number, min: number, max: number): number {
  const v = Math.exp(Math.log(min) + (pos / 1000) * (Math.log(max) - Math.log(min)));
  return Number(v.toPrecision(3));
}

export function logSliderPosition(value: number, min: number, max: number): number {
  return Math.round((1000 * (Math.log(value) - Math.log(min))) / (Math.log(max) - Math.log(min)));
}
