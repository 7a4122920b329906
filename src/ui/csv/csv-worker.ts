/**
 * Parses an uploaded CSV file off the main thread, so a large file never stalls the frame loop: the
 * page posts the File, the worker reads and parses it with the same parser the CLI uses, and posts the
 * rows back as typed arrays (transferred, not copied), or the one-line message of the first problem.
 */
import { parseCsv } from '../../train/data/csv.ts';
import type { CsvReply } from './read-csv.ts';

interface WorkerScope {
  onmessage: ((e: MessageEvent<{ file: File }>) => void) | null;
  postMessage(message: CsvReply, transfer: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => {
  const { file } = e.data;
  file.text().then(
    (text) => {
      try {
        const samples = parseCsv(text, file.name);
        scope.postMessage({ ok: true, samples }, [samples.x.buffer, samples.y.buffer]);
      } catch (err) {
        scope.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) }, []);
      }
    },
    (err: unknown) => scope.postMessage({ ok: false, error: `data.path: ${JSON.stringify(file.name)} could not be read (${String(err)})` }, []),
  );
};
