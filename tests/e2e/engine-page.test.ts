import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPage, type PageSession } from '../helpers/browser.ts';

describe('the page in headless Chromium', () => {
  let session: PageSession;
  beforeAll(async () => {
    session = await startPage();
  });
  afterAll(() => session?.close());

  it('finds a WebGPU adapter and checks a matmul against the reference', async () => {
    const page = await session.open();
    await page.waitForFunction(() => document.querySelector('#out')?.getAttribute('data-status') !== 'idle', { timeout: 30_000 });
    const text = await page.$eval('#out', (e) => e.textContent ?? '');
    const status = await page.$eval('#out', (e) => e.getAttribute('data-status'));
    expect(status, text).toBe('ok');
    expect(text).toMatch(/adapter\s+\S+/);
    expect(session.errors).toEqual([]);
  });
});
