import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ElementHandle, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, banners, inApp, waitFor } from '../helpers/app-page.ts';
import { startPage, type PageSession } from '../helpers/browser.ts';

const NET = 'model.depth=3&model.width=8&train.batchSize=32';

/** n rows of two features and a class id (three classes), with a header. */
function points(n: number): string {
  const rows = ['x,y,label'];
  for (let i = 0; i < n; i++) rows.push(`${Math.cos(i).toFixed(4)},${Math.sin(i * 1.7).toFixed(4)},${i % 3}`);
  return rows.join('\n') + '\n';
}

async function upload(page: Page, path: string): Promise<void> {
  const input = (await page.evaluateHandle(() =>
    document.querySelector('gs-app')!.shadowRoot!.querySelector('gs-controls')!.shadowRoot!.querySelector('#csv'),
  )) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(path);
}

describe('training on your own CSV (headless Chromium)', () => {
  let s: PageSession;
  let dir: string;
  beforeAll(async () => {
    s = await startPage();
    dir = mkdtempSync(join(tmpdir(), 'gs-csv-'));
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a clean 300-row file trains, and the hash names it as data.path', async () => {
    const file = join(dir, 'clean.csv');
    writeFileSync(file, points(300));
    const page = await s.open(`#${NET}`);
    await waitFor(page, `${attr('ready')} === 'true'`);
    const builds = Number(await page.$eval('gs-app', (e) => (e as HTMLElement).dataset.builds));
    await upload(page, file);
    await waitFor(page, `${attr('csv')} === 'ready' && Number(${attr('builds')}) > ${builds}`);
    expect(decodeURIComponent(await page.evaluate(() => location.hash))).toMatch(/data\.name=csv.*data\.path=clean\.csv|data\.path=clean\.csv.*data\.name=csv/);
    expect((await banners(page)).texts).toEqual([]);
    await page.keyboard.press('Space');
    await waitFor(page, `Number(${attr('step')}) >= 8`);
    expect(s.errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('cells are data: markup in a bad cell is shown as text, never run', async () => {
    const file = join(dir, 'evil.csv');
    writeFileSync(file, 'a,b,label\n1,2,0\n1,<img src=x onerror="window.__pwned=1">,1\n');
    const page = await s.open(`#${NET}`);
    await waitFor(page, `${attr('ready')} === 'true'`);
    await upload(page, file);
    await waitFor(page, `${attr('csv')} === 'refused'`);
    const { texts } = await banners(page);
    expect(texts.join(' ')).toContain('line 3, column 2 is not a number (got "<img src=x onerror=\\"window.__pwned=1\\">")');
    expect(await inApp<number>(page, `return root.querySelectorAll('img').length;`)).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.close();
  }, 120_000);

  it('a file over the limit is refused before it is read, saying the limit', async () => {
    const file = join(dir, 'huge.csv');
    writeFileSync(file, '');
    truncateSync(file, 101 * 2 ** 20);
    const page = await s.open(`#${NET}`);
    await waitFor(page, `${attr('ready')} === 'true'`);
    await upload(page, file);
    await waitFor(page, `${attr('csv')} === 'refused'`);
    expect((await banners(page)).texts.join(' ')).toMatch(/"huge\.csv" is 101\.0 MB; the page reads CSV files of up to 100\.0 MB/);
    await page.close();
  }, 120_000);

  it('a link to a CSV run the page does not have says which file to upload, runs the rest, and the upload completes it', async () => {
    const file = join(dir, 'points.csv');
    writeFileSync(file, points(300));
    const page = await s.open(`#data.name=csv&data.path=points.csv&${NET}`);
    await waitFor(page, `${attr('ready')} === 'true'`);
    expect((await banners(page)).texts.join(' ')).toMatch(/data\.path=points\.csv: this link trains on a CSV file that is not in this page.*Upload points\.csv/);
    expect(await page.evaluate(() => location.hash)).not.toMatch(/csv/);
    expect(await page.evaluate(() => location.hash)).toMatch(/model\.depth=3/);
    await upload(page, file);
    await waitFor(page, `${attr('csv')} === 'ready' && location.hash.includes('data.path=points.csv')`);
    await page.close();
  }, 120_000);

  it('a 50 MB file is parsed in a worker, and the page trains on its 150,000 rows', async () => {
    const file = join(dir, 'big.csv');
    const rows: string[] = ['label'.padStart(6)];
    rows[0] = Array.from({ length: 39 }, (_, i) => `f${i}`).join(',') + ',label';
    let bytes = 0;
    for (let r = 0; bytes < 50e6; r++) {
      const row = Array.from({ length: 39 }, (_, j) => (Math.sin(r * 0.37 + j) * 0.999).toFixed(5)).join(',') + `,${r % 3}`;
      rows.push(row);
      bytes += row.length + 1;
    }
    writeFileSync(file, rows.join('\n'));
    const page = await s.open(`#model.depth=2&model.width=8&train.batchSize=256&data.testFraction=0.05`, (p) =>
      p.evaluateOnNewDocument(() => {
        const w = window as unknown as { workers: string[]; longest: number };
        w.workers = [];
        w.longest = 0;
        const Real = window.Worker;
        window.Worker = class extends Real {
          constructor(url: string | URL, opts?: WorkerOptions) {
            super(url, opts);
            w.workers.push(String(url));
          }
        };
        new PerformanceObserver((l) => l.getEntries().forEach((e) => (w.longest = Math.max(w.longest, e.duration)))).observe({ type: 'longtask', buffered: false });
      }),
    );
    await waitFor(page, `${attr('ready')} === 'true'`);
    await upload(page, file);
    await waitFor(page, `${attr('csv')} === 'ready'`, 120_000);
    const workers = await page.evaluate(() => (window as unknown as { workers: string[] }).workers);
    expect(workers.some((u) => u.includes('csv-worker'))).toBe(true);
    await page.keyboard.press('Space');
    await waitFor(page, `Number(${attr('step')}) >= 3`, 120_000);
    const longest = await page.evaluate(() => (window as unknown as { longest: number }).longest);
    console.log(`50 MB CSV: longest main-thread task while reading and building ${longest.toFixed(0)} ms`);
    expect((await banners(page)).texts).toEqual([]);
    await page.close();
  }, 240_000);
});
