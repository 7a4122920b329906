/** `gradscope train` on the user's own CIFAR-10 folder (a tiny one written here), and what it says when the folder is not there. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunLog } from '../../src/io/jsonl.ts';
import { CIFAR10_URL } from '../../src/train/data/cifar10.ts';
import { tinyCifar10, writeCifar10Dir } from '../helpers/cifar10.ts';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gradscope-cifar10-'));
const data = writeCifar10Dir(join(dir, 'cifar-10-batches-bin'), tinyCifar10(4, 6));
const RESNET8 = ['--set', 'model.arch=resnet', '--set', 'model.depth=8', '--set', 'model.width=4', '--set', 'data.name=cifar10', '--set', 'train.batchSize=8'];

/** One line on stderr, exit 1, matching every pattern. */
function expectRefusal(r: { code: number; stderr: string }, ...patterns: RegExp[]): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  for (const p of patterns) expect(r.stderr).toMatch(p);
}

describe('gradscope train on cifar10', () => {
  for (const augment of ['none', 'crop-flip']) {
    it(`trains ResNet-8 for 3 steps from the folder (data.augment=${augment}), evaluating on test_batch.bin`, async () => {
      const log = join(dir, `${augment}.jsonl`);
      // The folder it was extracted into works too: the reader looks for cifar-10-batches-bin inside.
      const r = await cli(['train', ...RESNET8, '--set', `data.path=${dir}`, '--set', `data.augment=${augment}`, '--steps', '3', '--log', log]);
      expect(r.code, r.stderr).toBe(0);
      const run = parseRunLog(readFileSync(log, 'utf8'));
      expect(run.config.config).toMatchObject({ data: { name: 'cifar10', augment }, model: { arch: 'resnet', depth: 8 } });
      expect((run.config as unknown as { dataset: unknown }).dataset).toEqual({ name: 'cifar10', task: 'classification', inputDim: 3072, outputDim: 10, train: 20, test: 6 });
      expect(run.steps.map((s) => s.step)).toEqual([1, 2, 3]);
      expect(run.steps.every((s) => Number.isFinite(s.loss))).toBe(true);
      expect(run.summary?.testAccuracy).not.toBeNull();
    });
  }

  it('a missing folder is exit 1, naming the path and where to get the files', async () => {
    const missing = join(dir, 'nope');
    expectRefusal(await cli(['train', ...RESNET8, '--set', `data.path=${missing}`, '--steps', '1']), new RegExp(`data\\.path: "${missing}" does not exist`), new RegExp(CIFAR10_URL.replace(/[.~/]/g, '\\$&')));
  });

  it('no data.path at all is exit 1, saying what to download', async () => {
    expectRefusal(await cli(['train', '--set', 'data.name=cifar10', '--steps', '1']), /data\.path must be the folder of the CIFAR-10 binary batches when data\.name is cifar10 \(got null\)/, /cifar-10-binary\.tar\.gz/);
  });

  it('data.augment on spiral is refused by field', async () => {
    expectRefusal(await cli(['train', '--set', 'data.augment=crop-flip', '--steps', '1']), /^gradscope: data\.augment must be none unless data\.name is cifar10 \(got crop-flip; data\.name is spiral\)/);
  });
});
