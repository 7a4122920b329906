/**
 * CIFAR-10, binary version (cifar-10-binary.tar.gz): data_batch_1..5.bin and test_batch.bin, each
 * 10,000 records of a label byte and 3,072 pixel bytes (the 32×32 red plane, then green, then blue).
 * Pure TypeScript over bytes, so the page can parse files the user picks as the CLI parses files it reads.
 */
import { ConfigError } from '../../model/config-error.ts';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

/** Per-channel RGB statistics of the training set in [0, 1] units, as commonly passed to Normalize. */
export const CIFAR10_MEAN = [0.4914, 0.4822, 0.4465] as const;
export const CIFAR10_STD = [0.247, 0.2435, 0.2616] as const;

export const CIFAR10_SIDE = 32;
export const CIFAR10_PIXELS = CIFAR10_SIDE * CIFAR10_SIDE * 3;
export const CIFAR10_RECORD = 1 + CIFAR10_PIXELS;
export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar.html';
export const CIFAR10_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'] as const;
export const CIFAR10_TEST_FILE = 'test_batch.bin';

/** Where to get the data, for the end of every error message. */
export const CIFAR10_HELP =
  `Download "CIFAR-10 binary version (suitable for C programs)", cifar-10-binary.tar.gz, from ${CIFAR10_URL}, extract it, ` +
  'and set data.path to the extracted folder cifar-10-batches-bin or a file in it';

export interface Cifar10Split {
  /** n × 32×32×3 bytes, NHWC (channels last), converted from the file's planar CHW. */
  pixels: Uint8Array;
  labels: Uint32Array;
  n: number;
}

export interface Cifar10File {
  name: string;
  bytes: Uint8Array;
}

const EXPECTED = `${CIFAR10_TRAIN_FILES.join(', ')} and ${CIFAR10_TEST_FILE}`;

function cifarError(value: string, sentence: string): ConfigError {
  return new ConfigError('data.path', value, `the CIFAR-10 binary files ${EXPECTED}`, `data.path: ${sentence}. ${CIFAR10_HELP}`);
}

/** A problem with one file: the sentence starts with its name. */
const fileError = (name: string, problem: string): ConfigError => cifarError(name, `${JSON.stringify(name)} ${problem}`);

const baseName = (name: string): string => name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);

/** Label bytes and planar pixels of several files, in order, as one NHWC split. */
function decode(files: readonly Cifar10File[]): Cifar10Split {
  const n = files.reduce((sum, f) => sum + f.bytes.length / CIFAR10_RECORD, 0);
  const pixels = new Uint8Array(n * CIFAR10_PIXELS);
  const labels = new Uint32Array(n);
  const plane = CIFAR10_SIDE * CIFAR10_SIDE;
  let i = 0;
  for (const { name, bytes } of files) {
    for (let r = 0; r < bytes.length; r += CIFAR10_RECORD, i++) {
      const label = bytes[r]!;
      if (label > 9) throw fileError(name, `has label ${label} in record ${r / CIFAR10_RECORD} (byte ${r}): CIFAR-10 labels are 0 to 9, so this is not a CIFAR-10 binary file`);
      labels[i] = label;
      const out = i * CIFAR10_PIXELS;
      const [red, green, blue] = [r + 1, r + 1 + plane, r + 1 + 2 * plane];
      for (let p = 0, o = out; p < plane; p++, o += 3) {
        pixels[o] = bytes[red + p]!;
        pixels[o + 1] = bytes[green + p]!;
        pixels[o + 2] = bytes[blue + p]!;
      }
    }
  }
  return { pixels, labels, n };
}

function checkLength(f: Cifar10File): void {
  const len = f.bytes.length;
  if (len === 0 || len % CIFAR10_RECORD !== 0) {
    const records = `a whole number of 3,073-byte records (a label byte, then 3,072 pixel bytes; 10,000 records, 30,730,000 bytes, in the archive)`;
    throw fileError(f.name, `is ${len.toLocaleString('en-US')} bytes, not ${records}: it may be truncated`);
  }
}

/**
 * Train is the data_batch_*.bin files in order, test is test_batch.bin. Files must keep their names from
 * the archive; other files of the archive (batches.meta.txt, readme.html) are ignored.
 */
export function parseCifar10(files: readonly Cifar10File[]): { train: Cifar10Split; test: Cifar10Split } {
  const train: Cifar10File[] = [];
  let test: Cifar10File | undefined;
  for (const f of files) {
    const base = baseName(f.name);
    if (!base.endsWith('.bin')) continue;
    const isTrain = (CIFAR10_TRAIN_FILES as readonly string[]).includes(base);
    if (!isTrain && base !== CIFAR10_TEST_FILE) throw fileError(f.name, `is not named as a file of the CIFAR-10 binary archive (${EXPECTED}): keep the archive's names`);
    if (files.some((g) => g !== f && baseName(g.name) === base)) throw fileError(f.name, 'is given twice: give each batch file once');
    checkLength(f);
    if (isTrain) train.push(f);
    else test = f;
  }
  const given = files.map((f) => f.name).join(', ');
  const among = files.length ? `among the files given (${given})` : '(no files were given)';
  if (!train.length) throw cifarError(given, `no training batch ${among}: expected ${CIFAR10_TRAIN_FILES.join(', ')}, at least one`);
  if (!test) throw cifarError(given, `no ${CIFAR10_TEST_FILE} ${among}: it holds the 10,000 test images`);
  train.sort((a, b) => (baseName(a.name) < baseName(b.name) ? -1 : 1));
  return { train: decode(train), test: decode([test]) };
}
