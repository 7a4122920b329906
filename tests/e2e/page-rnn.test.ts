import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, inApp, waitFor } from '../helpers/app-page.ts';
import { startPage, type PageSession } from '../helpers/browser.ts';

// One LSTM layer of 8 units over 12 time steps, on batches of 8: a few steps a second on SwiftShader.
const LSTM = 'model.arch=rnn&model.cell=lstm&model.width=8&data.length=12&train.batchSize=8&data.samples=256';

/** A time heatmap (run A's unless told): rows held, columns drawn, distinct colours and how many pixels are the grey of "no gradient". */
async function timeMap(page: Page, run = 'A'): Promise<{ rows: string; columns: number; colors: number; grey: number; bands: string[] }> {
  return inApp(page, `
    const h = root.querySelector('gs-heatmap[data-time="${run}"]');
    const colors = h.distinctColors();
    const c = h.shadowRoot.querySelector('canvas');
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let grey = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] === 110 && px[i + 1] === 110 && px[i + 2] === 110) grey++;
    const bands = [...h.shadowRoot.querySelectorAll('.band span')].map((b) => b.textContent);
    return { rows: h.dataset.rows, columns: Number(h.dataset.columns), colors, grey, bands };`);
}

/** The read-out under the pointer at a fraction of the time heatmap's height from the top, at its right edge. */
async function timeTip(page: Page, fromTop: number): Promise<string> {
  return inApp(page, `
    const h = root.querySelector('gs-heatmap[data-time="A"]');
    const c = h.shadowRoot.querySelector('canvas').getBoundingClientRect();
    h.shadowRoot.querySelector('canvas').dispatchEvent(new PointerEvent('pointermove', { clientX: c.right - 2, clientY: c.top + c.height * ${fromTop}, bubbles: true }));
    return new Promise((ok) => requestAnimationFrame(() => ok(h.shadowRoot.querySelector('.tip')?.textContent ?? '')));`);
}

describe('a recurrent net on the page (headless Chromium)', () => {
  let s: PageSession;
  beforeAll(async () => {
    s = await startPage();
  }, 60_000);
  afterAll(() => s?.close());

  it('trains an LSTM (and a GRU as run B) from the URL, draws ‖∂L/∂h_t‖ as 12 time rows and against t, and shows the rnn controls', async () => {
    const page = await s.open(`#${LSTM}&train.steps=6&b.model.cell=gru&play=1`);
    await waitFor(page, `${attr('status')} === 'done'`, 120_000);
    expect(s.errors).toEqual([]);
    const map = await timeMap(page);
    expect(map).toMatchObject({ rows: '12', grey: 0, bands: [] });
    expect(map.columns).toBeGreaterThan(0);
    expect(map.colors).toBeGreaterThan(1);
    for (const run of ['B', 'ratio']) expect((await timeMap(page, run)).rows, run).toBe('12');
    expect(await timeTip(page, 0.98)).toMatch(/^t = 0 · step 6 · \d/);
    expect(await timeTip(page, 0.02)).toMatch(/^t = 11 · step 6 · \d/);
    const points = await inApp<string[]>(page, `return [...root.querySelectorAll('gs-depth-chart')].map((c) => c.getAttribute('axis') + ' ' + c.dataset.points);`);
    expect(points).toEqual(['depth 3', 'time 12']); // input and recurrent weights and the head; 12 time steps
    const png = await inApp<{ name: string; width: number }>(page, `return new Promise((ok) => {
      HTMLAnchorElement.prototype.click = function () {
        void fetch(this.href).then((r) => r.arrayBuffer()).then((b) => ok({ name: this.download, width: new DataView(b).getUint32(16) }));
      };
      root.querySelector('[data-export="time-png"]').click();
    });`);
    const plot = await inApp<number>(page, `return root.querySelector('gs-heatmap[data-time="A"]').shadowRoot.querySelector('canvas').getBoundingClientRect().width;`);
    expect(png.name).toBe('gradscope-time-heatmap.png');
    expect(png.width, 'runs A, B and B / A side by side at 2×').toBeGreaterThan(2 * 3 * plot);
    const controls = await inApp<Record<string, unknown>>(page, `
      const c = root.querySelector('gs-controls').shadowRoot;
      const value = (id) => c.querySelector('#' + id)?.value ?? null;
      const bptt = c.querySelector('#train-bptt');
      return {
        arch: value('model-arch'), cell: value('model-cell'), layers: [c.querySelector('label[for="model-depth"]').textContent, c.querySelector('#model-depth').tagName, value('model-depth')],
        width: value('model-width'), length: value('data-length'), bptt: [bptt.value, bptt.placeholder], forgetBias: value('model-init-forgetBias'),
        absent: ['model-norm', 'model-residual', 'model-activation'].filter((id) => c.querySelector('#' + id)),
        data: [...c.querySelectorAll('#data-name option')].map((o) => o.value),
      };`);
    expect(controls).toEqual({
      arch: 'rnn', cell: 'lstm', layers: ['Layers', 'SELECT', '1'], width: '8', length: '12', bptt: ['', 'full'], forgetBias: '0', absent: [], data: ['adding', 'order', 'mnist'],
    });
    await page.close();
  }, 150_000);

  it('bands two stacked layers, greys the steps truncated BPTT leaves out, and goes away for an MLP', async () => {
    const page = await s.open(`#${LSTM}&model.depth=2&train.bptt=4&train.steps=4&play=1`);
    await waitFor(page, `${attr('status')} === 'done'`, 120_000);
    const map = await timeMap(page);
    expect(map).toMatchObject({ rows: '24', bands: ['layer 0', 'layer 1'] });
    expect(map.grey, 'steps 0–7 of each layer get no gradient').toBeGreaterThan(0);
    expect(await timeTip(page, 0.98)).toBe('layer 0 · t = 0 · step 4 · no gradient');
    const picker = await inApp<string[]>(page, `return [...root.querySelectorAll('[data-time-layer] option')].map((o) => o.textContent);`);
    expect(picker).toEqual(['0 (input)', '1 (top)']);
    await inApp(page, `const e = root.querySelector('gs-controls').shadowRoot.querySelector('#model-arch'); e.value = 'mlp'; e.dispatchEvent(new Event('change'));`);
    await waitFor(page, `!location.hash.includes('model.arch') && ${attr('builds')} === '2'`, 60_000);
    const after = await inApp<number>(page, `return root.querySelectorAll('gs-heatmap[data-time], gs-depth-chart[axis="time"], [data-time-layer]').length;`);
    expect(after).toBe(0);
    expect(s.errors).toEqual([]);
    await page.close();
  }, 150_000);
});
