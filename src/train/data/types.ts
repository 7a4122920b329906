/** A data set as the trainer sees it: inputs and targets as flat typed arrays, split once into train and test. */

export type Task = 'classification' | 'regression';

export interface Split {
  /** n×inputDim, row-major. */
  x: Float32Array;
  /** Class ids (classification) or n×outputDim targets (regression). */
  y: Uint32Array | Float32Array;
  n: number;
}

/** The layout of image inputs: each row of x is height × width × channels, channels last (NHWC). */
export interface ImageLayout {
  height: number;
  width: number;
  channels: number;
}

export interface Dataset {
  name: string;
  task: Task;
  inputDim: number;
  /** Set for image data (mnist, shapes): how each input row is laid out. */
  image?: ImageLayout;
  /** The number of classes for classification. */
  outputDim: number;
  train: Split;
  test: Split;
}

/** All samples before the train/test split. */
export interface Samples {
  task: Task;
  inputDim: number;
  image?: ImageLayout;
  outputDim: number;
  x: Float32Array;
  y: Uint32Array | Float32Array;
  n: number;
}
