import { describe, expect, it } from 'vitest';
import { planSuite, type BenchEntry } from '../../src/bench/suite.ts';
import { plannedPairs } from '../../src/bench/step-bench.ts';

const ids = (es: BenchEntry[]) => es.map((e) => e.id);
const total = (es: BenchEntry[]) => es.reduce((t, e) => t + e.estimateS, 0);

describe('the suite plan', () => {
  it('is known before anything runs: peaks first, then what the filter picks', () => {
    expect(ids(planSuite({ filter: /matmul\/vec4 fwd-b128-w128/ }))).toEqual(['peak/fma', 'peak/copy', 'matmul/vec4 fwd-b128-w128']);
    // A paired case runs when any of its names matches.
    expect(ids(planSuite({ filter: /depth100-width128-nostats/ }))).toEqual(['peak/fma', 'peak/copy', 'step/depth100-width128']);
  });

  it('gives every case a finite, positive estimate; the slow cases weigh most', () => {
    const full = planSuite();
    for (const e of full) expect(Number.isFinite(e.estimateS) && e.estimateS > 0, e.id).toBe(true);
    const slow = full.filter((e) => e.slow);
    expect(total(slow)).toBeGreaterThan(total(full) / 3);
  });

  it('a quick run leaves out the slow cases and keeps the rest', () => {
    const full = ids(planSuite());
    const quick = ids(planSuite({ quick: true }));
    for (const gone of ['matmul/vec4 2048', 'matmul/reg 1024', 'matmul/tiled fwd-b512-w1024', 'peer/tfjs-webgpu 1024', 'step/depth1000-width128', 'step/resnet20-b128', 'step/resnet56-b128']) {
      expect(full).toContain(gone);
      expect(quick).not.toContain(gone);
    }
    for (const kept of ['matmul/vec4 512', 'peer/tfjs-webgpu 512', 'step/depth100-width128', 'optimizer/adam 10000000']) expect(quick).toContain(kept);
    expect(total(planSuite({ quick: true }))).toBeLessThan(total(planSuite()) / 2);
  });

  it('runs extra cases last, whatever the filter', () => {
    const extra: BenchEntry = { id: 'matmul/custom 256', estimateS: 1, run: async () => [] };
    expect(ids(planSuite({ filter: /^peak\//, extra: [extra] }))).toEqual(['peak/fma', 'peak/copy', 'matmul/custom 256']);
  });
});

describe('the step benchmark plan', () => {
  it('takes as many pairs as fit its budget, from 4 to 16', () => {
    expect(plannedPairs(1_000).planned).toBe(16);
    expect(plannedPairs(9_000).planned).toBe(5);
    expect(plannedPairs(25_000).planned).toBe(4);
  });
});
