import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, inApp, waitFor } from '../helpers/app-page.ts';
import { startPage, type PageSession } from '../helpers/browser.ts';

// ResNet-8 with 4 channels on the 32×32 shapes: the smallest CIFAR ResNet, a few steps a second here.
const RESNET8 = 'model.arch=resnet&model.depth=8&model.width=4&data.samples=128&train.batchSize=8';

describe('a CIFAR ResNet on the page (headless Chromium)', () => {
  let s: PageSession;
  beforeAll(async () => {
    s = await startPage();
  }, 60_000);
  afterAll(() => s?.close());

  it('trains from the URL, names its rows by stage, block and conv, and offers the ResNet controls', async () => {
    const page = await s.open(`#${RESNET8}&train.steps=6&play=1`);
    await waitFor(page, `${attr('status')} === 'done'`, 90_000);
    expect(s.errors).toEqual([]);
    // 8 weight layers: conv1, six convs in three stages, the linear head.
    const points = await inApp<string>(page, `return root.querySelector('gs-depth-chart').dataset.points;`);
    expect(points).toBe('8');
    const tip = await inApp<string>(page, `
      const h = root.querySelector('gs-heatmap[data-run="A"]');
      const c = h.shadowRoot.querySelector('canvas').getBoundingClientRect();
      h.shadowRoot.querySelector('canvas').dispatchEvent(new PointerEvent('pointermove', { clientX: c.right - 2, clientY: c.top + c.height * 0.45, bubbles: true }));
      return new Promise((ok) => requestAnimationFrame(() => ok(h.shadowRoot.querySelector('.tip')?.textContent ?? '')));`);
    expect(tip).toMatch(/stage [123] · block 0 · conv[12]/);
    const controls = await inApp<{ arch: string; depth: string; depthKind: string; norms: string[] }>(page, `
      const c = root.querySelector('gs-controls').shadowRoot;
      const depth = c.querySelector('#model-depth');
      return { arch: c.querySelector('#model-arch').value, depth: depth.value, depthKind: depth.tagName, norms: [...c.querySelectorAll('#model-norm option')].map((o) => o.value) };`);
    expect(controls).toEqual({ arch: 'resnet', depth: '8', depthKind: 'SELECT', norms: ['none', 'batch'] });
    await page.close();
  }, 120_000);

  it('switching the architecture in the controls builds a ResNet with its own defaults, and back', async () => {
    const page = await s.open('#model.depth=4&model.width=8&data.samples=128&train.batchSize=8');
    await waitFor(page, `${attr('ready')} === 'true'`);
    const pick = (id: string, value: string) =>
      inApp(page, `const e = root.querySelector('gs-controls').shadowRoot.querySelector('#${id}'); e.value = '${value}'; e.dispatchEvent(new Event('change'));`);
    await pick('model-arch', 'resnet');
    await waitFor(page, `location.hash.includes('model.arch=resnet')`);
    const hash = await page.evaluate(() => decodeURIComponent(location.hash));
    // The fields the switch did not name take ResNet-20's values (the width the user set is not a ResNet's).
    expect(hash).toContain('model.depth=20');
    expect(hash).toContain('model.norm=batch');
    expect(hash).toContain('data.name=shapes');
    await pick('model-arch', 'mlp');
    await waitFor(page, `!location.hash.includes('model.arch')`);
    expect(await page.evaluate(() => decodeURIComponent(location.hash))).not.toContain('data.name=shapes');
    expect(s.errors).toEqual([]);
    await page.close();
  }, 120_000);
});
