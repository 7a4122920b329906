// The page against the engine at one depth: build time, first step and steps/s of each, and where the page's main
// thread spends a training window (a CPU profile through the DevTools protocol).
//   node --import ./bin/register.js scripts/page-pace.ts [depth=1000] [seconds=30] [profile=1]
import type { CDPSession } from 'puppeteer-core';
import { nodeDevice } from '../src/gpu/node-gpu.ts';
import { KernelContext } from '../src/gpu/context.ts';
import { defaultConfig, type RunConfig } from '../src/model/config.ts';
import { Trainer } from '../src/train/trainer.ts';
import { loadDataset } from '../src/cli/run-config.ts';
import { startPage } from '../tests/helpers/browser.ts';

const depth = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 30);
const profile = process.argv[4] !== '0';
const hash = `#model.depth=${depth}&model.width=16&train.batchSize=32&play=1`;

async function engine(): Promise<{ buildMs: number; firstMs: number; stepsPerSec: number; steps: number }> {
  const base = defaultConfig();
  const config: RunConfig = { ...base, model: { ...base.model, depth, width: 16 }, train: { ...base.train, batchSize: 32, steps: 1_000_000 } };
  const data = await loadDataset(config);
  const gpu = await nodeDevice();
  try {
    const t0 = performance.now();
    const trainer = await Trainer.create(new KernelContext(gpu), config, data, { stepsPerSubmit: 8 });
    const buildMs = performance.now() - t0;
    await trainer.run(1, () => {});
    const firstMs = performance.now() - t0;
    const t1 = performance.now();
    let steps = 0;
    await trainer.run(1_000_000, () => {}, () => performance.now() - t1 > seconds * 1000 && (steps = trainer.step - 1) > 0);
    const stepsPerSec = (trainer.step - 1) / ((performance.now() - t1) / 1000);
    trainer.destroy();
    return { buildMs, firstMs, stepsPerSec, steps: trainer.step - 1 };
  } finally {
    gpu.destroy();
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const frameName = (f: ProfileNode['callFrame']): string => {
  const file = f.url.replace(/^.*\/(src|node_modules)\//, '$1/').replace(/\?.*$/, '');
  return f.functionName || f.url ? `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}` : f.functionName || '(program)';
};

/** Inclusive time of the project's own functions (each counted once per sample however deep it recurs). */
function inclusiveTimes(p: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, top = 18): { what: string; ms: number }[] {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const ms = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      if (!f.url.includes('/src/')) continue;
      const key = frameName(f);
      if (!seen.has(key)) ms.set(key, (ms.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
      seen.add(key);
    }
  });
  return [...ms].sort((a, b) => b[1] - a[1]).slice(0, top).map(([what, v]) => ({ what, ms: v }));
}

/** Self time by function over a CPU profile, the largest first. */
function selfTimes(p: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, top = 18): { what: string; ms: number }[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const ms = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const key = frameName(byId.get(id)!.callFrame);
    ms.set(key, (ms.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  const total = [...ms.values()].reduce((a, b) => a + b, 0);
  return [{ what: 'total sampled', ms: total }, ...[...ms].sort((a, b) => b[1] - a[1]).slice(0, top).map(([what, v]) => ({ what, ms: v }))];
}

async function pageRun(): Promise<Record<string, unknown>> {
  const s = await startPage();
  try {
    // A blank tab, so the navigation below loads the app cold (opening it at the bare URL would build the default net first).
    const page = await s.browser.newPage();
    page.on('pageerror', (e) => s.errors.push(String(e)));
    let cdp: CDPSession | null = null;
    const step = async () => Number(await page.$eval('gs-app', (e) => e.getAttribute('data-step') ?? 0));
    const t0 = performance.now();
    if (profile) {
      cdp = await page.createCDPSession();
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
    }
    await page.goto(s.url + hash, { waitUntil: 'load' });
    const loadedMs = performance.now() - t0;
    await page.waitForFunction(`document.querySelector('gs-app')?.dataset.builds === '1'`, { timeout: 900_000, polling: 50 });
    const builtMs = performance.now() - t0;
    await page.waitForFunction(`Number(document.querySelector('gs-app')?.dataset.step) >= 1`, { timeout: 900_000, polling: 50 });
    const firstMs = performance.now() - t0;
    const built = cdp ? ((await cdp.send('Profiler.stop')).profile as never) : null;
    const buildProfile = built ? { self: selfTimes(built), inclusive: inclusiveTimes(built) } : null;
    // Past the first chunks (pipelines warm), then a timed window.
    await page.waitForFunction(`Number(document.querySelector('gs-app')?.dataset.step) >= 5`, { timeout: 900_000, polling: 50 });
    if (cdp) await cdp.send('Profiler.start');
    const a = { t: performance.now(), step: await step() };
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const b = { t: performance.now(), step: await step() };
    const ran = cdp ? ((await cdp.send('Profiler.stop')).profile as never) : null;
    const runProfile = ran ? { self: selfTimes(ran), inclusive: inclusiveTimes(ran) } : null;
    // Responsiveness: space pauses; how long until the page says paused.
    const p0 = performance.now();
    await page.keyboard.press('Space');
    await page.waitForFunction(`document.querySelector('gs-app')?.dataset.status === 'paused'`, { timeout: 60_000, polling: 'raf' });
    const pauseMs = performance.now() - p0;
    // A hover read-out: the pointer onto the middle of the layer heatmap, until its tip is rendered.
    const hoverMs = await page.evaluate(async () => {
      const heat = document.querySelector('gs-app')!.shadowRoot!.querySelector('gs-heatmap[data-run="A"]') as HTMLElement & { updateComplete: Promise<unknown> };
      const canvas = heat.shadowRoot!.querySelector('canvas')!;
      const r = canvas.getBoundingClientRect();
      const t0 = performance.now();
      canvas.dispatchEvent(new PointerEvent('pointermove', { clientX: r.left + r.width * 0.6, clientY: r.top + r.height * 0.5, bubbles: true }));
      await heat.updateComplete;
      return heat.shadowRoot!.querySelector('.tip') ? performance.now() - t0 : -1;
    });
    return { loadedMs, builtMs, firstMs, stepsPerSec: (b.step - a.step) / ((b.t - a.t) / 1000), steps: b.step - a.step, pauseMs, hoverMs, errors: s.errors, buildProfile, runProfile };
  } finally {
    await s.close();
  }
}

const which = process.env.ONLY;
const out: Record<string, unknown> = { depth, hash, seconds };
if (which !== 'page') out.engine = await engine();
if (which !== 'engine') out.page = await pageRun();
console.log(JSON.stringify(out, null, 1));
