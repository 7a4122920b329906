/** The page's side of cifar10: what waits for files, what the messages say, how edits and links treat data.augment, and a build from picked files. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { KernelContext } from '../../src/gpu/context.ts';
import { applyAssignments } from '../../src/model/set-path.ts';
import { defaultConfig, resolveConfig } from '../../src/model/config.ts';
import { CIFAR10_HELP, CIFAR10_URL, parseCifar10 } from '../../src/train/data/cifar10.ts';
import { engineOn } from '../../src/train/engine.ts';
import { RunController } from '../../src/ui/session/run-controller.ts';
import { CIFAR10_PAGE_HELP, describeCifar10, pageMessage } from '../../src/ui/cifar10/read-cifar10.ts';
import { FIELD_GROUPS } from '../../src/ui/gs-controls/fields.ts';
import { cifar10Wait } from '../../src/ui/state/cifar10-state.ts';
import { applyEdit, applyEdits } from '../../src/ui/state/edit.ts';
import { parseHash, toHash } from '../../src/ui/state/url-state.ts';
import { tinyCifar10 } from '../helpers/cifar10.ts';
import { testContext } from '../helpers/gpu.ts';
import { nodeFrames } from '../helpers/live-buffers.ts';

const page = (hash: string) => parseHash(hash).state;

describe('cifar10 in the page', () => {
  it('waits for the files: the message names every file, the archive and where to get it', () => {
    const link = page('#data.name=cifar10&data.augment=crop-flip&model.depth=3');
    expect(link.config.data).toMatchObject({ name: 'cifar10', path: null, augment: 'crop-flip' });
    const note = cifar10Wait(link, false);
    expect(note?.field).toBe('data.path');
    for (const part of ['test_batch.bin', 'data_batch_1.bin', 'data_batch_5.bin', 'cifar-10-binary.tar.gz', CIFAR10_URL, 'never uploaded', '"CIFAR-10 files"']) expect(note?.text).toContain(part);
    expect(cifar10Wait(link, true)).toBeNull();
    expect(cifar10Wait(page('#model.depth=3'), false)).toBeNull();
    // Run B alone on cifar10 waits too.
    expect(cifar10Wait(page('#b.data.name=cifar10'), false)?.field).toBe('data.path');
  });

  it("says the parser's problems in the page's words: pick files, not set data.path", () => {
    expect(() => parseCifar10([{ name: 'test_batch.bin', bytes: new Uint8Array(3073) }])).toThrow(CIFAR10_HELP);
    try {
      parseCifar10([{ name: 'test_batch.bin', bytes: new Uint8Array(3073) }]);
    } catch (e) {
      const text = pageMessage((e as Error).message);
      expect(text).toMatch(/^data\.path: no training batch among the files given \(test_batch\.bin\)/);
      expect(text).toContain(CIFAR10_PAGE_HELP);
      expect(text).not.toContain('set data.path');
    }
    const data = parseCifar10(tinyCifar10(2, 3));
    expect(describeCifar10({ names: ['data_batch_1.bin', 'test_batch.bin'], data })).toBe('10 training and 3 test images from data_batch_1.bin, test_batch.bin');
  });

  it('keeps data.augment in the link beside data.name, in either order, and drops it when leaving cifar10', () => {
    const s = page('#data.augment=crop-flip&data.name=cifar10');
    expect(s.config.data.augment).toBe('crop-flip');
    expect(toHash(s)).toBe('#data.name=cifar10&data.augment=crop-flip');
    const off = applyEdit(s, 'data.name', 'spiral');
    expect(off.ok && off.state.config.data).toMatchObject({ name: 'spiral', augment: 'none', path: null });
    expect(applyEdit(page(''), 'data.augment', 'crop-flip').ok).toBe(false);
    expect(applyEdits(page(''), ['data.name=cifar10', 'data.augment=crop-flip']).ok).toBe(true);
    // Switching the architecture brings its data set (shapes for a resnet) and turns augmentation off with it.
    expect(applyAssignments(s.config, ['model.arch=resnet']).data).toMatchObject({ name: 'shapes', augment: 'none' });
    expect(applyAssignments(s.config, ['model.arch=resnet', 'data.name=cifar10', 'data.augment=crop-flip']).data).toMatchObject({ name: 'cifar10', augment: 'crop-flip' });
  });

  it('shows the augment select for cifar10 only, and hides samples, noise and test fraction there', () => {
    const data = FIELD_GROUPS.find((g) => g.title === 'Data')!.fields;
    const shown = (name: string) => {
      const c = resolveConfig({ data: { name } });
      const get = (p: string) => p.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], c);
      return data.filter((f) => !f.when || f.when(get)).map((f) => f.path);
    };
    expect(shown('cifar10')).toEqual(['data.name', 'data.augment', 'seed']);
    expect(shown('spiral')).toEqual(['data.name', 'data.noise', 'data.samples', 'data.testFraction', 'seed']);
    // The sequence tasks take a length and have no noise; MNIST has none either.
    expect(shown('adding')).toEqual(['data.name', 'data.length', 'data.samples', 'data.testFraction', 'seed']);
    expect(shown('mnist')).toEqual(['data.name', 'data.samples', 'data.testFraction', 'seed']);
    expect(data.find((f) => f.path === 'data.augment')!.widget).toEqual({ kind: 'select', options: ['none', 'crop-flip'] });
  });

  describe('on a device', () => {
    let ctx: KernelContext;
    beforeAll(async () => {
      nodeFrames();
      ctx = await testContext();
    });

    it('builds A and B from the picked batches (B augmented), and trains both', async () => {
      const listener = { record: () => {}, test: () => {}, status: () => {}, rebuilt: () => {}, boundary: () => {} };
      const c = new RunController(engineOn(ctx.gpu), listener);
      const a = resolveConfig({ data: { name: 'cifar10' }, model: { depth: 2, width: 8 }, train: { batchSize: 8 } });
      const b = applyAssignments(a, ['data.augment=crop-flip']);
      expect(await c.load(a, b, { cifar10: parseCifar10(tinyCifar10(4, 6)) })).toBe('built');
      expect(c.data?.bytes && [c.data.train.n, c.data.test.n]).toEqual([20, 6]);
      expect(c.trainer('B')!.net.plan.index[0]!.bytes).toBe(9 * 4);
      // Without the files the build is refused with the message of the missing data, and what ran keeps running.
      await expect(c.load(defaultConfig(), applyAssignments(defaultConfig(), ['data.name=cifar10']))).rejects.toThrow(/data\.path: no files were picked/);
      expect(c.trainer('A')!.config.data.name).toBe('cifar10');
      c.stepOnce();
      for (let t = 0; c.trainer('B')!.step < 1 && t < 2000; t++) await new Promise((r) => setTimeout(r, 5));
      expect([c.trainer('A')!.step, c.trainer('B')!.step]).toEqual([1, 1]);
      expect((await c.trainer('B')!.evaluate())?.samples).toBe(6);
      c.destroy();
    });
  });
});
