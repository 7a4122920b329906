import { beforeAll, describe, expect, it } from 'vitest';
import type { KernelContext } from '../../src/gpu/context.ts';
import { resolveConfig, type ConfigPatch, type RunConfig } from '../../src/model/config.ts';
import type { StepRecord } from '../../src/stats/record.ts';
import { engineOn } from '../../src/train/engine.ts';
import { RunController, type PageStatus, type RunId } from '../../src/ui/session/run-controller.ts';
import { testContext } from '../helpers/gpu.ts';
import { countLiveBuffers, nodeFrames, type LiveBuffers } from '../helpers/live-buffers.ts';

const SMALL: ConfigPatch = { model: { depth: 4, width: 8 }, data: { samples: 256 }, train: { batchSize: 32 } };
const cfg = (patch: ConfigPatch = {}): RunConfig =>
  resolveConfig({ ...SMALL, ...patch, model: { ...SMALL.model, ...patch.model }, train: { ...SMALL.train, ...patch.train }, data: { ...SMALL.data, ...patch.data } });

/** What the page would see: every call the controller makes, in order. */
class Seen {
  events: ({ kind: 'record'; run: RunId; step: number } | { kind: 'test'; step: number } | { kind: 'rebuilt' } | { kind: 'status'; s: PageStatus })[] = [];
  status: PageStatus = 'idle';
  listener = {
    record: (run: RunId, r: StepRecord) => this.events.push({ kind: 'record', run, step: r.step }),
    test: (_run: RunId, step: number) => this.events.push({ kind: 'test', step }),
    status: (s: PageStatus) => {
      this.status = s;
      this.events.push({ kind: 'status', s });
    },
    rebuilt: () => this.events.push({ kind: 'rebuilt' }),
    boundary: () => {},
  };
  /** Steps of records (and test points) delivered after the last rebuilt/reset. */
  sinceRebuild(): number[] {
    const i = this.events.map((e) => e.kind).lastIndexOf('rebuilt');
    return this.events.slice(i + 1).flatMap((e) => (e.kind === 'record' || e.kind === 'test' ? [e.step] : []));
  }
}

const until = async (what: string, f: () => boolean, ms = 30_000): Promise<void> => {
  const t0 = performance.now();
  while (!f()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('RunController on a real device (frames from timers)', () => {
  let ctx: KernelContext;
  let buffers: LiveBuffers;
  beforeAll(async () => {
    nodeFrames();
    ctx = await testContext();
    buffers = countLiveBuffers(ctx.device);
  });

  it('a refused build leaves the running net as it was, and the next good build happens', async () => {
    const seen = new Seen();
    const c = new RunController(engineOn(ctx.gpu), seen.listener);
    await c.load(cfg(), null);
    c.play();
    await until('a few steps', () => c.step >= 8);
    await expect(c.load(cfg({ model: { depth: 10000, width: 4096 } }), null)).rejects.toThrow(/memory|bytes|GiB|MB/i);
    expect(c.trainer('A')!.config.model.depth).toBe(4);
    expect(c.status).toBe('running');
    const before = c.step;
    await until('training goes on', () => c.step > before + 4);
    await c.load(cfg({ model: { depth: 12 } }), null);
    expect(c.trainer('A')!.config.model.depth).toBe(12);
    // A batch larger than the data is refused too, and does not poison the next build either.
    await expect(c.load(cfg({ train: { batchSize: 1024 } }), null)).rejects.toThrow(/batchSize/);
    await c.load(cfg({ model: { depth: 5 } }), null);
    expect(c.trainer('A')!.config.model.depth).toBe(5);
    c.destroy();
  });

  it('every buffer a build made is destroyed when the build is replaced (depth 4 ↔ 5, 24 times)', async () => {
    const seen = new Seen();
    const c = new RunController(engineOn(ctx.gpu), seen.listener);
    const liveAfter: number[] = [];
    for (let i = 0; i < 24; i++) {
      await c.load(cfg({ model: { depth: 4 + (i % 2) } }), null);
      c.stepOnce();
      await until('its record', () => seen.sinceRebuild().length > 0);
      liveAfter.push(buffers.live);
    }
    // The first builds fill the device-wide caches (uniform blocks, dummies); from then on nothing grows.
    expect(liveAfter.slice(2).every((n, i) => n === liveAfter[i % 2]), `live buffers after each build: ${liveAfter.join(' ')}`).toBe(true);
    const held = buffers.byLabel();
    c.destroy();
    expect(buffers.live, `still live after destroy: ${JSON.stringify(held)}`).toBeLessThan(liveAfter[0]!);
  });

  it('after a reset no record or test point of the old run reaches the page', async () => {
    const seen = new Seen();
    const c = new RunController(engineOn(ctx.gpu), seen.listener);
    await c.load(cfg(), null);
    for (let i = 0; i < 6; i++) {
      c.stepOnce();
      await until('a record', () => seen.sinceRebuild().length > i);
    }
    // Records of steps 7 and 8 are on their way back when the run is reset.
    c.stepOnce();
    c.stepOnce();
    c.reset();
    c.stepOnce();
    await until('the new run reaches step 1', () => seen.sinceRebuild().length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.sinceRebuild()).toEqual([1]);
    c.destroy();
  });
});
