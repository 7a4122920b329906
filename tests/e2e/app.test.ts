import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPage, type PageSession } from '../helpers/browser.ts';

const SMALL = 'model.depth=8&model.width=16&data.samples=256&train.batchSize=32';

/** Wait until gs-app reports a status (and optionally a step) matching the predicate. */
async function waitFor(page: Page, fn: string, timeout = 60_000): Promise<void> {
  await page.waitForFunction(fn, { timeout, polling: 100 });
}

const app = (page: Page, attr: string) => page.$eval('gs-app', (e, a) => e.getAttribute(a), attr);
const inApp = <T>(page: Page, fn: string): Promise<T> => page.evaluate(`(() => { const root = document.querySelector('gs-app').shadowRoot; ${fn} })()`) as Promise<T>;

describe('the playground in headless Chromium (SwiftShader WebGPU)', () => {
  let s: PageSession;
  beforeAll(async () => {
    s = await startPage();
  }, 60_000);
  afterAll(() => s?.close());

  it('loads with no console errors and a hash with play=1 trains: data-step advances and the heatmap fills', async () => {
    const page = await s.open(`#${SMALL}&play=1`);
    await waitFor(page, `Number(document.querySelector('gs-app')?.dataset.step) >= 20`);
    expect(await app(page, 'data-status')).toBe('running');
    const colors = await inApp<number>(page, `return root.querySelector('gs-heatmap[data-run="A"]').distinctColors();`);
    expect(colors).toBeGreaterThan(1);
    const points = await inApp<number[]>(page, `return ['gs-depth-chart', 'gs-loss-chart'].map((t) => Number(root.querySelector(t).getAttribute('data-points')));`);
    expect(points.every((p) => p > 0)).toBe(true);
    // Chromium's SwiftShader adapter offers timestamp queries: the toolbar says where the step's GPU time went.
    await waitFor(page, `!!document.querySelector('gs-app').shadowRoot.querySelector('[data-phases]')`);
    expect(await inApp<string>(page, `return root.querySelector('[data-phases]').textContent;`)).toMatch(/backward \d+%/);
    // Spiral is 2-D: the decision boundary is drawn a few times a second while training runs.
    await waitFor(page, `Number(document.querySelector('gs-app').shadowRoot.querySelector('gs-boundary')?.dataset.drawn) >= 2`);
    expect(s.errors).toEqual([]);
    await page.close();
  });

  it('changing depth in the controls rebuilds the net', async () => {
    const page = await s.open(`#${SMALL}`);
    await waitFor(page, `document.querySelector('gs-app')?.dataset.ready === 'true' && document.querySelector('gs-app')?.dataset.depth === '8'`);
    await inApp(page, `const c = root.querySelector('gs-controls').shadowRoot.querySelector('#model-depth'); c.value = '12'; c.dispatchEvent(new Event('change'));`);
    await waitFor(page, `document.querySelector('gs-app')?.dataset.depth === '12' && location.hash.includes('model.depth=12')`);
    await page.keyboard.press('Space');
    await waitFor(page, `Number(document.querySelector('gs-app')?.dataset.step) >= 5`);
    await page.close();
  });

  it('a bad hash value shows a message naming it, and training still works', async () => {
    const page = await s.open(`#${SMALL}&model.width=99999&play=1`);
    await waitFor(page, `Number(document.querySelector('gs-app')?.dataset.step) >= 5`);
    const text = await inApp<string>(page, `return [...root.querySelectorAll('.banner')].map((b) => b.textContent).join(' ');`);
    expect(text).toMatch(/model\.width must be an integer from 1 to 4096 \(got 99999\)/);
    await page.close();
  });

  it('compare mode trains two nets side by side', async () => {
    const page = await s.open(`#preset=plain-vs-residual-100&model.depth=10&model.width=16&train.batchSize=32&data.samples=256&play=1`);
    await waitFor(page, `Number(document.querySelector('gs-app')?.dataset.step) >= 10`);
    expect(await app(page, 'data-compare')).toBe('true');
    const cols = await inApp<number[]>(page, `return ['A', 'B', 'ratio'].map((r) => Number(root.querySelector('gs-heatmap[data-run="' + r + '"]').dataset.columns));`);
    expect(cols.every((c) => c > 0)).toBe(true);
    await page.close();
  });

  it('statistics are named in words with a line on what each measures, and norm clipping shows its clip scale', async () => {
    const page = await s.open(`#${SMALL}&train.clip.mode=norm&train.clip.max=0.001&play=1`);
    await waitFor(page, `!!document.querySelector('gs-app').shadowRoot.querySelector('[data-clip-scale]')`);
    const options = await inApp<{ value: string; text: string; title: string }[]>(
      page,
      `return [...root.querySelectorAll('select[data-statistic] option')].map((o) => ({ value: o.value, text: o.textContent.trim(), title: o.title }));`,
    );
    expect(options.map((o) => o.value)).toEqual(['gradNorm', 'deltaNorm', 'updateRatio', 'actStd', 'saturated', 'dead']);
    expect(options.map((o) => o.text)).toEqual(['Weight gradient', 'Backward signal', 'Update size', 'Activation spread', 'Saturated units', 'Dead units']);
    expect(options.every((o) => o.title.length > 40)).toBe(true);
    await inApp(page, `const s = root.querySelector('select[data-statistic]'); s.value = 'dead'; s.dispatchEvent(new Event('change'));`);
    await waitFor(page, `document.querySelector('gs-app').shadowRoot.querySelector('[data-statistic-help]').textContent.includes('ReLU units')`);
    const clip = await inApp<{ scale: number; text: string }>(page, `const c = root.querySelector('[data-clip-scale]'); return { scale: Number(c.dataset.clipScale), text: c.textContent };`);
    expect(clip.scale).toBeGreaterThan(0);
    expect(clip.scale).toBeLessThan(1);
    expect(clip.text).toMatch(/clip scale [\d.e-]+ \(scaled down to 0\.001\)/);
    await page.close();
  });

  it('an MLP trains on a sequence task from the URL, with its length among the controls and no noise', async () => {
    const page = await s.open('#data.name=adding&data.length=10&model.depth=3&model.width=16&data.samples=256&train.batchSize=32&train.steps=5&play=1');
    await waitFor(page, `document.querySelector('gs-app')?.dataset.status === 'done'`);
    const controls = await inApp<{ length: string; noise: boolean }>(page, `const c = root.querySelector('gs-controls').shadowRoot;
      return { length: c.querySelector('#data-length')?.value ?? '', noise: !!c.querySelector('#data-noise') };`);
    expect(controls).toEqual({ length: '10', noise: false });
    expect(s.errors).toEqual([]);
    await page.close();
  });

  it('a lesson loads its preset', async () => {
    const page = await s.open('');
    await waitFor(page, `document.querySelector('gs-app')?.dataset.ready === 'true'`);
    await inApp(page, `root.querySelector('gs-lessons').shadowRoot.querySelector('[data-lesson="sigmoid-deep"]').click();`);
    await waitFor(page, `location.hash.includes('preset=sigmoid-deep')`);
    await page.close();
  });

  it('a browser without WebGPU gets a page that says which browsers and flags give it', async () => {
    const errorsBefore = s.errors.length;
    const page = await s.open('', (p) => p.evaluateOnNewDocument(() => delete (Navigator.prototype as { gpu?: unknown }).gpu));
    await waitFor(page, `document.querySelector('gs-app')?.dataset.status === 'error'`);
    const text = await inApp<string>(page, `return root.querySelector('.fatal')?.textContent ?? '';`);
    expect(text).toMatch(/needs WebGPU/);
    expect(text).toMatch(/Chrome|Edge|Safari|Firefox/);
    expect(s.errors.length).toBe(errorsBefore);
    await page.close();
  });

  it('a 1,000-layer net builds and trains, and a key press still pauses it within a second', async () => {
    const page = await s.open('#model.depth=1000&model.width=8&train.batchSize=16&data.samples=128&play=1');
    await waitFor(page, `Number(document.querySelector('gs-app')?.dataset.step) >= 1`, 120_000);
    const ms = await page.evaluate(async () => {
      const app = document.querySelector('gs-app')!;
      const t0 = performance.now();
      window.dispatchEvent(new KeyboardEvent('keydown', { key: ' ' }));
      while (app.dataset.status !== 'paused') await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - t0;
    });
    expect(ms).toBeLessThan(1000);
    await page.close();
  });

  it('a lost GPU device shows a message and a restart that keeps every setting', async () => {
    const page = await s.open(`#${SMALL}&model.activation=tanh`);
    await waitFor(page, `document.querySelector('gs-app')?.dataset.ready === 'true'`);
    const errorsBefore = s.errors.length;
    const cdp = await s.browser.target().createCDPSession();
    await cdp.send('Browser.crashGpuProcess' as never); // every device in the browser is lost
    await waitFor(page, `document.querySelector('gs-app')?.dataset.status === 'error'`);
    const text = await inApp<string>(page, `return root.querySelector('.banner')?.textContent ?? '';`);
    expect(text).toMatch(/GPU device was lost/);
    await inApp(page, `[...root.querySelectorAll('.banner button')].find((b) => b.textContent === 'Restart').click();`);
    await waitFor(page, `document.querySelector('gs-app')?.dataset.status === 'idle' && location.hash.includes('model.activation=tanh')`);
    await page.keyboard.press('Space');
    await waitFor(page, `Number(document.querySelector('gs-app')?.dataset.step) >= 3`);
    expect(s.errors.slice(errorsBefore)).toEqual([]);
    await page.close();
  });

  it('export produces a run log file', async () => {
    const page = await s.open(`#${SMALL}&play=1`);
    await waitFor(page, `Number(document.querySelector('gs-app')?.dataset.step) >= 8`);
    await page.evaluate(() => {
      const w = window as unknown as { downloads: { name: string; size: number }[] };
      w.downloads = [];
      HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
        void fetch(this.href).then((r) => r.blob()).then((b) => w.downloads.push({ name: this.download, size: b.size }));
      };
    });
    await inApp(page, `root.querySelector('[data-export="jsonl"]').click();`);
    await waitFor(page, `window.downloads.length === 1`);
    const d = await page.evaluate(() => (window as unknown as { downloads: { name: string; size: number }[] }).downloads[0]!);
    expect(d.name).toBe('gradscope-run.jsonl');
    expect(d.size).toBeGreaterThan(100);
    await page.close();
  });
});
