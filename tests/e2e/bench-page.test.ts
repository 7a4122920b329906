import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPage, type PageSession } from '../helpers/browser.ts';

describe('the bench page in headless Chromium', () => {
  let s: PageSession;
  beforeAll(async () => {
    s = await startPage();
  }, 60_000);
  afterAll(() => s?.close());

  it('loads and finishes a quick run, every result checked and drawn', async () => {
    const page = await s.browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${s.url}bench.html?run=1`, { waitUntil: 'load' });
    await page.waitForFunction(`['done', 'error'].includes(document.querySelector('gs-bench')?.dataset.status)`, { timeout: 120_000 });
    expect(await page.$eval('gs-bench', (e) => e.dataset.status)).toBe('done');
    const rows = await page.$eval('gs-bench', (e) =>
      [...e.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.map((r) => r[0])).toContain('peak/fma');
    for (const r of rows) expect(r.at(-1), r[0]).toMatch(/^ok /);
    expect(await page.$eval('gs-bench', (e) => !!e.shadowRoot!.querySelector('.plot canvas'))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('verifies and times a kernel pasted into the page, and names a broken binding', async () => {
    const page = await s.browser.newPage();
    await page.goto(`${s.url}bench.html`, { waitUntil: 'load' });
    const kernel = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'custom-matmul.wgsl'), 'utf8');
    const runWith = async (code: string) => {
      await page.$eval('gs-bench', (e, c) => {
        const el = e as HTMLElement & { kernel: string; filter: string; run(): Promise<void> };
        el.kernel = c;
        el.filter = '^peak/';
        return el.run();
      }, code);
      return page.$eval('gs-bench', (e) => ({
        status: e.dataset.status,
        alert: e.shadowRoot!.querySelector('[role=alert]')?.textContent ?? '',
        custom: [...e.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => tr.textContent ?? '').filter((t) => t.includes('matmul/custom')),
      }));
    };
    const good = await runWith(kernel);
    expect(good.status).toBe('done');
    expect(good.custom).toHaveLength(2);
    for (const row of good.custom) expect(row).toMatch(/ok /);
    const bad = await runWith(kernel.replace('var<storage, read_write> c', 'var<storage, read> c'));
    expect(bad.status).toBe('error');
    expect(bad.alert).toMatch(/binding 2 .* the contract needs var<storage, read_write>/);
    await page.close();
  });

  it('Tune saves a table for this adapter, and the playground then builds its nets with it', async () => {
    const page = await s.browser.newPage();
    await page.goto(`${s.url}bench.html`, { waitUntil: 'load' });
    await page.$eval('gs-bench', (e) => {
      const el = e as HTMLElement & { tuneWidths: number[]; tune(): Promise<void> };
      el.tuneWidths = [16];
      return el.tune();
    });
    expect(await page.$eval('gs-bench', (e) => e.dataset.status)).toBe('done');
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('gradscope.matmul-tuning.')).length)).toBe(1);
    await page.goto(`${s.url}#model.depth=3&model.width=16&train.batchSize=128&data.samples=256&play=1`, { waitUntil: 'load' });
    await page.waitForFunction(`document.querySelector('gs-app')?.dataset.tuned === 'true' && Number(document.querySelector('gs-app')?.dataset.step) >= 5`, { timeout: 60_000 });
    await page.evaluate(() => localStorage.clear());
    await page.close();
  });
});
