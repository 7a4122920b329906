import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, setHash, waitFor } from '../helpers/app-page.ts';
import { startPage, type PageSession } from '../helpers/browser.ts';

const SMALL = 'model.width=8&data.samples=256&train.batchSize=32';

describe('GPU memory across rebuilds (headless Chromium)', () => {
  let s: PageSession;
  beforeAll(async () => {
    s = await startPage();
  }, 60_000);
  afterAll(() => s?.close());

  it('toggling depth 4 ↔ 5 leaves the same number of live GPU buffers after every pair of builds', async () => {
    // Count every GPUBuffer the page creates and destroys, wherever it is made (arenas, rings, programs).
    const page = await s.open(`#model.depth=4&${SMALL}&play=1`, (p) =>
      p.evaluateOnNewDocument(() => {
        const live = new Set<GPUBuffer>();
        (window as unknown as { live: Set<GPUBuffer> }).live = live;
        const create = GPUDevice.prototype.createBuffer;
        GPUDevice.prototype.createBuffer = function (this: GPUDevice, desc: GPUBufferDescriptor) {
          const b = create.call(this, desc);
          live.add(b);
          return b;
        };
        const destroy = GPUBuffer.prototype.destroy;
        GPUBuffer.prototype.destroy = function (this: GPUBuffer) {
          live.delete(this); // destroying twice is allowed, and counts once
          destroy.call(this);
        };
      }),
    );
    await waitFor(page, `Number(${attr('step')}) >= 3`);
    const live: number[] = [];
    for (let i = 0; i < 16; i++) {
      const depth = i % 2 ? 4 : 5;
      await setHash(page, `#model.depth=${depth}&${SMALL}&play=1`);
      // The new net is running once the depth chart draws its depth + 1 layers.
      await waitFor(page, `${attr('step')} !== '0' && document.querySelector('gs-app').shadowRoot.querySelector('gs-depth-chart').dataset.points === '${depth + 1}'`);
      live.push(await page.evaluate(() => (window as unknown as { live: Set<GPUBuffer> }).live.size));
    }
    // One-off readbacks (a test-set evaluation, the boundary) may be mid-flight when counted: allow those.
    const settled = live.slice(4);
    expect(Math.max(...settled) - Math.min(...settled), `live buffers after each build: ${live.join(' ')}`).toBeLessThanOrEqual(2);
    expect(s.errors).toEqual([]);
    await page.close();
  }, 180_000);
});
