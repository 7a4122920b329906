/** Finding the CIFAR-10 binary files on disk (Node only; the parser in cifar10.ts takes bytes). */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../model/config-error.ts';
import { CIFAR10_HELP, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, type Cifar10File } from './cifar10.ts';

const FILES = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE];
const FOLDER = 'cifar-10-batches-bin';

function pathError(path: string, problem: string): ConfigError {
  const allowed = `the ${FOLDER} folder or a file in it`;
  return new ConfigError('data.path', path, allowed, `data.path: ${JSON.stringify(path)} ${problem}. ${CIFAR10_HELP}`);
}

/** The folder holding the batches: `path` itself, its cifar-10-batches-bin subfolder, or a .bin file's folder. */
function batchFolder(path: string): string {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) throw pathError(path, 'does not exist');
  if (stat.isFile()) {
    if (path.endsWith('.tar.gz')) throw pathError(path, 'is the archive: extract it first (tar xzf cifar-10-binary.tar.gz)');
    if (!path.endsWith('.bin')) throw pathError(path, `is neither a folder nor a .bin file of the archive (${FILES.join(', ')})`);
    return dirname(path);
  }
  const names = readdirSync(path);
  return !FILES.some((f) => names.includes(f)) && names.includes(FOLDER) ? join(path, FOLDER) : path;
}

/**
 * The six batch files of the CIFAR-10 binary version, named as in the archive, for parseCifar10.
 * `path` is the extracted folder, the folder it was extracted into, or any .bin file in it.
 */
export function readCifar10Dir(path: string, read: (p: string) => Uint8Array): Cifar10File[] {
  const dir = batchFolder(path);
  const names = readdirSync(dir);
  if (names.includes('data_batch_1') && !names.includes('data_batch_1.bin')) {
    throw pathError(dir, 'holds the Python version of CIFAR-10 (pickled data_batch_1, no .bin files): gradscope reads the binary version');
  }
  const missing = FILES.filter((f) => !names.includes(f));
  if (missing.length) throw pathError(dir, `lacks ${missing.join(', ')}: the CIFAR-10 binary folder holds ${FILES.join(', ')}`);
  return FILES.map((name) => ({ name, bytes: read(join(dir, name)) }));
}
