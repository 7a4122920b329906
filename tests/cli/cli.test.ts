import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunLog } from '../../src/io/jsonl.ts';
import { decodeSafetensors } from '../../src/io/safetensors.ts';
import { cli, SMALL } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gradscope-cli-'));

describe('gradscope command line', () => {
  it('train writes the JSONL log of DESIGN.md and a checkpoint that loads back to the same loss', async () => {
    const log = join(dir, 'run.jsonl');
    const ck = join(dir, 'ck.safetensors');
    const r = await cli(['train', ...SMALL, '--steps', '30', '--every', '10', '--log', log, '--save', ck]);
    expect(r.code, r.stderr).toBe(0);
    const run = parseRunLog(readFileSync(log, 'utf8'));
    expect(run.config.config).toMatchObject({ model: { depth: 6, width: 16 } });
    expect(run.config.adapter.description.length + run.config.adapter.vendor.length).toBeGreaterThan(0);
    expect(run.steps.map((s) => s.step)).toEqual([10, 20, 30]);
    expect(run.config.layers).toEqual([...Array.from({ length: 6 }, (_, l) => ({ name: `blocks.${l}`, kind: 'linear' })), { name: 'head', kind: 'linear' }]);
    for (const s of run.steps) expect(s.gradNorm).toHaveLength(7);
    expect(run.summary?.steps).toBe(30);
    const test = run.summary!.testLoss!;
    const file = decodeSafetensors(new Uint8Array(readFileSync(ck)));
    expect([...file.tensors.keys()]).toContain('blocks.0.weight');
    expect(file.tensors.get('head.weight')!.shape).toEqual([3, 16]);
    expect(JSON.parse(file.metadata.config!)).toMatchObject({ model: { depth: 6 } });
    const log2 = join(dir, 'reload.jsonl');
    const again = await cli(['train', ...SMALL, '--steps', '0', '--load', ck, '--log', log2]);
    expect(again.code, again.stderr).toBe(0);
    expect(parseRunLog(readFileSync(log2, 'utf8')).summary!.testLoss).toBe(test);
  });

  it('grads dumps parameters, gradients, the batch and the loss', async () => {
    const out = join(dir, 'grads.safetensors');
    const r = await cli(['grads', ...SMALL, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const t = decodeSafetensors(new Uint8Array(readFileSync(out))).tensors;
    expect(t.get('grad.blocks.5.weight')!.shape).toEqual([16, 16]);
    expect(t.get('input.x')!.shape).toEqual([32, 2]);
    expect(t.get('input.y')!.dtype).toBe('I32');
    expect(Number.isFinite(t.get('loss')!.data[0])).toBe(true);
  });

  it('presets lists the lessons and shows one', async () => {
    const list = await cli(['presets']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/sigmoid-deep/);
    const one = await cli(['presets', 'sigmoid-deep']);
    expect(one.stdout).toMatch(/--set model.activation=sigmoid/);
    // A comparison shows run B as its difference from run A.
    const pair = await cli(['presets', 'plain-vs-resnet-56']);
    expect(pair.stdout).toContain('--set model.arch=resnet\n  --set model.depth=56\n  --set model.width=8\n  --set model.residual=none');
    expect(pair.stdout).toMatch(/is run A with:\n  --set model.residual=identity$/m);
  });

  it('bench --json prints the DESIGN.md object', async () => {
    const r = await cli(['bench', '--filter', 'matmul/vec4 fwd-b128-w128', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ adapter: { vendor: expect.any(String) }, version: expect.any(String), commit: expect.any(String) });
    // The two peak micro-kernels always run first, so every result can be put against them.
    expect(report.results.map((r: { name: string }) => r.name)).toEqual(['peak/fma', 'peak/copy', 'matmul/vec4']);
    expect(report.results[2]).toMatchObject({ name: 'matmul/vec4', shape: [128, 128, 128], ok: true, gflops: expect.any(Number), pctPeak: expect.any(Number) });
    for (const r of report.results) {
      for (const k of ['ms', 'msMin', 'msMax', 'maxRelErr']) expect(typeof r[k], `${r.name}.${k}`).toBe('number');
    }
  });

  const BAD: [string[], RegExp][] = [
    [['train', '--set', 'model.dpeth=3'], /unknown field model\.dpeth \(did you mean model\.depth\?\)/],
    [['train', '--set', 'model.width=10000'], /model\.width must be an integer from 1 to 4096 \(got 10000\)/],
    [['train', '--set', 'model.depth=deep'], /model\.depth/],
    [['train', '--set', 'model.activation=swish'], /model\.activation must be one of/],
    [['train', '--set', 'train.lr=-1'], /train\.lr/],
    [['train', '--set', 'model.depth'], /model\.depth/],
    [['train', '--config', join(dir, 'missing.json')], /--config .*missing\.json: cannot read it \(no such file\)/],
    [['train', '--config', 'BAD_JSON'], /bad\.json/],
    [['train', '--load', 'BAD_ST'], /safetensors/],
    [['train', '--set', 'train.batchSize=500', '--set', 'data.samples=100'], /train\.batchSize must be at most 80/],
    [['train', '--bogus', '1'], /has no --bogus/],
    [['frobnicate'], /unknown command/],
    [['grads'], /needs --out/],
  ];
  it('bad input exits 1 with one line and no stack trace', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"model": {"depth": 3,}}');
    writeFileSync(join(dir, 'bad.safetensors'), new Uint8Array([1, 2, 3]));
    for (const [args, message] of BAD) {
      const real = args.map((a) => (a === 'BAD_JSON' ? join(dir, 'bad.json') : a === 'BAD_ST' ? join(dir, 'bad.safetensors') : a));
      const r = await cli(real);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('exits 2 with the install hint when no WebGPU adapter can be had', async () => {
    const r = await cli(['train', ...SMALL, '--steps', '1'], { VK_ICD_FILENAMES: join(dir, 'no-such-icd.json') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/apt-get install chromium libvulkan1/);
  });
});
