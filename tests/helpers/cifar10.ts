/** A tiny CIFAR-10 binary folder for tests: the archive's six file names, a few seeded records in each. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/math/prng.ts';
import { CIFAR10_RECORD, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, type Cifar10File } from '../../src/train/data/cifar10.ts';

/** The six batch files with `perTrainFile` records in each data_batch and `test` in test_batch.bin; labels cycle 0..9. */
export function tinyCifar10(perTrainFile: number, test: number, seed = 1): Cifar10File[] {
  const rng = new Rng(seed);
  const batch = (records: number, first: number): Uint8Array => {
    const bytes = new Uint8Array(records * CIFAR10_RECORD);
    for (let r = 0; r < records; r++) {
      bytes[r * CIFAR10_RECORD] = (first + r) % 10;
      for (let k = 1; k < CIFAR10_RECORD; k++) bytes[r * CIFAR10_RECORD + k] = rng.int(256);
    }
    return bytes;
  };
  const train = CIFAR10_TRAIN_FILES.map((name, i) => ({ name, bytes: batch(perTrainFile, i * perTrainFile) }));
  return [...train, { name: CIFAR10_TEST_FILE, bytes: batch(test, 3) }];
}

/** Writes the files into `dir` (created) and returns it. */
export function writeCifar10Dir(dir: string, files: readonly Cifar10File[]): string {
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f.name), f.bytes);
  return dir;
}
