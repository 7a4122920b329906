/** A data set as the trainer sees it: inputs and targets as flat typed arrays, split once into train and test. */

export type Task = 'classification' | 'regression';

export interface Split {
  /** n×inputDim, row-major. */
  x: Float32Array;
  /** Class ids (classification) or n×outputDim targets (regression). */
  y: Uint32Array | Float32Array;
  n: number;
}

/** A split of images kept as bytes: the GPU normalizes each batch as it gathers it (ByteImageDataset). */
export interface ByteSplit {
  /** n × height × width × channels bytes, channels last (NHWC). */
  pixels: Uint8Array;
  /** Class ids. */
  y: Uint32Array;
  n: number;
}

/** The layout of image inputs: each row of x is height × width × channels, channels last (NHWC). */
export interface ImageLayout {
  height: number;
  width: number;
  channels: number;
}

/**
 * The layout of sequence inputs: each row of x is length × channels, time-major (x[i][t][c] at
 * i·length·channels + t·channels + c), as PyTorch's batch_first=True reads an n × T × C tensor.
 */
export interface SequenceLayout {
  /** T, the time steps. */
  length: number;
  /** C, the features of each step. */
  channels: number;
}

/** How bytes become the network's input: (byte / 255 − mean[c]) / std[c] per channel c. */
export interface ByteNormalization {
  mean: readonly number[];
  std: readonly number[];
}

interface DatasetInfo {
  name: string;
  inputDim: number;
  /** The number of classes for classification. */
  outputDim: number;
}

/** Inputs as float rows, normalized on the host (every data set but cifar10). */
export interface FloatDataset extends DatasetInfo {
  task: Task;
  /** Set for image data (mnist, shapes): how each input row is laid out. */
  image?: ImageLayout;
  /** Set for sequence data (adding, order; mnist read by rows): how each input row is laid out in time. */
  sequence?: SequenceLayout;
  /** Never set: a FloatDataset holds floats (narrow a Dataset with `data.bytes`). */
  bytes?: undefined;
  train: Split;
  test: Split;
}

/**
 * Images kept as bytes until the GPU gathers a batch (cifar10: 50,000 training images are 154 MB as
 * bytes, 614 MB as floats); the gather normalizes them, and crops and flips training batches when asked.
 */
export interface ByteImageDataset extends DatasetInfo {
  task: 'classification';
  image: ImageLayout;
  bytes: ByteNormalization;
  train: ByteSplit;
  test: ByteSplit;
}

export type Dataset = FloatDataset | ByteImageDataset;

/** All samples before the train/test split. */
export interface Samples {
  task: Task;
  inputDim: number;
  image?: ImageLayout;
  sequence?: SequenceLayout;
  outputDim: number;
  x: Float32Array;
  y: Uint32Array | Float32Array;
  n: number;
}
