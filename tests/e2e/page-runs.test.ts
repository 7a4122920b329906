import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app, attr, inApp, setHash, waitFor } from '../helpers/app-page.ts';
import { startPage, type PageSession } from '../helpers/browser.ts';

const SMALL = 'model.depth=4&model.width=8&data.samples=256&train.batchSize=32';

/** The heatmap's step span as its aria-label says it ("… steps 1–120"). */
async function heatmapSteps(page: Page, run = 'A'): Promise<[number, number] | null> {
  const label = await inApp<string>(page, `return root.querySelector('gs-heatmap[data-run="${run}"]').getAttribute('aria-label');`);
  const m = /steps (\d+)–(\d+)/.exec(label);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** Wait until the heatmap has drawn (and labelled) this step span. */
async function heatmapShows(page: Page, first: number, last: number): Promise<void> {
  await waitFor(page, `document.querySelector('gs-app').shadowRoot.querySelector('gs-heatmap[data-run="A"]').getAttribute('aria-label').includes('steps ${first}–${last}')`, 10_000);
}

/** Puppeteer's downloads replaced by a capture of each file's name and text. */
async function captureDownloads(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { downloads: { name: string; text: string }[] };
    w.downloads = [];
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      void fetch(this.href).then((r) => r.text()).then((text) => w.downloads.push({ name: this.download, text }));
    };
  });
}

describe('a run on the page: its length, its history and its log (headless Chromium)', () => {
  let s: PageSession;
  beforeAll(async () => {
    s = await startPage();
  }, 60_000);
  afterAll(() => s?.close());

  it('stops at train.steps with status done; Continue trains train.steps more; the log says its stride', async () => {
    const page = await s.open(`#${SMALL}&train.steps=40&play=1`);
    await waitFor(page, `${attr('status')} === 'done'`);
    expect(await app(page, 'data-step')).toBe('40');
    const button = `root.querySelector('gs-controls').shadowRoot.querySelector('[data-action="play"]')`;
    expect(await inApp<string>(page, `return ${button}.textContent.trim();`)).toBe('Continue +40');
    expect(await inApp<string>(page, `return root.querySelector('gs-controls').shadowRoot.querySelector('[data-stride]').dataset.stride;`)).toBe('4');
    // The whole run is in the heatmap, from its first record.
    await heatmapShows(page, 1, 40);

    await captureDownloads(page);
    await inApp(page, `root.querySelector('[data-export="jsonl"]').click();`);
    await waitFor(page, `window.downloads.length === 1`);
    const text = await page.evaluate(() => (window as unknown as { downloads: { text: string }[] }).downloads[0]!.text);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { type: string; step?: number; config?: { log: { every: number } } });
    expect(lines[0]!.config!.log.every).toBe(4);
    expect(lines.slice(1).map((l) => l.step)).toEqual([4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);

    await inApp(page, `${button}.click();`);
    await waitFor(page, `${attr('status')} === 'done' && ${attr('step')} === '80'`);
    await heatmapShows(page, 1, 80);
    await page.close();
  }, 120_000);

  it('a run longer than the plot is wide stays whole: columns merge, and hover reads the steps a column covers', async () => {
    const page = await s.open(`#${SMALL}&train.steps=160`);
    await waitFor(page, `${attr('ready')} === 'true'`);
    await inApp(page, `root.querySelector('gs-heatmap[data-run="A"]').maxColumns = 16;`);
    await page.keyboard.press('Space');
    await waitFor(page, `${attr('status')} === 'done'`);
    const cols = Number(await inApp<string>(page, `return root.querySelector('gs-heatmap[data-run="A"]').dataset.columns;`));
    expect(cols).toBeGreaterThan(4);
    expect(cols).toBeLessThanOrEqual(16);
    await heatmapShows(page, 1, 160);
    const tip = await inApp<string>(page, `
      const h = root.querySelector('gs-heatmap[data-run="A"]');
      const c = h.shadowRoot.querySelector('canvas').getBoundingClientRect();
      h.shadowRoot.querySelector('canvas').dispatchEvent(new PointerEvent('pointermove', { clientX: c.left + 1, clientY: c.top + c.height / 2, bubbles: true }));
      return new Promise((ok) => requestAnimationFrame(() => ok(h.shadowRoot.querySelector('.tip')?.textContent ?? '')));`);
    expect(tip).toMatch(/ · steps 1–\d+ · max /);
    await page.close();
  }, 120_000);

  it('slow motion trains one step every few frames and records each step', async () => {
    const page = await s.open(`#${SMALL}&train.steps=12`);
    await waitFor(page, `${attr('ready')} === 'true'`);
    await inApp(page, `const r = root.querySelector('gs-controls').shadowRoot.querySelector('.speed input'); r.value = '1'; r.dispatchEvent(new Event('input'));`);
    const text = await inApp<string>(page, `return root.querySelector('gs-controls').shadowRoot.querySelector('.speed output').textContent;`);
    expect(text).toBe('1/4');
    await page.keyboard.press('Space');
    await waitFor(page, `${attr('status')} === 'done'`);
    // The last record reaches the chart after the run says done (its read-back lands a frame or two later).
    await waitFor(page, `Number(document.querySelector('gs-app').shadowRoot.querySelector('gs-loss-chart').dataset.points) >= 12`, 10_000);
    const points = await inApp<string>(page, `return root.querySelector('gs-loss-chart').dataset.points;`);
    expect(points).toBe('12');
    await page.close();
  }, 120_000);

  it('after a reset nothing of the old run reaches a view: the heatmap and the depth chart start at step 1', async () => {
    const page = await s.open(`#${SMALL}&train.steps=100000&play=1`);
    await waitFor(page, `Number(${attr('step')}) >= 60`);
    // Reset and play in one go, while the old run's records are still on their way back.
    await page.evaluate(() => {
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'r' }));
      window.dispatchEvent(new KeyboardEvent('keydown', { key: ' ' }));
    });
    await waitFor(page, `${attr('status')} === 'running' && Number(${attr('step')}) >= 12`);
    await page.keyboard.press('Space');
    await waitFor(page, `${attr('status')} === 'paused'`);
    await new Promise((r) => setTimeout(r, 500));
    const step = Number(await app(page, 'data-step'));
    await heatmapShows(page, 1, step);
    const depth = await inApp<string>(page, `return root.querySelector('gs-depth-chart').getAttribute('aria-label');`);
    expect(depth).toMatch(new RegExp(`at step ${step}: .*; at step 1: `));
    expect(Number(await inApp<string>(page, `return root.querySelector('gs-loss-chart').dataset.points;`))).toBeLessThanOrEqual(Math.ceil(step / 4) + 1);
    await setHash(page, `#${SMALL}&model.depth=5&play=1`);
    await waitFor(page, `Number(document.querySelector('gs-app').shadowRoot.querySelector('gs-depth-chart').dataset.points) === 6`);
    expect((await heatmapSteps(page))?.[0]).toBe(1);
    await page.close();
  }, 120_000);
});
