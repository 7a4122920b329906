/**
 * Parses the picked CIFAR-10 batch files off the main thread: the page posts the Files, the worker reads them
 * and converts them with the parser the CLI uses (planar records to NHWC bytes), and posts the images back
 * transferred, not copied, or the one-line message of the first problem.
 */
import { parseCifar10 } from '../../train/data/cifar10.ts';
import type { Cifar10Reply } from './read-cifar10.ts';

interface WorkerScope {
  onmessage: ((e: MessageEvent<{ files: File[] }>) => void) | null;
  postMessage(message: Cifar10Reply, transfer: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => {
  const { files } = e.data;
  Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) }))).then(
    (read) => {
      try {
        const data = parseCifar10(read);
        const buffers = [data.train.pixels.buffer, data.train.labels.buffer, data.test.pixels.buffer, data.test.labels.buffer];
        scope.postMessage({ ok: true, data }, buffers as ArrayBuffer[]);
      } catch (err) {
        scope.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) }, []);
      }
    },
    (err: unknown) => scope.postMessage({ ok: false, error: `data.path: the files picked could not be read (${String(err)})` }, []),
  );
};
