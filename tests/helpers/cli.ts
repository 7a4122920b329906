import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'gradscope.js');

/** A network small enough that a CLI run is about its start-up time. */
export const SMALL = ['--set', 'model.depth=6', '--set', 'model.width=16', '--set', 'data.samples=256', '--set', 'train.batchSize=32'];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the real `gradscope` command (Node, tsx, Dawn) and collect what it printed. */
export function cli(args: string[], env: Record<string, string> = {}, opts: { cwd?: string; shell?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const done = (err: Error | null, stdout: string, stderr: string): void =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr: stderr.replace(/^error: XDG.*\n/gm, '') });
    const options = { env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 64 << 20, ...(opts.cwd ? { cwd: opts.cwd } : {}) };
    // A shell prefix (`ulimit -f 8;`) runs the command under limits a test sets.
    if (opts.shell) execFile('bash', ['-c', `${opts.shell} exec node "$0" "$@"`, BIN, ...args], options, done);
    else execFile('node', [BIN, ...args], options, done);
  });
}

/** Start `gradscope` without waiting for it (signal tests). */
export function spawnCli(args: string[]): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawn('node', [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr })));
  return { child, result };
}
