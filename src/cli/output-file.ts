import { closeSync, existsSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.ts';

/** A write that failed part-way (a full disk, a device that refuses): the flag, the path and why. */
export class OutputError extends UsageError {
  override name = 'OutputError';
}

function why(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'EFBIG') return 'the file grew past the size this process may write (ulimit -f)';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'the file system is read-only';
  if (code === 'ENOENT') return 'its directory does not exist';
  if (code === 'EISDIR') return 'it is a directory';
  return String(code ?? e);
}

/**
 * A file the user asked for, opened before any work so that a bad path fails first. Writes go to
 * `PATH.partial` and `commit()` renames it over PATH, so an older file at PATH is replaced whole or not at
 * all (a full disk never truncates it). A path that is not a regular file (/dev/stdout, a pipe) is written
 * in place: there is nothing to rename over.
 */
export class OutputFile {
  private fd: number | null;
  private readonly temp: string | null;

  private constructor(
    readonly path: string,
    readonly flag: string,
  ) {
    const special = existsSync(path) && !statSync(path).isFile();
    if (special && statSync(path).isDirectory()) throw new UsageError(`${flag} ${path}: cannot write it (it is a directory)`);
    this.temp = special ? null : `${path}.partial`;
    try {
      this.fd = openSync(this.temp ?? path, 'w');
    } catch (e) {
      throw new UsageError(`${flag} ${path}: cannot write it (${why(e)})`);
    }
  }

  static open(path: string, flag: string): OutputFile {
    return new OutputFile(path, flag);
  }

  /** Where the bytes are going until commit (PATH.partial, or PATH itself for a device). */
  get writingTo(): string {
    return this.temp ?? this.path;
  }

  write(data: string | Uint8Array): void {
    if (this.fd === null) throw new Error(`${this.flag} ${this.path}: written after it was closed`);
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done);
    } catch (e) {
      throw new OutputError(`${this.flag} ${this.path}: cannot write it (${why(e)})`);
    }
  }

  /** Flush, close and move into place. */
  commit(): void {
    const fd = this.takeFd();
    try {
      if (this.temp) fsyncSync(fd); // the rename must not land before the data does
    } catch (e) {
      closeSync(fd);
      throw new OutputError(`${this.flag} ${this.path}: cannot write it (${why(e)})`);
    }
    closeSync(fd);
    if (!this.temp) return;
    try {
      renameSync(this.temp, this.path);
    } catch (e) {
      const gone = (e as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(this.temp);
      const reason = gone ? `${this.temp} was moved or removed while this run wrote it (another process on the same path?)` : why(e);
      throw new OutputError(`${this.flag} ${this.path}: cannot move it into place (${reason})`);
    }
  }

  /** Close and remove the partial file; PATH keeps whatever it held before. */
  discard(): void {
    if (this.fd === null) return;
    closeSync(this.takeFd());
    if (this.temp) unlinkSync(this.temp);
  }

  private takeFd(): number {
    if (this.fd === null) throw new Error(`${this.flag} ${this.path}: closed twice`);
    const fd = this.fd;
    this.fd = null;
    return fd;
  }
}

/** Write a whole file atomically (write PATH.partial, then rename); an error leaves PATH as it was. */
export function replaceFile(path: string, data: string | Uint8Array, flag: string): void {
  const out = OutputFile.open(path, flag);
  try {
    out.write(data);
  } catch (e) {
    out.discard();
    throw e;
  }
  out.commit();
}

/**
 * Output paths must be given (not '') and distinct: `--log x --save x` would write the log, then the
 * weights over it. Paths are compared after resolving, so `./x` and `x` are the same file.
 */
export function checkOutputPaths(outputs: readonly { flag: string; path: string | undefined }[]): void {
  const seen = new Map<string, string>();
  for (const { flag, path } of outputs) {
    if (path === undefined) continue;
    if (path.trim() === '') throw new UsageError(`${flag} needs a file path (got an empty string)`);
    const key = resolve(path);
    const other = seen.get(key);
    if (other) throw new UsageError(`${other} and ${flag} both name ${path}: give each output its own file`);
    seen.set(key, flag);
    if (!existsSync(dirname(key))) throw new UsageError(`${flag} ${path}: cannot write it (the directory ${dirname(path)} does not exist)`);
  }
}
