// Screenshots of the playground for a look by eye: npx tsx scripts/screenshot.ts [hash] [steps]
import { startPage } from '../tests/helpers/browser.ts';

const hash = process.argv[2] ?? '#preset=sigmoid-deep&play=1';
const steps = Number(process.argv[3] ?? 60);
const s = await startPage();
try {
  for (const [w, h, name] of [[1280, 800, 'desktop'], [390, 844, 'phone']] as const) {
    const page = await s.open();
    await page.setViewport({ width: w, height: h, deviceScaleFactor: 1 });
    await page.goto(s.url + hash, { waitUntil: 'load' });
    await page.waitForFunction(`Number(document.querySelector('gs-app')?.dataset.step) >= ${steps}`, { timeout: 120_000 });
    await new Promise((r) => setTimeout(r, 500));
    await page.screenshot({ path: `/tmp/gs-${name}.png`, fullPage: process.env.FULL === '1' || name === 'phone' });
    console.log(`/tmp/gs-${name}.png`);
  }
  if (s.errors.length) console.log('console errors:', s.errors);
} finally {
  await s.close();
}
