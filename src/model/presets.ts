/**
 * One-click lessons. Each preset is a RunConfig patch over the defaults, small enough to run in
 * seconds (width 32, batch 64) and deep enough to show its phenomenon; the settings were chosen by
 * training each one and reading the per-layer gradients.
 */
import { ConfigError, closestMatch, shortText } from './config-error.ts';
import { resolveConfig } from './config.ts';
import type { ConfigPatch, RunConfig } from './config.ts';

export interface Preset {
  name: string;
  title: string;
  /** Two to four sentences: what the run is and why it behaves as it does. */
  explanation: string;
  /** One sentence: what to watch in the heatmap. */
  lookFor: string;
  config: ConfigPatch;
  /** Run B of a side-by-side lesson, as a patch over `config`. */
  compare?: ConfigPatch;
}

const SMALL = { width: 32 } as const;
/**
 * He et al.'s CIFAR nets at a size that runs in a tab: 8 channels in the first stage (they use 16) and batches of
 * 16, momentum 0.9 at lr 0.02. Measured on SwiftShader at these settings, seed 1, on shapes.
 */
const TAB_RESNET = { arch: 'resnet', width: 8 } as const;
const TAB_RESNET_TRAIN = { optimizer: 'momentum', lr: 0.02, batchSize: 16, steps: 150 } as const;
/** He et al.'s Fig. 6 at tab size: the shipped MNIST digits, where 300 steps separate the four nets (shapes needs thousands). */
const FIG6 = { data: { name: 'mnist' }, train: { ...TAB_RESNET_TRAIN, steps: 300 } } as const;
const TRAIN = { optimizer: 'momentum', lr: 0.01, batchSize: 64, steps: 1000 } as const;
/** Recurrent nets on the adding problem: 64 units, 50 steps, Adam at 0.01 with the rnn default clipping (norm 1). */
const ADDING_50 = { name: 'adding', length: 50 } as const;
const RNN_TRAIN = { optimizer: 'adam', lr: 0.01, batchSize: 32, steps: 1000 } as const;
const EXPLODING = { ...SMALL, depth: 30, activation: 'tanh', init: { scheme: 'meanfield', sigmaW2: 4, sigmaB2: 0 } } as const;

