import { ConfigError } from '../../model/config-error.ts';
import type { Samples } from '../../train/data/types.ts';

/**
 * The largest CSV the page reads. Parsing needs several times the file's size in memory (the text, then
 * the numbers), and the rows go to the GPU whole; bigger files belong to the CLI, which reads data.path.
 */
export const MAX_CSV_BYTES = 100 * 2 ** 20;

export type CsvReply = { ok: true; samples: Samples } | { ok: false; error: string };

/** An uploaded file the page holds: its name (what data.path reads in the page) and its parsed rows. */
export interface LoadedCsv {
  name: string;
  samples: Samples;
}

/**
 * Reads and parses an uploaded CSV in a worker (the main thread only waits). Too large a file is refused
 * before it is read; every problem is a ConfigError on data.path with a one-line message.
 */
export async function readCsv(file: File): Promise<LoadedCsv> {
  if (file.size > MAX_CSV_BYTES) {
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
    const allowed = `a CSV file of at most ${mb(MAX_CSV_BYTES)}`;
    const msg = `data.path: ${JSON.stringify(file.name)} is ${mb(file.size)}; the page reads CSV files of up to ${mb(MAX_CSV_BYTES)} (train on larger ones with the CLI: gradscope train --set data.name=csv --set data.path=FILE)`;
    throw new ConfigError('data.path', file.name, allowed, msg);
  }
  const worker = new Worker(new URL('./csv-worker.ts', import.meta.url), { type: 'module' });
  try {
    const reply = await new Promise<CsvReply>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<CsvReply>) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(`the CSV reader failed (${e.message || 'no reason given'})`));
      worker.postMessage({ file });
    });
    if (!reply.ok) throw new ConfigError('data.path', file.name, 'a numeric CSV file', reply.error);
    return { name: file.name, samples: reply.samples };
  } finally {
    worker.terminate();
  }
}
