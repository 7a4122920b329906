import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ElementHandle, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIFAR10_URL } from '../../src/train/data/cifar10.ts';
import { attr, banners, inApp, waitFor } from '../helpers/app-page.ts';
import { startPage, type PageSession } from '../helpers/browser.ts';
import { tinyCifar10, writeCifar10Dir } from '../helpers/cifar10.ts';

const NET = 'model.depth=2&model.width=8&train.batchSize=8';

async function pick(page: Page, paths: string[]): Promise<void> {
  const input = (await page.evaluateHandle(() =>
    document.querySelector('gs-app')!.shadowRoot!.querySelector('gs-controls')!.shadowRoot!.querySelector('#cifar10'),
  )) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(...paths);
}

const controls = (js: string) => `const c = root.querySelector('gs-controls').shadowRoot; ${js}`;

describe('CIFAR-10 from files picked in the page (headless Chromium)', () => {
  let s: PageSession;
  let dir: string;
  let files: string[];
  beforeAll(async () => {
    s = await startPage();
    dir = mkdtempSync(join(tmpdir(), 'gs-cifar10-'));
    const written = tinyCifar10(4, 6);
    writeCifar10Dir(dir, written);
    files = written.map((f) => join(dir, f.name));
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a cifar10 link says which files to pick and where to get them; picking them trains, and crop-flip is one select away', async () => {
    const page = await s.open(`#data.name=cifar10&${NET}`);
    await waitFor(page, `${attr('ready')} === 'true' && ${attr('cifar10')} === 'missing'`);
    const said = (await banners(page)).texts.join(' ');
    for (const part of ['test_batch.bin', 'data_batch_1.bin', CIFAR10_URL, 'never uploaded']) expect(said).toContain(part);
    expect(await inApp<string>(page, controls(`return c.querySelector('[data-cifar10-help]').textContent;`))).toContain(CIFAR10_URL);
    expect(await inApp<string>(page, controls(`return c.querySelector('#data-name').value;`))).toBe('cifar10');

    await pick(page, files);
    await waitFor(page, `${attr('cifar10')} === 'ready' && Number(${attr('builds')}) >= 1`);
    expect((await banners(page)).texts).toEqual([]);
    expect(await inApp<string>(page, controls(`return c.querySelector('[data-cifar10-help]').textContent;`))).toBe(
      '20 training and 6 test images from data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin',
    );
    await page.keyboard.press('Space');
    await waitFor(page, `Number(${attr('step')}) >= 4`);

    const builds = Number(await page.$eval('gs-app', (e) => (e as HTMLElement).dataset.builds));
    await inApp(page, controls(`const sel = c.querySelector('#data-augment'); sel.value = 'crop-flip'; sel.dispatchEvent(new Event('change'));`));
    // The rebuild starts over at step 0 and keeps running.
    await waitFor(page, `Number(${attr('builds')}) > ${builds} && location.hash.includes('data.augment=crop-flip')`);
    await waitFor(page, `Number(${attr('step')}) >= 4 && ${attr('status')} === 'running'`);
    expect(s.errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('files that are not the batches are refused with the page’s words, and nothing runs until the right ones come', async () => {
    const page = await s.open(`#data.name=cifar10&${NET}`);
    await waitFor(page, `${attr('ready')} === 'true' && ${attr('cifar10')} === 'missing'`);
    await pick(page, files.filter((f) => !f.endsWith('test_batch.bin')));
    await waitFor(page, `${attr('cifar10')} === 'refused'`);
    const said = (await banners(page)).texts.join(' ');
    expect(said).toMatch(/data\.path: no test_batch\.bin among the files given/);
    expect(said).not.toContain('set data.path');
    expect(await page.$eval('gs-app', (e) => (e as HTMLElement).dataset.builds ?? '0')).toBe('0');
    await page.close();
  }, 120_000);
});
