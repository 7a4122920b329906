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

  it('loads and finishes a quick run: progress with the time left, every result checked, its spread shown and drawn', async () => {
    const page = await s.browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${s.url}bench.html?run=1`, { waitUntil: 'load' });
    // While it runs: a bar and a line naming the case, counted from 1, with the time left.
    await page.waitForFunction(
      `(() => { const e = document.querySelector('gs-bench'); const t = e?.shadowRoot?.querySelector('.progress-text')?.textContent ?? '';
        return e?.dataset.status === 'running' && /^\\[\\d+\\/\\d+\\] \\S.* · (< 5 s|~\\d+ (s|min)) left$/.test(t); })()`,
      { timeout: 60_000 },
    );
    await page.waitForFunction(`['done', 'error'].includes(document.querySelector('gs-bench')?.dataset.status)`, { timeout: 120_000 });
    expect(await page.$eval('gs-bench', (e) => e.dataset.status)).toBe('done');
    const table = await page.$eval('gs-bench', (e) => ({
      head: [...e.shadowRoot!.querySelectorAll('thead th')].map((th) => th.textContent ?? ''),
      rows: [...e.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    }));
    const col = (name: string) => table.head.indexOf(name);
    expect(col('min–max')).toBeGreaterThan(col('ms'));
    const { rows } = table;
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.map((r) => r[0])).toContain('peak/fma');
    for (const r of rows) {
      expect(r[col('check')], r[0]).toMatch(/^ok /);
      // The spread brackets the median: fastest ≤ median ≤ slowest.
      const [lo, hi] = r[col('min–max')]!.split('–').map(Number);
      const ms = Number(r[col('ms')]);
      expect(lo! <= ms && ms <= hi!, `${r[0]}: ${lo} ≤ ${ms} ≤ ${hi}`).toBe(true);
      expect(Number(r[col('n')]), r[0]).toBeGreaterThanOrEqual(1);
    }
    // When it is over: the bar is full and the line says how long the run took.
    const progress = await page.$eval('gs-bench', (e) => {
      const bar = e.shadowRoot!.querySelector('progress')!;
      return { value: bar.value, max: bar.max, text: e.shadowRoot!.querySelector('.progress-text')?.textContent ?? '', attr: e.dataset.progress };
    });
    expect(progress).toMatchObject({ value: rows.length, max: rows.length, attr: `${rows.length}/${rows.length}` });
    expect(progress.text).toMatch(new RegExp(`^${rows.length} cases in \\d`));
    // Two charts, each on its own axis: GFLOP/s for what counts flops, GB/s for the rest; a row per bar.
    const charts = await page.$eval('gs-bench', (e) =>
      [...e.shadowRoot!.querySelectorAll('.chart')].map((c) => ({
        cls: c.className,
        bars: Number((c as HTMLElement).dataset.bars),
        canvas: !!c.querySelector('.plot canvas'),
        plots: c.querySelectorAll('.uplot').length,
        label: c.querySelector('.plot')?.getAttribute('aria-label') ?? '',
        height: (c.querySelector('.area') as HTMLElement).clientHeight,
      })),
    );
    expect(charts.map((c) => c.cls)).toEqual(['chart gflops', 'chart gbps']);
    const perMetric = (unit: string) => rows.filter((r) => (unit === 'GFLOP/s' ? r[col('GFLOP/s')] !== '' : r[col('GFLOP/s')] === '' && r[col('GB/s')] !== '')).length;
    for (const [c, unit] of [[charts[0]!, 'GFLOP/s'], [charts[1]!, 'GB/s']] as const) {
      expect(c.canvas).toBe(true);
      expect(c.plots).toBe(1);
      expect(c.label).toBe(`${unit} of ${c.bars} results`);
      expect(c.bars).toBe(perMetric(unit));
      expect(c.height / c.bars).toBeGreaterThanOrEqual(20);
    }
    expect(charts[0]!.bars + charts[1]!.bars).toBe(rows.length);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('before a run says to run the suite instead of drawing zeros; a noisy result is marked, with advice', async () => {
    const page = await s.browser.newPage();
    await page.goto(`${s.url}bench.html`, { waitUntil: 'load' });
    await page.waitForFunction(`!!document.querySelector('gs-bench')?.shadowRoot?.querySelector('.empty-state')`);
    const empty = await page.$eval('gs-bench', (e) => ({
      text: e.shadowRoot!.querySelector('.empty-state')?.textContent ?? '',
      canvases: e.shadowRoot!.querySelectorAll('canvas').length,
      advice: !!e.shadowRoot!.querySelector('.advice'),
    }));
    expect(empty).toEqual({ text: expect.stringMatching(/run the suite/), canvases: 0, advice: false });
    // A saved report with one noisy result: its row says why, one line says what to do, and the charts appear.
    const shown = await page.$eval('gs-bench', async (e) => {
      const el = e as HTMLElement & { results: unknown[]; updateComplete: Promise<boolean> };
      const base = { shape: [512, 512, 512], ok: true, maxRelErr: 1e-7, ms: 10, msMin: 9, msMax: 11, detail: { samples: 5, samplesPlanned: 5 } };
      el.results = [
        { ...base, name: 'peak/fma', gflops: 8, noisy: false },
        { ...base, name: 'matmul/vec4', gflops: 9, pctPeak: 112, noisy: true, noisyReason: '112% of the measured peak' },
        { ...base, name: 'matmul/reg', gflops: 4, pctPeak: 50, noisy: false },
        { ...base, name: 'peak/copy', gbps: 1.2, noisy: false },
      ];
      await el.updateComplete;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const root = e.shadowRoot!;
      return {
        noisyRows: [...root.querySelectorAll('tbody tr.noisy')].map((tr) => tr.textContent ?? ''),
        advice: root.querySelector('.advice')?.textContent ?? '',
        empty: !!root.querySelector('.empty-state'),
        charts: [...root.querySelectorAll('.chart')].map((c) => `${(c as HTMLElement).dataset.bars}:${!!c.querySelector('canvas')}`),
        bars: [...root.querySelectorAll('.chart')].map((c) => {
          // Read each bar off the canvas: how far along the value axis it reaches, and its colour.
          const canvas = c.querySelector('canvas')!;
          const over = c.querySelector<HTMLElement>('.u-over')!;
          const [left, top, width, height] = ['left', 'top', 'width', 'height'].map((k) => parseFloat(over.style.getPropertyValue(k)));
          const n = Number((c as HTMLElement).dataset.bars);
          const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
          return Array.from({ length: n }, (_, i) => {
            const y = Math.round(top! + (i + 0.5) * (height! / n));
            const at = (x: number) => [...px.data.slice(4 * (y * canvas.width + x), 4 * (y * canvas.width + x) + 3)];
            const colour = at(Math.round(left! + 2));
            let end = left!;
            while (end < left! + width! && at(end).join() === colour.join()) end++;
            return { reach: (end - left!) / width!, colour: colour.join(',') };
          });
        }),
      };
    });
    expect(shown.noisyRows).toHaveLength(1);
    expect(shown.noisyRows[0]).toMatch(/matmul\/vec4[\s\S]*noisy: 112% of the measured peak/);
    expect(shown.advice).toMatch(/^1 of 4 results are marked noisy\. .*rerun on an idle machine/);
    expect(shown.empty).toBe(false);
    expect(shown.charts).toEqual(['3:true', '1:true']);
    // Each chart has its own scale: peak/copy (1.2 GB/s) reaches as far as the biggest GFLOP/s bar (9), not 1.2/9 of it.
    const [compute, memory] = shown.bars as [{ reach: number; colour: string }[], { reach: number; colour: string }[]];
    expect(compute[1]!.reach).toBeGreaterThan(0.85);
    expect(compute[0]!.reach).toBeCloseTo((8 / 9) * compute[1]!.reach, 1);
    expect(memory[0]!.reach).toBeGreaterThan(0.85);
    expect(compute[2]!.reach).toBeCloseTo((4 / 9) * compute[1]!.reach, 1);
    // Peaks, plain results and noisy ones are told apart by colour.
    expect(compute[0]!.colour).toBe(memory[0]!.colour);
    expect(new Set(compute.map((b) => b.colour)).size).toBe(3);
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
