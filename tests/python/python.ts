/**
 * What the python tests share: the interpreter (Debian's /usr/bin/python3, or GRADSCOPE_PYTHON), the real CLI, and
 * the torch probe every test awaits first, so a machine without torch fails each test with the fix, never skips it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { expectClose } from '../reference/fd.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const PYTHON = process.env.GRADSCOPE_PYTHON ?? '/usr/bin/python3';
export const SCRIPT = join(ROOT, 'python', 'gradscope_torch.py');

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[]): Promise<Result> {
  const env = { ...process.env, PYTHONPATH: join(ROOT, 'python') };
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 120_000, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr: stderr.replace(/^error: XDG.*\n/gm, '') });
    });
  });
}

export const gradscope = (args: string[]) => run('node', [join(ROOT, 'bin', 'gradscope.js'), ...args]);
export const python = (args: string[]) => run(PYTHON, args);

/** At most two CLI processes at once: the machine has two cores, and vitest runs another file beside this one. */
export async function inPairs<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < jobs.length; i += 2) out.push(...(await Promise.all(jobs.slice(i, i + 2).map((j) => j()))));
  return out;
}

export const sets = (pairs: Record<string, string | number>) => Object.entries(pairs).flatMap(([k, v]) => ['--set', `${k}=${v}`]);

let probing: Promise<void> | undefined;

/** Rejects with the install hint when the interpreter cannot import torch and numpy; probed once per file. */
export function requireTorch(): Promise<void> {
  probing ??= python(['-c', 'import torch, numpy']).then((probe) => {
    if (probe.code === 0) return;
    const why = probe.stderr.trim().split('\n').at(-1) ?? `exit ${probe.code}`;
    throw new Error(`${PYTHON} cannot import torch and numpy (${why}): sudo apt-get install python3-torch python3-numpy, or set GRADSCOPE_PYTHON to a python3 that has them`);
  });
  return probing;
}

/** One line of `gradscope_torch.py check --json`: a file's verdict, its worst tensor and every tensor's error. */
export interface CheckLine {
  file: string;
  ok?: boolean;
  error?: string;
  worstTensor?: string;
  score?: number | null;
  errors?: Record<string, number | null>;
  f32?: Record<string, number | null>;
}

/**
 * Every case through one process of `script` (PyTorch's import costs seconds): the cases go as JSON through a file
 * (argv cannot carry this much: one argument is limited to 128 KiB on Linux), one JSON line comes back per case.
 */
export async function torchLines<T>(script: string, cases: readonly unknown[]): Promise<T[]> {
  await requireTorch();
  const file = join(mkdtempSync(join(tmpdir(), 'gradscope-torch-')), 'cases.json');
  writeFileSync(file, JSON.stringify(cases));
  const r = await python([script, file]);
  expect(r.code, r.stderr).toBe(0);
  const outs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as T);
  expect(outs).toHaveLength(cases.length);
  return outs;
}

/** Within 1e-10 relative: elementwise, of the element or of the tensor's largest magnitude, whichever is larger. */
export function expectMatch(name: string, ours: ArrayLike<number>, theirs: ArrayLike<number> | undefined): void {
  expect(theirs, name).toBeDefined();
  const scale = Math.max(0, ...Array.from(theirs!, Math.abs));
  expectClose(name, ours, theirs!, 1e-10, 1e-10 * scale);
}
