export { floatDataset, makeDataset, splitSamples } from './dataset.ts';
export type { ByteImageDataset, ByteSplit, Dataset, FloatDataset, SequenceLayout, Split, Task } from './dataset.ts';
export { BatchSampler } from './batch-sampler.ts';
export { parseCsv, MAX_CSV_CLASSES } from './csv.ts';
export { MNIST_PIXELS, MNIST_SUBSET_SIZE } from './mnist.ts';
export { ADDING_CHANNELS, ORDER_CHANNELS, ORDER_CLASSES, ORDER_SYMBOLS, rowSequences } from './sequences.ts';
