import type { Page } from 'puppeteer-core';

/** Wait until a page expression (a string, evaluated in the page) is truthy. */
export async function waitFor(page: Page, fn: string, timeout = 60_000): Promise<void> {
  await page.waitForFunction(fn, { timeout, polling: 100 });
}

/** An attribute of gs-app (data-step, data-status, …). */
export const app = (page: Page, attr: string): Promise<string | null> => page.$eval('gs-app', (e, a) => e.getAttribute(a), attr);

/** Run `fn` (a function body) with `root` = gs-app's shadow root. */
export const inApp = <T>(page: Page, fn: string): Promise<T> =>
  page.evaluate(`(() => { const root = document.querySelector('gs-app').shadowRoot; ${fn} })()`) as Promise<T>;

/** The gs-app expression for an attribute, for waitFor strings. */
export const attr = (name: string): string => `document.querySelector('gs-app')?.dataset.${name}`;

/** Every banner's text, and how many older messages the page says it is not showing. */
export async function banners(page: Page): Promise<{ texts: string[]; more: number }> {
  return inApp(page, `
    const texts = [...root.querySelectorAll('.banner:not(.more) p')].map((p) => p.textContent);
    const more = Number(root.querySelector('.banner.more')?.dataset.more ?? 0);
    return { texts, more };`);
}

/** Navigate within the page (a hashchange, as when the user edits the address bar). */
export async function setHash(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
}

/** Steps of the newest record drawn, and the layers it had (depth + 1). */
export async function drawnLayers(page: Page): Promise<number> {
  return inApp<number>(page, `return Number(root.querySelector('gs-depth-chart').dataset.points);`);
}
