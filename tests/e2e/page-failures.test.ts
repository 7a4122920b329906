import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app, attr, banners, drawnLayers, inApp, setHash, waitFor } from '../helpers/app-page.ts';
import { startPage, type PageSession } from '../helpers/browser.ts';

const SMALL = 'model.width=8&data.samples=256&train.batchSize=32';

describe('the page survives bad input (headless Chromium)', () => {
  let s: PageSession;
  beforeAll(async () => {
    s = await startPage();
  }, 60_000);
  afterAll(() => s?.close());

  it('a refused build keeps the running net, shows it in the controls, says why, and the next edit builds', async () => {
    const page = await s.open(`#model.depth=4&${SMALL}&play=1`);
    await waitFor(page, `Number(${attr('step')}) >= 5`);
    expect(await drawnLayers(page)).toBe(5);
    await setHash(page, '#model.depth=10000&model.width=4096');
    await waitFor(page, `[...document.querySelector('gs-app').shadowRoot.querySelectorAll('.banner')].some((b) => b.textContent.includes('GPU memory'))`);
    await waitFor(page, `${attr('depth')} === '4' && location.hash.includes('model.depth=4')`);
    const refused = await banners(page);
    expect(refused.texts.join(' ')).toMatch(/needs .* of GPU memory.*Not applied: the previous settings keep running/);
    expect(await inApp(page, `return root.querySelector('gs-controls').shadowRoot.querySelector('#model-depth').value;`)).toBe('4');
    expect(await app(page, 'data-status')).toBe('running');
    const step = Number(await app(page, 'data-step'));
    await waitFor(page, `Number(${attr('step')}) > ${step + 8}`);

    await setHash(page, `#model.depth=12&${SMALL}&play=1`);
    await waitFor(page, `Number(${attr('step')}) >= 5 && Number(document.querySelector('gs-app').shadowRoot.querySelector('gs-depth-chart').dataset.points) === 13`);
    expect((await banners(page)).texts.join(' ')).not.toMatch(/GPU memory/);

    // Batch larger than the data, then samples too few for the batch: refused the same way, never sticky.
    for (const bad of [`model.depth=12&${SMALL.replace('batchSize=32', 'batchSize=1024')}`, `model.depth=12&${SMALL.replace('samples=256', 'samples=16')}`]) {
      await setHash(page, `#${bad}`);
      await waitFor(page, `location.hash.includes('train.batchSize=32') && location.hash.includes('data.samples=256')`);
      expect((await banners(page)).texts.join(' ')).toMatch(/train\.batchSize must be/);
    }
    await setHash(page, `#model.depth=6&${SMALL}&play=1`);
    await waitFor(page, `Number(document.querySelector('gs-app').shadowRoot.querySelector('gs-depth-chart').dataset.points) === 7`);
    expect(s.errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('a malformed %-escape is one message; the page becomes ready, applies every other pair, and a good hash trains', async () => {
    for (const bad of ['model.depth=%', 'model.depth=%zz', 'model.depth=%E0%A4%A', 'model.depth=%FF', 'preset=relu-he%']) {
      const page = await s.open(`#${bad}&model.width=12&${SMALL.replace('model.width=8&', '')}`);
      await waitFor(page, `${attr('ready')} === 'true'`);
      const { texts } = await banners(page);
      expect(texts).toHaveLength(1);
      expect(texts[0]).toContain(`${bad} is not a valid %-escape`);
      expect(await inApp(page, `return root.querySelector('gs-controls').shadowRoot.querySelector('#model-width').value;`)).toBe('12');
      if (bad === 'model.depth=%') {
        await setHash(page, `#model.depth=3&${SMALL}&play=1`);
        await waitFor(page, `Number(${attr('step')}) >= 5`);
      }
      await page.close();
    }
    expect(s.errors).toEqual([]);
  }, 120_000);

  it('messages: one per field however many edits, and 10,000 unknown keys show four and a count', async () => {
    const page = await s.open(`#model.depth=3&${SMALL}`);
    await waitFor(page, `${attr('ready')} === 'true'`);
    await inApp(page, `
      const c = root.querySelector('gs-controls').shadowRoot;
      for (let i = 0; i < 60; i++) for (const [id, v] of [['#model-width', 5000 + i], ['#model-depth', -i]]) {
        const input = c.querySelector(id); input.value = String(v); input.dispatchEvent(new Event('change'));
      }`);
    const edits = await banners(page);
    expect(edits.texts).toHaveLength(2);
    expect(edits.texts[0]).toMatch(/model\.width must be .* \(got 5059\)/);
    expect(edits.texts[1]).toMatch(/model\.depth must be .* \(got -59\)/);

    await setHash(page, '#' + Array.from({ length: 10_000 }, (_, i) => `key${i}=1`).join('&'));
    await waitFor(page, `document.querySelector('gs-app').shadowRoot.querySelector('.banner.more')?.dataset.more === '9996'`);
    const many = await banners(page);
    expect(many.texts).toHaveLength(4);
    expect(many.texts[3]).toMatch(/unknown field key9999/);
    expect(await inApp(page, `return root.querySelectorAll('.banner').length;`)).toBe(5);
    await page.close();
  }, 120_000);
});
