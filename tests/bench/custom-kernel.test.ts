import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchCustomMatmul, checkCustomKernel } from '../../src/bench/custom-kernel.ts';
import { testContext } from '../helpers/gpu.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLE = readFileSync(join(ROOT, 'examples', 'custom-matmul.wgsl'), 'utf8');

describe('bring-your-own matmul', () => {
  it('verifies the example kernel against the reference and times it', async () => {
    const ctx = await testContext();
    const r = await benchCustomMatmul(ctx, EXAMPLE, 'examples/custom-matmul.wgsl', 67);
    expect(r.ok).toBe(true);
    expect(r.maxRelErr).toBeLessThan(1e-5);
    expect(r.gflops).toBeGreaterThan(0);
  });

  it('names a binding that breaks the contract and says what it should be', () => {
    const bad = EXAMPLE.replace('var<storage, read_write> c', 'var<storage, read> c');
    expect(() => checkCustomKernel(bad, 'mine.wgsl')).toThrow(
      'mine.wgsl: binding 2 (C (M×N)) is declared var<storage, read>, the contract needs var<storage, read_write>',
    );
    expect(() => checkCustomKernel(EXAMPLE.replace('override TILE_N: u32 = 8u;', ''), 'mine.wgsl')).toThrow(/declare override TILE_N/);
    expect(() => checkCustomKernel(EXAMPLE.replace('@binding(3)', '@binding(4)'), 'mine.wgsl')).toThrow(/binding 3 .* is not declared/);
  });

  it('reports a kernel that compiles but computes the wrong thing as wrong, untimed', async () => {
    const ctx = await testContext();
    const transposed = EXAMPLE.replace('b[k * params.N + n]', 'b[n * params.K + k]');
    const r = await benchCustomMatmul(ctx, transposed, 'transposed.wgsl', 33);
    expect(r.ok).toBe(false);
    expect(r.ms).toBeUndefined();
  });

  it('gradscope bench --kernel refuses a kernel that breaks the contract in one line (exit 1)', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'gs-kernel-')), 'bad.wgsl');
    writeFileSync(bad, EXAMPLE.replace('var<uniform> params', 'var<storage, read> params'));
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile('node', [join(ROOT, 'bin', 'gradscope.js'), ...args], { timeout: 300_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr: stderr.replace(/^error: XDG.*\n/gm, '') }),
        ),
      );
    const r = await run(['bench', '--kernel', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/binding 3 .* the contract needs var<uniform>/);
  });
});
