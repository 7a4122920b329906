export { makeDataset, splitSamples } from './dataset.ts';
export type { Dataset, Split, Task } from './dataset.ts';
export { BatchSampler } from './batch-sampler.ts';
export { parseCsv, MAX_CSV_CLASSES } from './csv.ts';
export { MNIST_PIXELS, MNIST_SUBSET_SIZE } from './mnist.ts';
