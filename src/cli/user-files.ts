import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from './errors.ts';

/** A cap on what a flag's file may hold, and what to say when a file passes it. */
export interface ReadLimit {
  bytes: number;
  hint: string;
}

/** How much of a file each kind of input may hold: far above any real one, far below "read forever". */
export const READ_LIMITS = {
  config: { bytes: 1 << 20, hint: 'a RunConfig is a few hundred bytes: is it the right file?' },
  kernel: { bytes: 1 << 20, hint: 'a WGSL kernel is a few kilobytes: is it the right file?' },
  csv: { bytes: 256 << 20, hint: 'gradscope trains on at most 100,000 rows' },
  /** Each of the six CIFAR-10 batch files (30,730,000 bytes in the archive), so at most 192 MiB in all. */
  cifar10: { bytes: 32 << 20, hint: 'a CIFAR-10 batch file holds 10,000 images in 30,730,000 bytes: is it the binary version from the archive?' },
  /** Regular files are read whole (their size is known); a pipe or device is cut off here. */
  checkpointStream: { bytes: 64 << 20, hint: 'read from a pipe or device, a checkpoint must be smaller: give the file itself' },
} as const satisfies Record<string, ReadLimit>;

function errnoWhy(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return String(code ?? e);
}

function size(bytes: number): string {
  return bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : `${bytes / 1024} KiB`;
}

/**
 * Read a file the user named, turning "not found" and friends into one line that names the flag. A
 * regular file larger than `maxBytes` is refused from its size; anything else (a pipe, /dev/zero) is read
 * until it ends or passes `maxBytes`, so no input can keep the command reading forever.
 */
export function readUserFile(path: string, flag: string, limit: ReadLimit = READ_LIMITS.config): Buffer {
  const maxBytes = limit.bytes;
  if (path === '') throw new UsageError(`${flag} needs a file path (got an empty string)`);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot read it (${errnoWhy(e)})`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new UsageError(`${flag} ${path}: cannot read it (it is a directory)`);
    if (stat.isFile() && stat.size > maxBytes) throw tooLarge(path, flag, limit);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        throw new UsageError(`${flag} ${path}: cannot read it (${errnoWhy(e)})`);
      }
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw tooLarge(path, flag, limit);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

function tooLarge(path: string, flag: string, limit: ReadLimit): UsageError {
  return new UsageError(`${flag} ${path}: larger than ${size(limit.bytes)}; ${limit.hint}`);
}

/** A checkpoint: regular files whole, whatever their size; pipes and devices up to READ_LIMITS.checkpointStream. */
export function readCheckpointFile(path: string, flag: string): Buffer {
  const size = regularFileSize(path);
  return readUserFile(path, flag, size === null ? READ_LIMITS.checkpointStream : { bytes: size, hint: 'it grew while being read' });
}

function regularFileSize(path: string): number | null {
  try {
    const fd = openSync(path, 'r');
    try {
      const stat = fstatSync(fd);
      return stat.isFile() ? stat.size : null;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null; // readUserFile reports why
  }
}
