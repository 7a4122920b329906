import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/model/config-error.ts';
import { readCifar10Dir } from '../../src/train/data/cifar10-files.ts';
import { CIFAR10_CLASSES, CIFAR10_MEAN, CIFAR10_STD, parseCifar10, type Cifar10File } from '../../src/train/data/cifar10.ts';

const RECORD = 3073;
const TRAIN = [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`);
const TEST = 'test_batch.bin';

/** `records` records whose labels and pixel bytes depend on the file's `tag`, so files can be told apart. */
function batch(tag: number, records = 3): Uint8Array {
  const bytes = new Uint8Array(records * RECORD);
  for (let r = 0; r < records; r++) {
    bytes[r * RECORD] = (tag * 3 + r) % 10;
    for (let k = 1; k < RECORD; k++) bytes[r * RECORD + k] = (tag * 31 + r * 7 + k * 13) % 256;
  }
  return bytes;
}

const file = (name: string, bytes = batch(name === TEST ? 9 : Number(/\d/.exec(name)?.[0]))): Cifar10File => ({ name, bytes });
const allFiles = (): Cifar10File[] => [...TRAIN, TEST].map((n) => file(n));

/** The message must say what is wrong with which file, and where to get the real data. */
function expectCifarError(run: () => unknown, ...parts: string[]): void {
  let err: unknown;
  try {
    run();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  const { message, path } = err as ConfigError;
  expect(path).toBe('data.path');
  for (const p of [...parts, 'https://www.cs.toronto.edu/~kriz/cifar.html', 'binary version', 'cifar-10-batches-bin']) expect(message).toContain(p);
}

describe('parseCifar10', () => {
  it('turns planar CHW records into NHWC images: pixel (y, x, c) is record byte 1 + c·1024 + y·32 + x', () => {
    const { train, test } = parseCifar10([file(TEST), file(TRAIN[0]!)]);
    expect([train.n, test.n, train.pixels.length, train.labels.length]).toEqual([3, 3, 3 * 3072, 3]);
    for (const [split, bytes] of [[train, batch(1)], [test, batch(9)]] as const) {
      for (let i = 0; i < 3; i++) {
        expect(split.labels[i]).toBe(bytes[i * RECORD]);
        for (let y = 0; y < 32; y++) {
          for (let x = 0; x < 32; x++) {
            for (let c = 0; c < 3; c++) {
              const got = split.pixels[i * 3072 + (y * 32 + x) * 3 + c];
              if (got !== bytes[i * RECORD + 1 + c * 1024 + y * 32 + x]) expect.fail(`image ${i} (${y}, ${x}, ${c}): got ${got}`);
            }
          }
        }
      }
    }
  });

  it('orders training batches by name, whatever order the files come in, and ignores the archive\'s other files', () => {
    const shuffled = [file(TRAIN[2]!), file(TEST), { name: 'batches.meta.txt', bytes: new Uint8Array(5) }, file(TRAIN[0]!), file(TRAIN[1]!, batch(2, 1))];
    const { train, test } = parseCifar10(shuffled);
    expect(Array.from(train.labels)).toEqual([3, 4, 5, 6, 9, 0, 1]);
    expect(Array.from(test.labels)).toEqual([7, 8, 9]);
    expect(train.pixels.subarray(3 * 3072, 4 * 3072)).toEqual(parseCifar10([file(TRAIN[1]!, batch(2, 1)), file(TEST)]).train.pixels);
  });

  it('reads all five batches and names given with their folder', () => {
    const { train } = parseCifar10(allFiles().map((f) => ({ ...f, name: `cifar-10-batches-bin/${f.name}` })));
    expect(Array.from(train.labels)).toEqual([3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('refuses truncated, empty, mislabelled, misnamed, repeated and missing files, naming each', () => {
    const cut = batch(1).subarray(0, 2 * RECORD + 5);
    expectCifarError(() => parseCifar10([file(TRAIN[0]!, cut), file(TEST)]), '"data_batch_1.bin" is 6,151 bytes', '3,073-byte records');
    expectCifarError(() => parseCifar10([file(TRAIN[0]!), file(TEST, new Uint8Array(0))]), '"test_batch.bin" is 0 bytes');
    const bad = batch(1);
    bad[RECORD] = 10;
    expectCifarError(() => parseCifar10([file(TRAIN[0]!, bad), file(TEST)]), '"data_batch_1.bin" has label 10 in record 1', 'labels are 0 to 9');
    expectCifarError(() => parseCifar10([file('data_batch_6.bin', batch(6)), file(TEST)]), '"data_batch_6.bin" is not named as a file of the CIFAR-10 binary archive');
    expectCifarError(() => parseCifar10([file(TRAIN[0]!), file(`x/${TRAIN[0]}`), file(TEST)]), '"data_batch_1.bin" is given twice');
    expectCifarError(() => parseCifar10([file(TRAIN[0]!), file(TRAIN[1]!)]), 'no test_batch.bin among the files given (data_batch_1.bin, data_batch_2.bin)');
    expectCifarError(() => parseCifar10([file(TEST)]), 'no training batch among the files given (test_batch.bin): expected data_batch_1.bin');
    expectCifarError(() => parseCifar10([]), 'no training batch (no files were given)');
  });

  it('names the ten classes and the usual per-channel statistics', () => {
    expect(CIFAR10_CLASSES).toHaveLength(10);
    expect([CIFAR10_CLASSES[0], CIFAR10_CLASSES[9]]).toEqual(['airplane', 'truck']);
    expect([...CIFAR10_MEAN, ...CIFAR10_STD]).toEqual([0.4914, 0.4822, 0.4465, 0.247, 0.2435, 0.2616]);
  });
});

describe('readCifar10Dir', () => {
  const root = mkdtempSync(join(tmpdir(), 'gradscope-cifar-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const read = (p: string): Uint8Array => new Uint8Array(readFileSync(p));
  const folder = join(root, 'cifar-10-batches-bin');
  mkdirSync(folder);
  for (const f of allFiles()) writeFileSync(join(folder, f.name), f.bytes);
  writeFileSync(join(folder, 'batches.meta.txt'), 'airplane\n');

  it('finds the six batches from the folder, the folder it was extracted into, or a file in it', () => {
    for (const path of [folder, root, join(folder, TEST)]) {
      const files = readCifar10Dir(path, read);
      expect(files.map((f) => f.name), path).toEqual([...TRAIN, TEST]);
      expect(parseCifar10(files).train.n).toBe(15);
    }
  });

  it('says what is missing, and recognizes the archive and the Python version', () => {
    const partial = join(root, 'partial');
    mkdirSync(partial);
    writeFileSync(join(partial, TRAIN[0]!), batch(1));
    expectCifarError(() => readCifar10Dir(partial, read), `"${partial}" lacks data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin`);
    expectCifarError(() => readCifar10Dir(join(root, 'nowhere'), read), 'nowhere" does not exist');
    const archive = join(root, 'cifar-10-binary.tar.gz');
    writeFileSync(archive, 'gz');
    expectCifarError(() => readCifar10Dir(archive, read), 'is the archive: extract it first');
    const python = join(root, 'cifar-10-batches-py');
    mkdirSync(python);
    writeFileSync(join(python, 'data_batch_1'), 'pickle');
    expectCifarError(() => readCifar10Dir(python, read), 'holds the Python version of CIFAR-10');
  });
});
