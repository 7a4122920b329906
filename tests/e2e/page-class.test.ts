import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPage, type PageSession } from '../helpers/browser.ts';

// For a class and for comparison: the presenter view, compare mode everywhere, and the exports.

const SMALL_COMPARE = 'preset=plain-vs-residual-100&model.depth=10&model.width=16&train.batchSize=32&data.samples=256';

async function waitFor(page: Page, fn: string, timeout = 60_000): Promise<void> {
  await page.waitForFunction(fn, { timeout, polling: 100 });
}

const inApp = <T>(page: Page, fn: string): Promise<T> => page.evaluate(`(() => { const root = document.querySelector('gs-app').shadowRoot; ${fn} })()`) as Promise<T>;
const attr = (name: string) => `document.querySelector('gs-app')?.dataset.${name}`;

interface Download {
  name: string;
  size: number;
  /** The first bytes as text (a run log's config line), or a PNG's width and height. */
  head: string;
  png: [number, number] | null;
}

/** Downloads go to window.downloads instead of the disk. */
async function catchDownloads(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { downloads: unknown[] };
    w.downloads = [];
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      void fetch(this.href)
        .then((r) => r.arrayBuffer())
        .then((b) => {
          const bytes = new Uint8Array(b);
          const isPng = bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
          const view = new DataView(b);
          w.downloads.push({
            name: this.download,
            size: b.byteLength,
            head: new TextDecoder().decode(bytes.slice(0, 20_000)),
            png: isPng ? [view.getUint32(16), view.getUint32(20)] : null,
          });
        });
    };
  });
}

async function exportOne(page: Page, selector: string): Promise<Download> {
  const before = await page.evaluate(() => (window as unknown as { downloads: unknown[] }).downloads.length);
  await inApp(page, `root.querySelector('${selector}').click();`);
  await waitFor(page, `window.downloads.length === ${before + 1}`);
  return page.evaluate((i) => (window as unknown as { downloads: Download[] }).downloads[i]!, before);
}