export const PRESETS: readonly Preset[] = [
  {
    name: 'sigmoid-deep',
    title: 'Sigmoid at depth 30: the gradient vanishes',
    explanation:
      'Thirty sigmoid blocks with Xavier initialization. The slope of a sigmoid is never more than 0.25, so each block the error signal crosses on its way back cuts it to about a quarter. The first block ends up with around 10⁻¹⁹ of the gradient the head gets, keeps its random weights, and the loss stays near ln 3, the value of a blind guess between three classes.',
    lookFor: 'The weight-gradient heatmap darkens steadily from the head down to the first block, and the pattern does not change as training goes on.',
    config: { model: { ...SMALL, depth: 30, activation: 'sigmoid', init: { scheme: 'xavier' } }, train: TRAIN },
  },
  {
    name: 'relu-he',
    title: 'ReLU with He init: the gradient gets through',
    explanation:
      'The same thirty blocks with ReLU and He initialization. A ReLU passes the gradient on unchanged wherever it is active, and He’s weight variance of 2/fan_in makes up for the half of the units that are off, so the signal keeps its size from layer to layer in both directions. Every block gets a usable gradient, and the spiral is separated in about five hundred steps (after a bumpy start: momentum overshoots early on).',
    lookFor: 'Every row of the weight-gradient heatmap stays within about one order of magnitude of the head, from the first step on.',
    config: { model: { ...SMALL, depth: 30, activation: 'relu', init: { scheme: 'he' } }, train: TRAIN },
  },
  {
    name: 'bad-init-explodes',
    title: 'Too large an init: the gradient explodes',
    explanation:
      'Tanh blocks drawn with the mean-field scheme at σ_w² = 4, four times the critical value of 1 at which a tanh network with σ_b² = 0 sits on the edge of chaos. Past that edge every block amplifies the error signal on its way back, so the gradient grows exponentially toward the input. The first updates are far too large for the early layers and push them into saturation; from then on their gradient collapses and the loss stalls.',
    lookFor: 'At the first steps the bottom rows of the weight-gradient heatmap are the brightest, the reverse of vanishing; within a couple of hundred steps saturation climbs and those rows go dark.',
    config: { model: EXPLODING, train: TRAIN },
  },
  {
    name: 'clip-rescues',
    title: 'Gradient clipping tames the explosion',
    explanation:
      'The exploding network of bad-init-explodes, with the global gradient norm clipped to 1 before every update. Clipping keeps the gradient’s direction and only shortens it, so the oversized first steps no longer throw the early layers into saturation. The gradient still grows toward the input, but the updates stay small enough to learn from.',
    lookFor: 'The bottom rows of the heatmap stay brighter than the head, the clip scale under the loss chart stays below 1 (every step is scaled down), and the loss falls anyway.',
    config: { model: EXPLODING, train: { ...TRAIN, clip: { mode: 'norm', max: 1 } } },
  },
  {
    name: 'plain-vs-residual-100',
    title: 'Depth 100: a plain stack against residual connections',
    explanation:
      'Two ReLU networks a hundred blocks deep. Run A is a plain stack with He init: its gradients start out healthy, but within a few hundred steps they collapse in the early layers and the loss stops falling. Run B adds an identity skip around every block (h = h + φ(z)), which gives the gradient a direct path back to the input. Its branches start with He weights scaled by 0.1, about 1/√depth, because a hundred full-size additions would double the signal’s variance a hundred times over.',
    lookFor:
      'In run A the lower rows of the weight-gradient heatmap fade after a few hundred steps, while in run B they stay close to the head for the whole run, and the residual split under the maps shows why: each block of run B gets its input’s gradient almost entirely through its skip, the branch adding a few hundredths as much (a median ‖B‖/‖S‖ of 0.01 to 0.04 over the thousand steps).',
    config: { model: { ...SMALL, depth: 100, activation: 'relu', init: { scheme: 'he' } }, train: TRAIN },
    compare: { model: { residual: 'identity', init: { gain: 0.1 } } },
  },
  {
    name: 'batchnorm-rescues-sigmoid',
    title: 'Batch norm rescues the deep sigmoid',
    explanation:
      'The vanishing network of sigmoid-deep with batch normalization before every sigmoid. Normalizing each unit over the batch keeps the sigmoid’s input near zero, where its slope is largest, and the normalization’s backward pass divides the error signal by each unit’s standard deviation, which undoes most of the shrinking. The gradient reaches the first block and the network learns the spiral.',
    lookFor: 'The weight-gradient heatmap, which fell by some twenty orders of magnitude without batch norm, is close to flat from the first block to the head.',
    config: { model: { ...SMALL, depth: 30, activation: 'sigmoid', norm: 'batch', init: { scheme: 'xavier' } }, train: TRAIN },
  },
  {
    name: 'dying-relu',
    title: 'Dying ReLU: a learning rate too high',
    explanation:
      'A ten-block ReLU network with He init, trained with momentum at a learning rate of 0.3, far more than it tolerates. The first large updates push many units below zero for every input; a ReLU that is never active has slope 0, receives no gradient, and never comes back. Once a whole layer is dead nothing flows back through it, and learning stops.',
    lookFor: 'With Statistic set to Dead units, the upper blocks fill up within about sixty steps and the last block goes entirely dead; from then on the weight gradient is exactly zero in every layer.',
    config: { model: { ...SMALL, depth: 10, activation: 'relu', init: { scheme: 'he' } }, train: { ...TRAIN, lr: 0.3 } },
  },
  {
    name: 'pre-norm-gelu',
    title: 'Transformer-style blocks: layer norm, GELU and a clean skip path',
    explanation:
      'A hundred blocks in the spirit of pre-norm transformer layers: each branch normalizes its pre-activation with layer norm and applies GELU, and its output is added to a skip path that no normalization touches. Every branch adds an output of bounded size, so the residual stream grows only linearly with depth, and the skip path carries the gradient straight back to the first block.',
    lookFor: 'The first blocks keep a gradient within about two orders of magnitude of the head for the whole run, and the loss drops within the first hundred steps.',
    config: {
      model: { ...SMALL, depth: 100, activation: 'gelu', norm: 'layer', residual: 'identity', init: { scheme: 'he' } },
      train: TRAIN,
    },
  },
  {
    name: 'rezero-deep',
    title: 'ReZero at depth 200',
    explanation:
      'Two hundred ReLU blocks, each added to the skip path through a learnable scale α that starts at 0, so at step 0 the network is just its first block and the head. The gradient travels back along the skip path untouched, and each α grows only as far as its block proves useful. The stack trains with full-size He weights and no normalization.',
    lookFor: 'At step 0 only the first block and the head have a weight gradient, since every α is 0; after the first update the other rows light up and climb to within about an order of magnitude of the head.',
    config: { model: { ...SMALL, depth: 200, activation: 'relu', residual: 'rezero', init: { scheme: 'he' } }, train: TRAIN },
  },
  {
    name: 'plain-vs-resnet-56',
    title: 'He et al.’s 56-layer nets: plain against residual, stage by stage',
    explanation:
      'Two CIFAR nets of 56 layers with batch norm, as in He et al. 2016 but at 8 channels and batches of 16, on the synthetic shapes. Batch norm does not keep the plain net’s gradient in check: at the first step its first stage gets some 500 times the head’s gradient, the oversized updates grow those weights, and within about twenty steps the first stage is down to a few percent of the head’s gradient or less (1.4% on average over steps 20 to 150), where it stays. The residual net’s identity shortcuts carry the gradient back past every block, so its three stages keep between about a tenth and a third of the head’s throughout. In 150 steps neither net gets past chance on the test set at this size: what differs is where the gradient goes.',
    lookFor: 'In run A the stage 1 band is the brightest at the first step and dark from about step 20 on, while in run B the three stages stay close to one another and to the head.',
    config: { model: { ...TAB_RESNET, depth: 56, residual: 'none' }, train: TAB_RESNET_TRAIN },
    compare: { model: { residual: 'identity' } },
  },
  {
    name: 'plain-20-vs-56',
    title: 'He et al.’s Fig. 6, plain nets: 56 layers train worse than 20',
    explanation:
      'He et al. 2016’s plain CIFAR nets (batch norm, no shortcuts) at 20 and 56 layers, at 8 channels and batches of 16, on the shipped MNIST digits. The deeper net trains worse, not better: over steps 250 to 300 the 20-layer net’s training loss averages 0.49 and the 56-layer net’s 1.89, not far below the 2.30 of a blind guess among ten digits, and they end at 73% and 29% test accuracy. Batch norm keeps every layer’s output in range, and the deeper net’s first stage still gets 2% to 20% of its head’s gradient: it is not starved of gradient, it just fails to find a good fit, which He et al. call the degradation problem.',
    lookFor: 'Run B’s loss curve stays near 2 while run A’s falls below 0.5; in the depth chart run B’s first stage gets about a tenth to a fiftieth of its head’s gradient from step 150 on.',
    config: { model: { ...TAB_RESNET, depth: 20, residual: 'none' }, ...FIG6 },
    compare: { model: { depth: 56 } },
  },
  {
    name: 'resnet-20-vs-56',
    title: 'He et al.’s Fig. 6, residual nets: 56 layers train at least as well as 20',
    explanation:
      'The same two depths with an identity shortcut around every pair of convolutions, everything else as in plain-20-vs-56. The deeper residual net starts slower (its test accuracy is 51% at step 100 against 82%), then catches up: from step 50 on its training loss is below the 20-layer net’s in four of the five stretches of fifty steps (0.30 against 0.27 in the other), 0.19 against 0.24 over steps 250 to 300, and both reach 91% at step 200 and 93% and 92% at step 300. The shortcuts let each block learn a correction to the identity, so the 36 extra layers no longer cost the fit they cost the plain net.',
    lookFor: 'After the first hundred steps the two loss curves run together, run B’s mostly a little lower, while in plain-20-vs-56 they never meet.',
    config: { model: { ...TAB_RESNET, depth: 20, residual: 'identity' }, ...FIG6 },
    compare: { model: { depth: 56 } },
  },
  {
    name: 'rnn-vs-lstm-adding',
    title: 'Through time: a tanh RNN against an LSTM on the adding problem',
    explanation:
      'Two of fifty values are marked and the net must output their sum at the end, so the answer depends on inputs up to 49 steps back. Run A is a tanh RNN of 64 units, run B an LSTM of 64 units with forget bias 1, both trained with Adam at 0.01 and the gradient clipped to norm 1. The RNN’s gradient at the first time step stays below 1e-22 of the last step’s for the whole run, and its test MSE stays near 0.17, what always predicting 1 scores. The LSTM’s sits near 1e-6 for some 600 steps; then, as it finds the markers, it jumps to about a tenth within fifty steps and the test MSE falls to 0.004 by step 700.',
    lookFor: 'In run B the lower rows of the time heatmap light up around step 640, just as its loss drops, while run A’s stay dark to the end.',
    config: { model: { arch: 'rnn', cell: 'rnn', activation: 'tanh' }, data: ADDING_50, train: RNN_TRAIN },
    compare: { model: { cell: 'lstm', init: { forgetBias: 1 } } },
  },
  {
    name: 'irnn-adding',
    title: 'IRNN: the identity carries the gradient back, but that alone does not learn the sum',
    explanation:
      'Run B is Le et al. 2015’s IRNN, a ReLU RNN whose recurrent weights start as the identity, so each hidden state is first handed on unchanged and so is the gradient; run A is a tanh RNN with PyTorch’s default init, both with 64 units on the adding problem at 50 steps and Adam at 0.001. The IRNN’s gradient at the first time step stays between a third and nine tenths of the last step’s for all 1,000 steps, where the tanh RNN’s starts near 1e-11 and only climbs to 1e-3 or 1e-2 late in the run. Neither learns the task in this time: both test MSEs stay between 0.16 and 0.20, around the 0.167 of always predicting 1, and two thirds of the IRNN’s units are off for every sample and step. A gradient that reaches the early steps lets a net learn from them without making it do so; Le et al. trained far longer.',
    lookFor: 'Run B’s time heatmap is bright down to t = 0 from the first step while run A’s stays dark below the last few steps for most of the run, yet both loss curves hover near 0.17.',
    config: { model: { arch: 'rnn', cell: 'rnn', activation: 'tanh' }, data: ADDING_50, train: { ...RNN_TRAIN, lr: 0.001 } },
    compare: { model: { activation: 'relu', init: { scheme: 'identity' } } },
  },
  {
    name: 'rnn-clipping',
    title: 'An exploding RNN, and clipping by the global norm',
    explanation:
      'A tanh RNN of 32 units on the adding problem at 20 steps, with recurrent weights that start orthogonal at gain 2, so each step back through time can double the error signal; both runs use plain SGD at 0.05. Run A takes the raw gradient: by step 20 its norm is about 250,000, the update throws the units into tanh’s flat region, and from then on nothing reaches the early time steps while the loss swings between tens and hundreds of thousands. Run B rescales the gradient to norm 1 whenever it is larger (Pascanu et al. 2013): the first updates are cut to under a hundredth, the gradient keeps reaching the first time step, and the loss settles near 0.17, stable though 400 steps are not enough to learn the task.',
    lookFor: 'After the first few logged steps run A’s time heatmap is dark below the last step and its loss jumps by orders of magnitude, while run B’s stays lit down to t = 0 and its clip scale stays below 1.',
    config: {
      model: { arch: 'rnn', cell: 'rnn', activation: 'tanh', width: 32, init: { scheme: 'orthogonal', gain: 2 } },
      data: { name: 'adding', length: 20 },
      train: { optimizer: 'sgd', lr: 0.05, batchSize: 32, steps: 400, clip: { mode: 'none' } },
    },
    compare: { train: { clip: { mode: 'norm', max: 1 } } },
  },
];

