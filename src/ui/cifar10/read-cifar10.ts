import { ConfigError } from '../../model/config-error.ts';
import { CIFAR10_HELP, CIFAR10_RECORD, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, CIFAR10_URL } from '../../train/data/cifar10.ts';
import type { Cifar10Data } from '../../train/data/dataset.ts';

/** A CIFAR-10 batch file is 30,730,000 bytes; anything much larger is not one (and is refused before it is read). */
export const MAX_CIFAR10_FILE_BYTES = 32 * 2 ** 20;

/** Which files the page needs and where to get them: the picker's text and the end of every message. */
export const CIFAR10_PAGE_HELP =
  `Pick ${CIFAR10_TEST_FILE} and one or more of ${CIFAR10_TRAIN_FILES.join(', ')} together, from the folder cifar-10-batches-bin of ` +
  `"CIFAR-10 binary version (suitable for C programs)" (cifar-10-binary.tar.gz at ${CIFAR10_URL}, extracted). ` +
  'They are read in this page, never uploaded.';

export type Cifar10Reply = { ok: true; data: Cifar10Data } | { ok: false; error: string };

/** The batches the page holds: the names of the files they came from, and the parsed images. */
export interface LoadedCifar10 {
  names: string[];
  data: Cifar10Data;
}

/** The parser speaks to the CLI (set data.path); in the page the same problem ends with what to pick instead. */
export function pageMessage(message: string): string {
  return message.replace(CIFAR10_HELP, CIFAR10_PAGE_HELP);
}

/** "50,000 training and 10,000 test images (data_batch_1.bin … test_batch.bin)": what the picker shows once files are read. */
export function describeCifar10(loaded: LoadedCifar10): string {
  const n = (k: number) => k.toLocaleString('en-US');
  return `${n(loaded.data.train.n)} training and ${n(loaded.data.test.n)} test images from ${loaded.names.join(', ')}`;
}

/**
 * Reads and parses the picked batch files in a worker (the main thread only waits). Files that are not
 * .bin are left alone (the archive also holds batches.meta.txt and readme.html); a .bin file too large to be
 * a batch is refused before anything is read; every problem is a ConfigError on data.path.
 */
export async function readCifar10(files: readonly File[]): Promise<LoadedCifar10> {
  const bins = files.filter((f) => f.name.endsWith('.bin'));
  const names = files.map((f) => f.name).join(', ');
  const allowed = 'the CIFAR-10 binary batch files';
  for (const f of bins) {
    if (f.size > MAX_CIFAR10_FILE_BYTES) {
      const records = `a batch file is ${(10000 * CIFAR10_RECORD).toLocaleString('en-US')} bytes`;
      throw new ConfigError('data.path', f.name, allowed, `data.path: ${JSON.stringify(f.name)} is ${(f.size / 2 ** 20).toFixed(1)} MB, not a CIFAR-10 batch (${records}). ${CIFAR10_PAGE_HELP}`);
    }
  }
  if (bins.length === 0) throw new ConfigError('data.path', names, allowed, `data.path: no .bin file among the files picked (${names || 'none'}). ${CIFAR10_PAGE_HELP}`);
  const worker = new Worker(new URL('./cifar10-worker.ts', import.meta.url), { type: 'module' });
  try {
    const reply = await new Promise<Cifar10Reply>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<Cifar10Reply>) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(`the CIFAR-10 reader failed (${e.message || 'no reason given'})`));
      worker.postMessage({ files: bins });
    });
    if (!reply.ok) throw new ConfigError('data.path', names, allowed, pageMessage(reply.error));
    return { names: bins.map((f) => f.name).sort(), data: reply.data };
  } finally {
    worker.terminate();
  }
}
