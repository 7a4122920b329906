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
    // The three stages as bands over the plot, each two rows of the eight high, stage 1 just above conv1.
    const bands = await inApp<string[]>(page, `return [...root.querySelector('gs-heatmap[data-run="A"]').shadowRoot.querySelectorAll('.band')].map((b) => b.textContent + ' ' + b.style.bottom + ' ' + b.style.height);`);
    expect(bands).toEqual(['stage 1 12.5% 25%', 'stage 2 37.5% 25%', 'stage 3 62.5% 25%']);
    const controls = await inApp<{ arch: string; depth: string; depthKind: string; norms: string[] }>(page, `
      const c = root.querySelector('gs-controls').shadowRoot;
      const depth = c.querySelector('#model-depth');
      return { arch: c.querySelector('#model-arch').value, depth: depth.value, depthKind: depth.tagName, norms: [...c.querySelectorAll('#model-norm option')].map((o) => o.value) };`);
    expect(controls).toEqual({ arch: 'resnet', depth: '8', depthKind: 'SELECT', norms: ['none', 'batch'] });
    // The residual split: ResNet-8 has three residual blocks, one per stage, as rows of their own heatmap and chart.
    const split = await inApp<{ rows: string; points: string; bands: string[]; head: string }>(page, `
      const h = root.querySelector('gs-heatmap[data-residual="A"]');
      return {
        rows: h.dataset.rows,
        points: root.querySelector('gs-depth-chart[axis="residual"]').dataset.points,
        bands: [...h.shadowRoot.querySelectorAll('.band')].map((b) => b.textContent),
        head: h.closest('section').querySelector('.time-head h2:last-of-type')?.textContent ?? '',
      };`);
    expect(split).toEqual({ rows: '3', points: '3', bands: ['stage 1', 'stage 2', 'stage 3'], head: expect.stringContaining('Residual split') });
    await page.close();
  }, 120_000);

  it('shows the test images with their classes and the confusion matrix once the test set is evaluated', async () => {
    const page = await s.open(`#${RESNET8}&train.steps=4`);
    await waitFor(page, `${attr('ready')} === 'true' && !!document.querySelector('gs-app').shadowRoot.querySelector('gs-images[data-run="A"]')`);
    const before = await inApp<{ text: string; boundary: boolean; heading: string }>(page, `
      const view = root.querySelector('gs-images[data-run="A"]');
      return { text: view.shadowRoot.textContent, boundary: !!root.querySelector('gs-boundary'), heading: view.parentElement.querySelector('h2').textContent };`);
    expect(before).toEqual({ text: expect.stringContaining('No test-set evaluation yet'), boundary: false, heading: 'Test images and confusion matrix' });
    await inApp(page, `root.querySelector('.header-play').click();`);
    // The run ends at step 4, and the test set is evaluated then.
    await waitFor(page, `document.querySelector('gs-app').shadowRoot.querySelector('gs-images[data-run="A"]')?.dataset.step === '4'`, 90_000);
    const shown = await inApp<{ tiles: { label: string; right: string | null }[]; counts: number[]; testSamples: number; caption: string; painted: boolean }>(page, `
      const view = root.querySelector('gs-images[data-run="A"]');
      const v = view.shadowRoot;
      const pixels = v.querySelector('canvas').getContext('2d').getImageData(0, 0, 32, 32).data;
      return {
        tiles: [...v.querySelectorAll('.grid li')].map((li) => ({ label: li.textContent.replace(/\\s+/g, ' ').trim(), right: li.dataset.correct })),
        counts: [...v.querySelectorAll('td')].map((td) => Number(td.dataset.count)),
        testSamples: view.data.test.n,
        caption: v.querySelector('caption').textContent,
        painted: pixels.some((x, i) => i % 4 === 3 && x === 255),
      };`);
    expect(shown.tiles).toHaveLength(24);
    const names = 'disc|ring|square|frame|triangle|horizontal bar|vertical bar|plus|cross|diamond';
    for (const t of shown.tiles) {
      // The true class, then ✓ and the same class, or ✗ and another.
      const [, truth, mark, predicted] = new RegExp(`^(${names}) ([✓✗]) (${names})$`).exec(t.label) ?? [];
      expect(truth, t.label).toBeDefined();
      expect([mark, predicted === truth], t.label).toEqual(t.right === 'true' ? ['✓', true] : ['✗', false]);
    }
    expect(shown.counts).toHaveLength(100);
    expect(shown.testSamples).toBe(26); // 20% of 128
    expect(shown.counts.reduce((a, b) => a + b, 0)).toBe(shown.testSamples);
    expect(shown.caption).toMatch(/^Test accuracy \d+\.\d% \(\d+ of 26\) at step 4\./);
    expect(shown.painted, 'the first test image is drawn').toBe(true);
    expect(s.errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('the plain-vs-resnet-56 lesson builds both 56-layer nets side by side, each heatmap banded by stage', async () => {
    const page = await s.open('#preset=plain-vs-resnet-56');
    await waitFor(page, `${attr('ready')} === 'true' && document.querySelector('gs-app').dataset.builds === '1'`, 120_000);
    const view = await inApp<{ bar: string; bands: string[][] }>(page, `
      const bands = (run) => [...root.querySelector('gs-heatmap[data-run="' + run + '"]').shadowRoot.querySelectorAll('.band span')].map((b) => b.textContent);
      return { bar: root.querySelector('[data-lesson-bar]')?.dataset.lessonBar ?? '', bands: [bands('A'), bands('B')] };`);
    expect(view).toEqual({ bar: 'plain-vs-resnet-56', bands: [['stage 1', 'stage 2', 'stage 3'], ['stage 1', 'stage 2', 'stage 3']] });
    expect(s.errors).toEqual([]);
    await page.close();
  }, 150_000);

  it('switching the architecture in the controls builds a ResNet with its own defaults, and back', async () => {
    // 256 samples: a training split that holds the batch of 128 the switch back to the MLP brings.
    const page = await s.open('#model.depth=4&model.width=8&data.samples=256&train.batchSize=8');
    await waitFor(page, `${attr('ready')} === 'true'`);
    const pick = (id: string, value: string) =>
      inApp(page, `const e = root.querySelector('gs-controls').shadowRoot.querySelector('#${id}'); e.value = '${value}'; e.dispatchEvent(new Event('change'));`);
    await pick('model-arch', 'resnet');
    await waitFor(page, `location.hash.includes('model.arch=resnet')`);
    // The fields the switch did not name take ResNet-20's values (the MLP depth, width and batch the user set are
    // dropped), so the link names only the architecture and the field a ResNet shares with it.
    expect(await page.evaluate(() => decodeURIComponent(location.hash))).toBe('#data.samples=256&model.arch=resnet');
    const controls = await inApp(page, `const c = root.querySelector('gs-controls').shadowRoot;
      return ['model-depth', 'model-width', 'model-norm', 'data-name', 'train-batchSize'].map((id) => c.querySelector('#' + id)?.value);`);
    expect(controls).toEqual(['20', '16', 'batch', 'shapes', '32']);
    await pick('model-arch', 'mlp');
    await waitFor(page, `!location.hash.includes('model.arch')`);
    expect(await page.evaluate(() => decodeURIComponent(location.hash))).not.toContain('data.name=shapes');
    expect(s.errors).toEqual([]);
    await page.close();
  }, 120_000);
});
