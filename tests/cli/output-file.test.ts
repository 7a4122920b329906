import { existsSync, mkdtempSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputError, OutputFile } from '../../src/cli/output-file.ts';

describe('OutputFile', () => {
  it('writes PATH.partial and moves it over PATH on commit', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gradscope-out-')), 'run.jsonl');
    const out = OutputFile.open(path, '--log');
    out.write('line\n');
    expect(existsSync(`${path}.partial`)).toBe(true);
    out.commit();
    expect(readFileSync(path, 'utf8')).toBe('line\n');
    expect(existsSync(`${path}.partial`)).toBe(false);
  });

  it('says so in one line, naming the flag, when the partial file vanished before the commit', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gradscope-out-')), 'run.jsonl');
    const out = OutputFile.open(path, '--log');
    out.write('line\n');
    unlinkSync(`${path}.partial`);
    let caught: unknown;
    try {
      out.commit();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(OutputError);
    expect((caught as Error).message).toBe(`--log ${path}: cannot move it into place (${path}.partial was moved or removed while this run wrote it (another process on the same path?))`);
  });
});
