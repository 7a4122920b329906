// The researchers' instruments on the page: the clip overlay (‖g‖ before and after, τ live) and the dotted
// per-layer gradient after clipping on the depth chart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, inApp, setHash, waitFor } from '../helpers/app-page.ts';
import { startPage, type PageSession } from '../helpers/browser.ts';

describe('instruments on the page (headless Chromium)', () => {
  let s: PageSession;
  beforeAll(async () => {
    s = await startPage();
  }, 60_000);
  afterAll(() => s?.close());

  it('the clip overlay draws every logged step, says how many clipped, and takes a new τ without a rebuild', async () => {
    const page = await s.open('#model.depth=6&model.width=16&train.clip.mode=norm&train.clip.max=0.01&train.steps=400&play=1');
    await waitFor(page, `Number(${attr('step')}) >= 10`, 90_000);
    const first = await inApp<{ points: number; clipped: number; overlay: boolean; tau: string }>(page, `
      const c = root.querySelector('gs-clip-chart');
      return {
        points: Number(c.dataset.points),
        clipped: Number(c.dataset.clipped),
        overlay: !!root.querySelector('gs-depth-chart').shadowRoot.querySelector('[data-overlay]'),
        tau: root.querySelector('[data-clip-tau]').value,
      };`);
    expect(first.points).toBeGreaterThan(0);
    // τ = 0.01 is far under a fresh net's gradient norm: every step clips.
    expect(first.clipped).toBe(first.points);
    expect(first.overlay).toBe(true);
    expect(first.tau).toBe('0.01');
    // Where the adapter has timestamp queries (the phase line shows them), one logged step in ten is timed layer by layer.
    const phases = await inApp<boolean>(page, `return !!root.querySelector('[data-phases]');`);
    if (phases) await waitFor(page, `!!document.querySelector('gs-app').shadowRoot.querySelector('gs-layer-time')?.dataset.step`, 90_000);
    const timing = await inApp<{ phases: boolean; step: string; rows: string }>(page, `
      const t = root.querySelector('gs-layer-time');
      return { phases: !!root.querySelector('[data-phases]'), step: t.dataset.step, rows: t.dataset.rows };`);
    if (timing.phases) expect(timing).toMatchObject({ step: expect.stringMatching(/^\d+$/), rows: '7' });
    else expect(timing.step).toBe('');
    const before = Number(await page.$eval('gs-app', (e) => (e as HTMLElement).dataset.step));
    await inApp(page, `const i = root.querySelector('[data-clip-tau]'); i.value = '1000'; i.dispatchEvent(new Event('change'));`);
    await waitFor(page, `location.hash.includes('train.clip.max=1000')`);
    // In place: the run goes on from where it was (a rebuild would restart the steps at 0) and stops clipping.
    await waitFor(page, `Number(${attr('step')}) >= ${before + 30}`, 90_000);
    const after = await inApp<{ step: number; aria: string }>(page, `return { step: Number(document.querySelector('gs-app').dataset.step), aria: root.querySelector('gs-clip-chart').getAttribute('aria-label') };`);
    expect(after.step).toBeGreaterThan(before);
    expect(after.aria).toMatch(/τ 1,?000 on the whole gradient's norm/);
    expect(s.errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('mean-field theory beside the measurement: its numbers with the run, its prediction dotted on the depth chart', async () => {
    const page = await s.open('#model.depth=20&model.width=64&model.activation=tanh&model.init.scheme=meanfield&model.init.sigmaW2=1.5&model.init.sigmaB2=0.05&train.clip.mode=none&train.steps=3&play=1');
    await waitFor(page, `${attr('status')} === 'done'`, 90_000);
    await inApp(page, `const sel = root.querySelector('[data-statistic]'); sel.value = 'deltaNorm'; sel.dispatchEvent(new Event('change'));`);
    await waitFor(page, `!!document.querySelector('gs-app').shadowRoot.querySelector('gs-depth-chart').shadowRoot.querySelector('[data-overlay]')`);
    const shown = await inApp<{ chi1: number; text: string; key: string }>(page, `
      const t = root.querySelector('[data-theory]');
      return { chi1: Number(t.dataset.chi1), text: t.textContent.replace(/\\s+/g, ' '), key: root.querySelector('gs-depth-chart').shadowRoot.querySelector('[data-overlay]').textContent };`);
    expect(shown.chi1).toBeCloseTo(0.939, 3);
    expect(shown.text).toMatch(/ordered phase: χ₁ = 0\.939.*6ξ_c = 9\d\.\d; this net's 20 blocks are within it/);
    expect(shown.key).toContain('mean-field theory');
    // A residual net is outside the theory: no line.
    await setHash(page, '#model.depth=20&model.residual=identity&train.steps=3');
    await waitFor(page, `${attr('depth')} === '20' && location.hash.includes('residual')`);
    await waitFor(page, `!document.querySelector('gs-app').shadowRoot.querySelector('[data-theory]')`);
    expect(s.errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('a dropped sweep file becomes the phase diagram with the theory over it; a broken one is named by line', async () => {
    const page = await s.open('#model.depth=3');
    await waitFor(page, `${attr('ready')} === 'true'`);
    const lines: string[] = [];
    let run = 0;
    for (const depth of [10, 20, 30]) {
      for (const sigmaW2 of [1, 1.75, 2.5, 4]) {
        const grid = { 'model.depth': depth, 'model.init.sigmaW2': sigmaW2 };
        const model = { arch: 'mlp', depth, activation: 'tanh', norm: 'none', residual: 'none', init: { scheme: 'meanfield', sigmaW2, sigmaB2: 0.05 } };
        lines.push(JSON.stringify({ type: 'config', run, grid, config: { model } }));
        lines.push(JSON.stringify({ type: 'summary', run, grid, steps: 300, trainAccuracy: Math.exp(-depth / (10 + 20 * Math.exp(-((sigmaW2 - 1.76) ** 2)))), diverged: null }));
        run++;
      }
    }
    const shown = await inApp<{ runs: string; cells: string; paths: number; axes: string[] }>(page, `
      const p = root.querySelector('gs-phase');
      p.load(${JSON.stringify(lines.join('\n'))}, 'sweep.jsonl');
      return p.updateComplete.then(() => ({
        runs: p.dataset.runs,
        cells: p.dataset.cells,
        paths: p.shadowRoot.querySelectorAll('[data-figure] svg path, [data-figure] svg polyline').length,
        axes: [...p.shadowRoot.querySelectorAll('select')].map((s) => s.value),
      }));`);
    expect(shown).toMatchObject({ runs: '12', cells: '12', axes: ['model.init.sigmaW2', 'model.depth', 'trainAccuracy'] });
    expect(shown.paths).toBeGreaterThanOrEqual(2);
    const error = await inApp<string>(page, `
      const p = root.querySelector('gs-phase');
      p.load('{"type":"config","run":0,"grid":{},"config":{}}\\n{not json', 'broken.jsonl');
      return p.updateComplete.then(() => p.shadowRoot.querySelector('[data-error]').textContent);`);
    expect(error).toMatch(/broken\.jsonl line 2: not JSON/);
    expect(s.errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('a heatmap of one flat colour says in words that the gradient is exactly 0, and why', async () => {
    // A plain ReLU net 4 units wide and 300 deep is dead at initialisation: every gradient is exactly 0.
    const page = await s.open('#model.depth=300&model.width=4&data.name=spiral&train.steps=3&play=1');
    await waitFor(page, `${attr('status')} === 'done'`, 90_000);
    await waitFor(page, `!!document.querySelector('gs-app').shadowRoot.querySelector('[data-heat-note]')`, 30_000);
    const note = await inApp<string>(page, `return root.querySelector('[data-heat-note]').textContent;`);
    expect(note).toMatch(/100% of the 301 layers have a weight gradient of exactly 0, every one from block 0 to the head/);
    expect(s.errors).toEqual([]);
    await page.close();
  }, 120_000);
});
