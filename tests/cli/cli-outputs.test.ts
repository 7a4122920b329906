/**
 * A run's outputs survive what happens to the run: they stream as it goes, a signal ends it with a
 * summary and a checkpoint, a full disk never truncates an older file, a divergence is reported at the
 * step it happened, and --resume continues where the checkpoint left off.
 */
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunLog } from '../../src/io/jsonl.ts';
import { decodeSafetensors } from '../../src/io/safetensors.ts';
import { cli, SMALL, spawnCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gradscope-out-'));
const at = (name: string): string => join(dir, name);

async function until(test: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const stepLines = (path: string): number => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.includes('"type":"step"')).length : 0);

describe('outputs of gradscope train', () => {
  it('streams the log while it runs; SIGINT finishes the step, writes the summary and the checkpoint, exits 130; --resume continues', async () => {
    const log = at('sig.jsonl');
    const ck = at('sig.safetensors');
    const run = spawnCli(['train', ...SMALL, '--set', 'train.optimizer=adam', '--steps', '100000', '--log', log, '--save', ck]);
    // The lines are on disk while the run goes (in sig.jsonl.partial until it ends).
    await until(() => stepLines(`${log}.partial`) >= 20);
    run.child.kill('SIGINT');
    const r = await run.result;
    expect(r.code, r.stderr).toBe(130);
    expect(existsSync(`${log}.partial`)).toBe(false);
    const parsed = parseRunLog(readFileSync(log, 'utf8'));
    const s = parsed.summary!;
    expect(s.interrupted).toBe(true);
    expect(s.steps).toBeGreaterThanOrEqual(20);
    expect(parsed.steps.map((x) => x.step)).toEqual(Array.from({ length: s.steps }, (_, i) => i + 1));
    expect(parsed.evals.at(-1)?.step).toBe(s.steps);
    const file = decodeSafetensors(new Uint8Array(readFileSync(ck)));
    expect(file.metadata.step).toBe(String(s.steps));
    expect(file.tensors.get('optimizer.head.weight.exp_avg_sq')?.shape).toEqual([3, 16]);

    // Resume to a few steps further, stopped by SIGTERM this time: the step count carries on.
    const log2 = at('resumed.jsonl');
    const again = spawnCli(['train', '--resume', ck, '--steps', String(s.steps + 100000), '--log', log2]);
    await until(() => stepLines(`${log2}.partial`) >= 5);
    again.child.kill('SIGTERM');
    const r2 = await again.result;
    expect(r2.code, r2.stderr).toBe(130);
    const resumed = parseRunLog(readFileSync(log2, 'utf8'));
    expect(resumed.config).toMatchObject({ resume: { path: ck, step: s.steps } });
    expect(resumed.steps[0]!.step).toBe(s.steps + 1);
    expect(resumed.summary?.interrupted).toBe(true);
  });

  it('10 steps, then --resume to 20, logs the same losses as 20 steps unbroken', async () => {
    const opts = [...SMALL, '--set', 'train.optimizer=momentum', '--set', 'model.norm=batch'];
    const whole = await cli(['train', ...opts, '--steps', '20', '--log', at('whole.jsonl')]);
    const first = await cli(['train', ...opts, '--steps', '10', '--save', at('ten.safetensors')]);
    const rest = await cli(['train', '--resume', at('ten.safetensors'), '--steps', '20', '--log', at('rest.jsonl')]);
    for (const r of [whole, first, rest]) expect(r.code, r.stderr).toBe(0);
    const a = parseRunLog(readFileSync(at('whole.jsonl'), 'utf8')).steps.slice(10);
    const b = parseRunLog(readFileSync(at('rest.jsonl'), 'utf8')).steps;
    expect(b.map((x) => x.step)).toEqual(a.map((x) => x.step));
    expect(b.map((x) => x.loss)).toEqual(a.map((x) => x.loss));
    expect(b.at(-1)!.gradNorm).toEqual(a.at(-1)!.gradNorm);
  });

  it('refuses to resume past the end, a weights-only file, or a change to the network', async () => {
    const ten = at('ten-b.safetensors');
    const made = await cli(['train', ...SMALL, '--set', 'train.optimizer=momentum', '--set', 'model.norm=batch', '--steps', '10', '--save', ten]);
    expect(made.code, made.stderr).toBe(0);
    const cases: [string[], RegExp][] = [
      [['train', '--resume', ten, '--steps', '10'], /at step 10 and train\.steps is 10: nothing to train/],
      [['train', '--resume', ten, '--set', 'model.depth=7', '--steps', '30'], /model\.depth cannot change when resuming \(saved 6\)/],
      [['train', '--resume', ten, '--load', ten], /--load and --resume cannot be used together/],
    ];
    const grads = await cli(['grads', ...SMALL, '--out', at('g.safetensors')]);
    expect(grads.code, grads.stderr).toBe(0);
    cases.push([['train', '--resume', at('g.safetensors')], /holds no training state .* use --load/]);
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim()).toMatch(message);
    }
    // --load takes the weights of a resumable checkpoint and starts a new run.
    const load = await cli(['train', ...SMALL, '--set', 'train.optimizer=momentum', '--set', 'model.norm=batch', '--load', ten, '--steps', '2', '--log', at('load.jsonl')]);
    expect(load.code, load.stderr).toBe(0);
    const loaded = parseRunLog(readFileSync(at('load.jsonl'), 'utf8'));
    expect(loaded.config).toMatchObject({ load: ten });
    expect(loaded.steps[0]!.step).toBe(1);
  });

  it('a bad --log path fails before training; a full disk leaves the older checkpoint whole', async () => {
    const full = await cli(['train', ...SMALL, '--steps', '50', '--log', '/dev/full', '--save', at('never.safetensors')]);
    expect(full.code).toBe(1);
    expect(full.stderr.trim()).toMatch(/^gradscope: --log \/dev\/full: cannot write it \(no space left on the device\)$/);
    expect(full.stdout).toBe('');
    expect(existsSync(at('never.safetensors'))).toBe(false);
    expect(existsSync(at('never.safetensors.partial'))).toBe(false);

    // A full disk, at the moment the checkpoint is written: its partial file leads to /dev/full.
    const old = at('old.safetensors');
    writeFileSync(old, 'the older checkpoint');
    symlinkSync('/dev/full', `${old}.partial`);
    const r = await cli(['train', ...SMALL, '--steps', '2', '--save', old]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim()).toMatch(/^gradscope: --save .*old\.safetensors: cannot write it \(no space left on the device\)$/);
    expect(readFileSync(old, 'utf8')).toBe('the older checkpoint');
    expect(existsSync(`${old}.partial`)).toBe(false);
  });

  it('reports the step a run diverged at whatever the logging stride, and logs nothing past it', async () => {
    // sgd at lr 8 blows this net up within a few steps.
    const opts = [...SMALL, '--set', 'train.lr=8', '--steps', '40'];
    const every1 = await cli(['train', ...opts, '--log', at('d1.jsonl')]);
    const every7 = await cli(['train', ...opts, '--every', '7', '--log', at('d7.jsonl')]);
    for (const r of [every1, every7]) expect(r.code, r.stderr).toBe(0);
    const a = parseRunLog(readFileSync(at('d1.jsonl'), 'utf8'));
    const b = parseRunLog(readFileSync(at('d7.jsonl'), 'utf8'));
    const d = a.summary!.diverged!;
    expect(d.step).toBeLessThan(7);
    expect(a.steps.at(-1)!.step).toBe(d.step);
    expect(a.steps.filter((s) => s.nonFinite)).toHaveLength(1);
    expect(b.summary!.diverged!.step).toBe(d.step);
    expect(b.steps.map((s) => s.step)).toEqual([7]);
    expect(every7.stdout).toContain(`diverged at step ${d.step}:`);
  });

  it('an init that overflows the forward pass is diagnosed as such, with a fix that acts before the first update', async () => {
    const r = await cli(['train', ...SMALL, '--set', 'model.depth=40', '--set', 'model.init.gain=30', '--steps', '5', '--log', at('overflow.jsonl')]);
    expect(r.code, r.stderr).toBe(0);
    const s = parseRunLog(readFileSync(at('overflow.jsonl'), 'utf8')).summary!;
    expect(s.diverged).toMatchObject({ step: 1, phase: 'forward' });
    expect(s.diagnosis.map((x) => x.kind)).toEqual(['forward-overflow']);
    const patch = s.diagnosis[0]!.patch;
    expect(Object.keys(patch)).not.toContain('train.clip.mode');
    expect(Object.keys(patch)).not.toContain('train.lr');
  });
});
