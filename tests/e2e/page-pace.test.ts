// The page keeps the engine's pace on a deep net: a depth-2,000 MLP trained in headless Chromium against the same
// net trained by the engine in this process, timed in turns (engine, page, engine) so load from the other test
// worker falls on both. The page logs one step in four (speed 4), so the engine logs one in four too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { defaultConfig, type RunConfig } from '../../src/model/config.ts';
import { loadDataset } from '../../src/cli/run-config.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { attr, waitFor } from '../helpers/app-page.ts';
import { startPage, type PageSession } from '../helpers/browser.ts';
import { testContext } from '../helpers/gpu.ts';

const DEPTH = 2000;
const HASH = `#model.depth=${DEPTH}&model.width=16&train.batchSize=32&train.steps=100000`;
/** Steps in each timed window (a multiple of the page's record stride). */
const WINDOW = 8;

const step = (page: Page): Promise<number> => page.$eval('gs-app', (e) => Number((e as HTMLElement).dataset.step));

/** Steps per second of the page over the next WINDOW steps, from the first record after it plays. */
async function pageWindow(page: Page): Promise<number> {
  const from = await step(page);
  await page.keyboard.press('Space');
  await waitFor(page, `Number(${attr('step')}) > ${from}`, 120_000);
  const a = { t: performance.now(), step: await step(page) };
  await page.waitForFunction(`Number(${attr('step')}) >= ${a.step + WINDOW}`, { timeout: 120_000, polling: 'raf' });
  const b = { t: performance.now(), step: await step(page) };
  await page.keyboard.press('Space');
  await waitFor(page, `${attr('status')} === 'paused'`);
  return (b.step - a.step) / ((b.t - a.t) / 1000);
}

async function engineWindow(trainer: Trainer): Promise<number> {
  const t = performance.now();
  await trainer.run(WINDOW, () => {});
  return WINDOW / ((performance.now() - t) / 1000);
}

describe(`a depth-${DEPTH} net in the page (headless Chromium)`, () => {
  let s: PageSession;
  beforeAll(async () => {
    s = await startPage();
  }, 60_000);
  afterAll(() => s?.close());

  it('trains at the pace the engine trains the same net at, measured in the same run', async () => {
    const base = defaultConfig();
    const config: RunConfig = { ...base, model: { ...base.model, depth: DEPTH, width: 16 }, train: { ...base.train, batchSize: 32, steps: 100_000 } };
    const trainer = await Trainer.create(await testContext(), config, await loadDataset(config), { stepsPerSubmit: 8 });
    trainer.logEvery = 4;
    await trainer.run(4, () => {});

    const page = await s.open(HASH);
    await waitFor(page, `${attr('ready')} === 'true'`, 120_000);
    // The first step (pipelines warm), then paused: the windows start from a paused page.
    await page.keyboard.press('ArrowRight');
    await waitFor(page, `Number(${attr('step')}) >= 1`, 120_000);
    expect(await page.$eval('gs-app', (e) => (e as HTMLElement).dataset.depth)).toBe(String(DEPTH));

    const engine = [await engineWindow(trainer)];
    const inPage = await pageWindow(page);
    engine.push(await engineWindow(trainer));
    trainer.destroy();
    const engineRate = (engine[0]! + engine[1]!) / 2;
    const ratio = inPage / engineRate;
    const said = `page ${inPage.toFixed(2)} steps/s, engine ${engine.map((e) => e.toFixed(2)).join(' and ')} steps/s: ratio ${ratio.toFixed(2)}`;
    console.log(said);
    // The goal is 0.8 (docs/benchmarks.md); the bound leaves room for the other test worker's load, and still fails
    // a page that lets its decision boundary, a record's decoding or its views take the GPU or the main thread.
    expect(ratio, said).toBeGreaterThan(0.5);
    expect(s.errors).toEqual([]);
    await page.close();
  }, 240_000);
});
