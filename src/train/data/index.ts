export { floatDataset, makeDataset, splitSamples } from './dataset.ts';
export type { ByteImageDataset, ByteSplit, Dataset, FloatDataset, Split, Task } from './dataset.ts';
export { BatchSampler } from './batch-sampler.ts';
export { parseCsv, MAX_CSV_CLASSES } from './csv.ts';
export { MNIST_PIXELS, MNIST_SUBSET_SIZE } from './mnist.ts';