describe('for a class and for comparison (headless Chromium)', () => {
  let s: PageSession;
  beforeAll(async () => {
    s = await startPage();
  }, 60_000);
  afterAll(() => s?.close());

  it('compare mode says what run B changes and shows B in every view, in the link and in every export', async () => {
    const page = await s.open(`#${SMALL_COMPARE}&play=1`, (p) => p.setViewport({ width: 1280, height: 900 }));
    await waitFor(page, `Number(${attr('step')}) >= 12`);
    expect(await inApp<string>(page, `return root.querySelector('[data-compare-what]').textContent.trim();`)).toBe(
      'Run B is run A with model.residual=identity, model.init.gain=0.1.',
    );
    const hash = await page.evaluate(() => location.hash);
    expect(hash).toContain('b.model.residual=identity');
    expect(hash).toContain('b.model.init.gain=0.1');

    // The depth chart and the loss chart carry run B; B has its own decision boundary and diagnosis.
    await waitFor(page, `document.querySelector('gs-app').shadowRoot.querySelector('gs-depth-chart').getAttribute('aria-label').includes('run B at step')`);
    await waitFor(page, `document.querySelector('gs-app').shadowRoot.querySelector('gs-loss-chart').getAttribute('aria-label').includes('run B training accuracy')`);
    await waitFor(page, `Number(document.querySelector('gs-app').shadowRoot.querySelector('gs-boundary[data-run="B"]')?.dataset.drawn) >= 1`);
    await waitFor(page, `document.querySelector('gs-app').shadowRoot.querySelector('gs-diagnosis[data-run="B"]').items.length > 0`);
    // Run B's diagnosis offers no "compare with the fix" (that would replace B itself).
    expect(await inApp<number>(page, `return root.querySelector('gs-diagnosis[data-run="B"]').shadowRoot.querySelectorAll('button').length;`)).toBe(0);
    // At 1280 px the heatmaps are wide enough to read: A and B side by side, the ratio below across both.
    const boxes = await inApp<{ top: number; width: number }[]>(
      page,
      `return ['A', 'B', 'ratio'].map((r) => { const b = root.querySelector('gs-heatmap[data-run="' + r + '"]').getBoundingClientRect(); return { top: b.top, width: b.width }; });`,
    );
    const widths = boxes.map((b) => b.width);
    expect(boxes[0]!.top).toBe(boxes[1]!.top);
    expect(boxes[2]!.top).toBeGreaterThan(boxes[0]!.top);
    expect(widths[0]).toBeGreaterThan(300);
    expect(widths[2]).toBeGreaterThan(1.8 * widths[0]!);

    await page.keyboard.press('Space');
    await waitFor(page, `${attr('status')} === 'paused'`);
    await catchDownloads(page);
    const logB = await exportOne(page, '[data-export="jsonl"][data-run="B"]');
    expect(logB.name).toBe('gradscope-run-B.jsonl');
    expect(JSON.parse(logB.head.split('\n')[0]!).config.model).toMatchObject({ residual: 'identity', init: { gain: 0.1 } });
    const logA = await exportOne(page, '[data-export="jsonl"][data-run="A"]');
    expect(logA.name).toBe('gradscope-run-A.jsonl');
    expect(JSON.parse(logA.head.split('\n')[0]!).config.model).toMatchObject({ residual: 'none' });
    const weightsB = await exportOne(page, '[data-export="safetensors"][data-run="B"]');
    expect(weightsB.name).toBe('gradscope-weights-B.safetensors');
    // The config rides in the safetensors header's __metadata__, as a JSON string.
    expect(weightsB.head).toMatch(/\\"residual\\":\\"identity\\"/);
    // One figure holds A, B and the ratio.
    const png = await exportOne(page, '[data-export="png"]');
    const plotW = await inApp<number>(page, `return root.querySelector('gs-heatmap[data-run="A"]').shadowRoot.querySelector('canvas').getBoundingClientRect().width;`);
    expect(png.png![0]).toBeGreaterThan(2 * (2 * plotW + widths[2]! - 200));

    // The link alone brings run B back.
    const again = await s.open(hash);
    await waitFor(again, `${attr('ready')} === 'true' && ${attr('compare')} === 'true'`);
    expect(await inApp<string>(again, `return root.querySelector('[data-compare-what]').textContent.trim();`)).toBe(
      'Run B is run A with model.residual=identity, model.init.gain=0.1.',
    );
    await again.close();
    await page.close();
  }, 180_000);

  it('the heatmap PNG is drawn at 2× with a title, the settings and the legend', async () => {
    const page = await s.open('#preset=dying-relu&model.width=16&data.samples=256&train.batchSize=32&play=1');
    await waitFor(page, `Number(${attr('step')}) >= 8`);
    await page.keyboard.press('Space');
    await catchDownloads(page);
    const png = await exportOne(page, '[data-export="png"]');
    expect(png.name).toBe('gradscope-heatmap.png');
    const plot = await inApp<{ width: number; height: number }>(page, `const r = root.querySelector('gs-heatmap[data-run="A"]').shadowRoot.querySelector('canvas').getBoundingClientRect(); return { width: r.width, height: r.height };`);
    const [w, h] = png.png!;
    // 2×: the plot alone is twice its on-screen size; axis labels, legend, title and settings add to it.
    expect(w).toBeGreaterThan(2 * plot.width + 2 * 150);
    expect(h).toBeGreaterThan(2 * plot.height + 2 * 40);
    await page.close();
  }, 120_000);

  it('the presenter view puts the lesson, what to look for, the heatmap and the depth chart on one 1920×1080 screen in large type', async () => {
    const page = await s.open('#preset=dying-relu&model.width=16&data.samples=256&train.batchSize=32&present=1', (p) => p.setViewport({ width: 1920, height: 1080 }));
    await waitFor(page, `${attr('ready')} === 'true' && document.querySelector('gs-app').hasAttribute('present')`);
    await page.keyboard.press('Space');
    await waitFor(page, `Number(${attr('step')}) >= 4`);
    const layout = await inApp<Record<string, { bottom: number; right: number; font: number }>>(
      page,
      `const box = (sel) => { const e = root.querySelector(sel); const r = e.getBoundingClientRect(); return { bottom: r.bottom, right: r.right, font: parseFloat(getComputedStyle(e).fontSize) }; };
       return { title: box('.lesson-title'), look: box('.look-for'), heatmap: box('gs-heatmap[data-run="A"]'), depth: box('gs-depth-chart'), help: box('.statistic-help'), aside: box('aside') };`,
    );
    for (const k of ['title', 'look', 'heatmap', 'depth'] as const) {
      expect(layout[k]!.bottom, k).toBeLessThanOrEqual(1080);
      expect(layout[k]!.right, k).toBeLessThanOrEqual(1920);
    }
    expect(layout.look!.font).toBeGreaterThanOrEqual(20);
    expect(layout.help!.font).toBeGreaterThanOrEqual(20);
    expect(layout.heatmap!.font).toBeGreaterThanOrEqual(16);
    expect(layout.aside!.bottom).toBe(0); // the settings step aside
    const chartFont = await inApp<string>(page, `return getComputedStyle(root.querySelector('gs-depth-chart')).getPropertyValue('--gs-chart-font-size').trim();`);
    expect(parseFloat(chartFont)).toBeGreaterThanOrEqual(16);

    // Esc leaves the presenter view and the link forgets it; the button brings it back.
    await page.keyboard.press('Escape');
    await waitFor(page, `!document.querySelector('gs-app').hasAttribute('present') && !location.hash.includes('present=1')`);
    await inApp(page, `root.querySelector('[data-present-toggle]').click();`);
    await waitFor(page, `document.querySelector('gs-app').hasAttribute('present') && location.hash.includes('present=1')`);
    expect(s.errors).toEqual([]);
    await page.close();
  }, 120_000);
});