export const PRESET_NAMES: readonly string[] = PRESETS.map((p) => p.name);

/** The preset called `name`; an unknown name throws a ConfigError with the closest match. */
export function presetByName(name: string): Preset {
  const preset = PRESETS.find((p) => p.name === name);
  if (preset) return preset;
  const allowed = PRESET_NAMES.join(', ');
  const guess = closestMatch(name, PRESET_NAMES);
  const hint = guess === undefined ? `presets: ${allowed}` : `did you mean ${guess}?`;
  throw new ConfigError('preset', name, allowed, `unknown preset ${JSON.stringify(shortText(name))} (${hint})`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `patch` laid over `base`, section by section; neither is modified. */
export function mergePatches(base: ConfigPatch, patch: ConfigPatch): ConfigPatch {
  const merge = (a: unknown, b: unknown): unknown => {
    if (!isPlainObject(a) || !isPlainObject(b)) return b === undefined ? a : b;
    const out: Record<string, unknown> = { ...a };
    for (const [key, value] of Object.entries(b)) out[key] = merge(a[key], value);
    return out;
  };
  return merge(base, patch) as ConfigPatch;
}

/** The resolved configs of a preset: run A, and run B when the preset is a comparison. */
export function presetRuns(preset: Preset): { a: RunConfig; b: RunConfig | null } {
  const a = resolveConfig(preset.config);
  return { a, b: preset.compare ? resolveConfig(mergePatches(preset.config, preset.compare)) : null };
}
