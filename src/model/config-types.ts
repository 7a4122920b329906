/** RunConfig's types (DESIGN.md, "RunConfig"), apart from config.ts so the cross-field checks can read them. */
import type { ACTIVATIONS, ARCHS, AUGMENTS, CLIP_MODES, DATA_NAMES, INIT_SCHEMES, NORMS, OPTIMIZERS, RESIDUALS, RNN_CELLS } from './config-schema.ts';

export type DataName = (typeof DATA_NAMES)[number];
export type ArchName = (typeof ARCHS)[number];
export type RnnCellName = (typeof RNN_CELLS)[number];
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
  /** LSTM only: added to the forget gate's bias b_f of every layer (Jozefowicz et al. 2015 recommend 1). */
  forgetBias: number;
}

export interface ModelConfig {
  /** The architecture builder (DESIGN.md, "Architectures beyond the MLP"). */
  arch: ArchName;
  /** rnn only: the recurrent cell, as nn.RNN (nonlinearity model.activation), nn.LSTM or nn.GRU. */
  cell: RnnCellName;
  /** Hidden blocks (mlp); weight layers, 6n + 2 (resnet); stacked recurrent layers (rnn). */
  depth: number;
  /** Units per block (mlp); channels of the first stage (resnet); hidden units H (rnn). */
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
  /**
   * rnn only: backpropagate through the last `bptt` time steps (the hidden state before them is held
   * constant); null is full backpropagation through time.
   */
  bptt: number | null;
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
