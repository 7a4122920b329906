import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPage, type PageSession } from '../helpers/browser.ts';

const SMALL = '#model.depth=8&model.width=16&data.samples=256&train.batchSize=32&play=1';
const STEPPED = `Number(document.querySelector('gs-app')?.dataset.step) >= 5`;

type Scheme = 'light' | 'dark';
/** Headless Chromium reports `light` unless told otherwise, so both schemes are set explicitly. */
const scheme = (value: Scheme) => (page: Page) => page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value }]);

/** sRGB channels (0–255) of a computed colour: rgb()/rgba() in either syntax, or #rrggbb. */
function channels(colour: string): [number, number, number] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour.trim());
  if (hex) return [1, 2, 3].map((i) => parseInt(hex[i]!, 16)) as [number, number, number];
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)\s*(?:[,/]\s*([\d.]+%?)\s*)?\)$/.exec(colour.trim());
  if (!rgb) throw new Error(`not an rgb colour: ${colour}`);
  if (rgb[4] !== undefined && parseFloat(rgb[4]) < 1) throw new Error(`translucent colour has no luminance of its own: ${colour}`);
  return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
}

/** WCAG 2 relative luminance. */
function luminance(colour: string): number {
  const [r, g, b] = channels(colour).map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio, 1–21. */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

interface AppColours {
  body: string;
  app: string;
  panel: string;
  /** a panel heading (the faintest heading text) */
  h2: string;
  /** the label around the statistic select */
  label: string;
  /** run A's loss line on the loss chart's canvas, as uPlot was built with it */
  lossStroke: string;
}

const appColours = (page: Page): Promise<AppColours> =>
  page.evaluate(`(() => {
    const app = document.querySelector('gs-app');
    const root = app.shadowRoot;
    const css = (e) => getComputedStyle(e);
    const h2 = root.querySelector('.panel h2');
    const loss = root.querySelector('gs-loss-chart').chart.instance;
    return {
      body: css(document.body).backgroundColor,
      app: css(app).backgroundColor,
      panel: css(h2.closest('.panel')).backgroundColor,
      h2: css(h2).color,
      label: css(root.querySelector('select[data-statistic]').closest('label')).color,
      lossStroke: loss.series[1].stroke(loss, 1),
    };
  })()`) as Promise<AppColours>;

describe('the pages follow prefers-color-scheme', () => {
  let s: PageSession;
  beforeAll(async () => {
    s = await startPage();
  }, 60_000);
  afterAll(() => s?.close());

  it('light: the playground is light with dark text at ≥ 4.5:1, and its charts draw in the light palette', async () => {
    const page = await s.open(SMALL, scheme('light'));
    await page.waitForFunction(STEPPED, { timeout: 90_000, polling: 200 });
    await page.waitForFunction(`!!document.querySelector('gs-app').shadowRoot.querySelector('gs-loss-chart')?.chart?.instance`, { timeout: 30_000 });
    const c = await appColours(page);
    expect(luminance(c.body)).toBeGreaterThan(0.8);
    expect(luminance(c.app)).toBeGreaterThan(0.8);
    expect(luminance(c.panel)).toBeGreaterThan(0.8);
    for (const text of [c.h2, c.label]) {
      expect(luminance(text)).toBeLessThan(0.2);
      expect(contrast(text, c.panel)).toBeGreaterThanOrEqual(4.5);
    }
    // A chart line on a light panel: dark enough to read (3:1 is WCAG's bar for graphics).
    expect(contrast(c.lossStroke, c.panel)).toBeGreaterThanOrEqual(3);
    expect(s.errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('dark: the playground is dark; switching the OS to light while open restyles the page and rebuilds the charts', async () => {
    const page = await s.open(SMALL, scheme('dark'));
    await page.waitForFunction(STEPPED, { timeout: 90_000, polling: 200 });
    await page.waitForFunction(`!!document.querySelector('gs-app').shadowRoot.querySelector('gs-loss-chart')?.chart?.instance`, { timeout: 30_000 });
    const dark = await appColours(page);
    expect(luminance(dark.body)).toBeLessThan(0.1);
    expect(luminance(dark.app)).toBeLessThan(0.1);
    expect(luminance(dark.panel)).toBeLessThan(0.1);
    expect(contrast(dark.h2, dark.panel)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(dark.lossStroke, dark.panel)).toBeGreaterThanOrEqual(3);

    await scheme('light')(page);
    await page.waitForFunction(
      `(() => { const u = document.querySelector('gs-app').shadowRoot.querySelector('gs-loss-chart').chart.instance;
        return !!u && u.series[1].stroke(u, 1) !== ${JSON.stringify(dark.lossStroke)}; })()`,
      { timeout: 30_000, polling: 100 },
    );
    const light = await appColours(page);
    expect(luminance(light.app)).toBeGreaterThan(0.8);
    expect(contrast(light.h2, light.panel)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(light.lossStroke, light.panel)).toBeGreaterThanOrEqual(3);
    expect(s.errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('the bench page: light background and readable text in light, dark background in dark', async () => {
    const bench = (page: Page) =>
      page.evaluate(`(() => {
        const bench = document.querySelector('gs-bench');
        const empty = bench.shadowRoot.querySelector('.empty-state');
        return { body: getComputedStyle(document.body).backgroundColor, text: getComputedStyle(document.body).color, empty: empty && getComputedStyle(empty).color };
      })()`) as Promise<{ body: string; text: string; empty: string | null }>;
    const ready = `!!document.querySelector('gs-bench')?.shadowRoot?.querySelector('.empty-state')`;

    const light = await s.open('bench.html', scheme('light'));
    await light.waitForFunction(ready, { timeout: 30_000 });
    const l = await bench(light);
    expect(luminance(l.body)).toBeGreaterThan(0.8);
    expect(contrast(l.text, l.body)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(l.empty!, l.body)).toBeGreaterThanOrEqual(4.5);
    await light.close();

    const dark = await s.open('bench.html', scheme('dark'));
    await dark.waitForFunction(ready, { timeout: 30_000 });
    const d = await bench(dark);
    expect(luminance(d.body)).toBeLessThan(0.1);
    expect(contrast(d.text, d.body)).toBeGreaterThanOrEqual(4.5);
    await dark.close();
    expect(s.errors).toEqual([]);
  }, 120_000);
});
