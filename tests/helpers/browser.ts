import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { createServer, type ViteDevServer } from 'vite';

/** Chromium binaries to try, system packages first; CHROMIUM_PATH overrides. */
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface PageSession {
  server: ViteDevServer;
  browser: Browser;
  url: string;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  /** A new tab on the app at `hash`; `before` runs first (e.g. to change the page's environment). */
  open(hash?: string, before?: (page: Page) => Promise<unknown>): Promise<Page>;
  close(): Promise<void>;
}

/** Serve the app with Vite and drive it in headless Chromium (SwiftShader WebGPU). */
export async function startPage(): Promise<PageSession> {
  const executablePath = CHROMIUM.find((p): p is string => !!p && existsSync(p));
  if (!executablePath) throw new Error('No Chromium found: apt-get install chromium (or set CHROMIUM_PATH).');
  const server = await createServer({ server: { port: 0, host: '127.0.0.1' }, logLevel: 'error' });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('Vite did not report a port');
  const url = `http://127.0.0.1:${address.port}/`;
  const browser = await puppeteer.launch({ executablePath, args: CHROMIUM_FLAGS });
  const errors: string[] = [];
  return {
    server,
    browser,
    url,
    errors,
    async open(hash = '', before?: (page: Page) => Promise<void>) {
      const page = await browser.newPage();
      if (before) await before(page);
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url + hash, { waitUntil: 'load' });
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
