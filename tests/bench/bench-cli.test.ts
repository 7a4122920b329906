import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgressLine } from '../../src/cli/bench-progress.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'gradscope.js');

/** A stand-in for process.stderr that records what is written. */
function stream(isTTY: boolean, columns = 40) {
  const out = { text: '', isTTY, columns, write: (s: string) => ((out.text += s), true) };
  return out;
}

describe('the bench progress line', () => {
  it('on a terminal is one line rewritten in place, cleared around other output', () => {
    const err = stream(true);
    const stdout = stream(false);
    const p = new ProgressLine(err as unknown as NodeJS.WriteStream);
    p.show('[1/3] peak/fma · < 5 s left');
    p.print(stdout as unknown as NodeJS.WritableStream, 'a table row');
    p.show('[2/3] peak/copy · < 5 s left');
    p.end('3 cases in 4.0 s');
    expect(stdout.text).toBe('a table row\n');
    // No newline until the end: each update starts with a carriage return and is padded to the width (less one).
    const lines = err.text.split('\n');
    expect(lines).toEqual([expect.stringContaining('[2/3] peak/copy'), '']);
    const first = '[1/3] peak/fma · < 5 s left'.padEnd(39);
    const blank = `\r${' '.repeat(39)}\r`;
    expect(err.text).toBe(`\r${first}${blank}${first}\r${'[2/3] peak/copy · < 5 s left'.padEnd(39)}${blank}3 cases in 4.0 s\n`);
  });

  it('elsewhere writes one line per update', () => {
    const err = stream(false);
    const p = new ProgressLine(err as unknown as NodeJS.WriteStream);
    p.show('[1/2] a · < 5 s left');
    p.print(err as unknown as NodeJS.WritableStream, 'row');
    p.show('[2/2] b · < 5 s left');
    p.end('2 cases in 1.0 s');
    expect(err.text).toBe('[1/2] a · < 5 s left\nrow\n[2/2] b · < 5 s left\n2 cases in 1.0 s\n');
  });
});

describe('gradscope bench --json', () => {
  it('prints progress on stderr and exactly one JSON object, with noise marks, on stdout', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile('node', [BIN, 'bench', '--filter', 'matmul/vec4 fwd-b128-w128', '--json'], { timeout: 120_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(code, stderr).toBe(0);
    // stdout is the object and nothing else: no progress, no table, no advice.
    expect(stdout.trimStart().startsWith('{') && stdout.trimEnd().endsWith('}')).toBe(true);
    expect(stdout).not.toMatch(/\[\d+\/\d+\]|cases? in|NOISY/);
    const report = JSON.parse(stdout);
    expect(report.results.map((r: { name: string }) => r.name)).toEqual(['peak/fma', 'peak/copy', 'matmul/vec4']);
    for (const r of report.results) {
      expect(r, r.name).toMatchObject({ ok: true, ms: expect.any(Number), msMin: expect.any(Number), msMax: expect.any(Number), noisy: expect.any(Boolean) });
      expect(r.detail, r.name).toMatchObject({ samples: expect.any(Number), samplesPlanned: expect.any(Number) });
      if (r.noisy) expect(r.noisyReason, r.name).toMatch(/\w/);
      else expect(r).not.toHaveProperty('noisyReason');
    }
    // Progress counts the planned cases from 1 and says how long is left; the run ends with how long it took.
    const progress = stderr.split('\n').filter((l) => /^\[\d+\/\d+\]/.test(l));
    expect(progress.map((l) => l.split(' ·')[0])).toEqual(['[1/3] peak/fma', '[2/3] peak/copy', '[3/3] matmul/vec4 fwd-b128-w128']);
    for (const l of progress) expect(l).toMatch(/ · (< 5 s|~\d+ (s|min)) left$/);
    expect(stderr).toMatch(/^3 cases, .* on a CPU adapter/m);
    expect(stderr).toMatch(/^3 cases in \d+\.\d s$/m);
    // A noisy result is marked in the table too, with the one line of advice after it.
    const noisy = report.results.filter((r: { noisy: boolean }) => r.noisy).length;
    expect((stderr.match(/ NOISY: /g) ?? []).length).toBe(noisy);
    expect(/results are marked NOISY/.test(stderr)).toBe(noisy > 0);
  });
});
