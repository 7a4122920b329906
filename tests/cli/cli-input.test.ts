/**
 * What a fuzzer and a new user threw at the command line: help for every command, unknown and empty
 * flags, hostile files (deep nesting, /dev/zero, 10 MB values, prototype names). Each must end in one
 * line on stderr and exit 1 (or the help on stdout, exit 0), promptly, with no stack trace.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_PATHS } from '../../src/model/config-schema.ts';
import { COMMANDS } from '../../src/cli/flags.ts';
import { cli, SMALL } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gradscope-input-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('help and version', () => {
  it('--version prints the package version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  for (const c of COMMANDS) {
    it(`${c.name} --help and -h list every flag with its default`, async () => {
      for (const h of ['--help', '-h']) {
        const r = await cli([c.name, h]);
        expect(r.code, r.stderr).toBe(0);
        for (const f of c.flags) {
          expect(r.stdout).toContain(`--${f.name}`);
          if (f.default) expect(r.stdout.replace(/\s+/g, ' ')).toContain(`default: ${f.default}`);
        }
      }
    });
  }

  it('train --help lists every config field with its default and what it allows, from the schema', async () => {
    const r = await cli(['train', '--help', ...SMALL]);
    const text = r.stdout.replace(/\s+/g, ' ');
    for (const path of CONFIG_PATHS) expect(text).toMatch(new RegExp(` ${path.replace(/\./g, '\\.')}=\\S+ `));
    expect(text).toContain('model.depth=100 mlp: hidden blocks');
    expect(text).toContain('an integer from 1 to 10000');
    expect(text).toContain('one of none, batch, layer');
    // Wrapped at word boundaries within 80 columns when not on a terminal.
    for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });
});

describe('bad input is one line, exit 1', () => {
  const deepArrays = '['.repeat(100_000) + ']'.repeat(100_000);
  const cases: [string, string[], RegExp, Record<string, string>?][] = [
    ['an unknown flag is named as unknown', ['grads', '--bogus'], /gradscope grads has no --bogus flag/],
    ['a misspelt flag gets a suggestion', ['train', '--stpes', '3'], /no --stpes flag \(did you mean --steps\?/],
    ['a flag missing its value', ['train', '--log'], /--log needs a value: --log FILE\.jsonl/],
    ['a flag followed by another flag', ['train', '--log', '--save', 'x'], /--log needs a value before --save/],
    ['an empty --log', ['train', '--log', ''], /--log needs a file path \(got an empty string\)/],
    ['an empty --save', ['train', '--save=', ...SMALL], /--save needs a file path/],
    ['an empty --config', ['train', '--config', ''], /--config needs a file path/],
    ['an empty --preset', ['train', '--preset', ''], /--preset needs a preset name/],
    ['the same file for --log and --save', ['train', '--log', join(dir, 'x'), '--save', `${dir}/./x`], /--log and --save both name/],
    ['an output in a missing directory', ['train', '--log', join(dir, 'nope', 'run.jsonl')], /--log .*: cannot write it \(the directory .* does not exist\)/],
    ['unclosed brackets, 200,000 deep', ['train', '--config', file('deep1.json', '['.repeat(200_000))], /nests deeper than 32 levels/],
    ['unclosed objects, 100,000 deep', ['train', '--config', file('deep2.json', '{"a":'.repeat(100_000))], /nests deeper than 32 levels/],
    ['valid JSON 100,000 arrays deep', ['train', '--config', file('deep3.json', deepArrays)], /nests deeper than 32 levels/],
    ['a 100 kB value on the command line', ['train', '--set', `model.activation=${'x'.repeat(100_000)}`], /model\.activation must be one of .* \(got "x{20}/],
    ['a 100 kB field name', ['train', '--set', `${'y'.repeat(100_000)}=1`], /unknown field y{20}/],
    ['a 1 MB value in a config file', ['train', '--config', file('long.json', `{"model":{"activation":"${'x'.repeat(1_000_000)}"}}`)], /model\.activation must be one of/],
    ['a 10 MB config file', ['train', '--config', file('huge.json', `{"model":{"activation":"${'x'.repeat(10 << 20)}"}}`)], /larger than 1 MiB; a RunConfig is a few hundred bytes/],
    ['--config /dev/zero', ['train', '--config', '/dev/zero'], /--config \/dev\/zero: larger than 1 MiB/],
    ['--load /dev/zero', ['train', '--load', '/dev/zero'], /\/dev\/zero/],
    ['data.path=/dev/zero', ['train', '--set', 'data.name=csv', '--set', 'data.path=/dev/zero'], /data\.path \/dev\/zero: larger than 256 MiB/],
    ['a tuning file naming constructor', ['train', ...SMALL, '--steps', '1'], /tuning file .*: entry "128x16x2tB": "constructor" is not a shape and a matmul tiling name; delete it/, { GRADSCOPE_TUNING: file('tune.json', '') }],
    ['a memory budget too small, in readable units', ['train', ...SMALL, '--steps', '1'], /needs \d+(\.\d+)? (KiB|MiB) of GPU memory .* the budget is 1 KiB/, { GRADSCOPE_MEMORY_MB: '0.0009765625' }],
    ['a memory budget in hex', ['train', '--steps', '1'], /GRADSCOPE_MEMORY_MB must be a positive number of MiB \(got "0x10"\)/, { GRADSCOPE_MEMORY_MB: '0x10' }],
  ];
  // The tuning file holds every prototype name as a tiling, for the adapter the test runs on.
  writeFileSync(join(dir, 'tune.json'), JSON.stringify({ any: { '128x16x2tB': 'constructor', '1x1x1': '__proto__' } }));

  for (const [what, args, message, env] of cases) {
    it(what, async () => {
      const r = await cli(args, env);
      expect(r.code, r.stderr.slice(0, 400)).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr.slice(0, 400)).toHaveLength(1);
      expect(lines[0]!.length).toBeLessThan(600);
      expect(lines[0]).toMatch(message);
    });
  }

  it('a config file with a byte order mark is read like any other', async () => {
    const path = file('bom.json', '\ufeff{"model": {"depth": 3, "width": 8}, "data": {"samples": 64}, "train": {"batchSize": 16}}');
    const r = await cli(['train', '--config', path, '--steps', '2']);
    expect(r.code, r.stderr).toBe(0);
  });
});
