import { describe, expect, it } from 'vitest';
import { expectSpecMatchesWgsl as check } from '../helpers/specs.ts';
import type { KernelSpec } from '../../src/gpu/kernel.ts';
import { activationSpec } from '../../src/kernels/activation.ts';
import { convSpec } from '../../src/kernels/conv.ts';
import { matmulSpec } from '../../src/kernels/matmul.ts';
import { poolSpec } from '../../src/kernels/pool.ts';
import { shortcutSpec } from '../../src/kernels/shortcut.ts';
import { MATMUL_TILINGS } from '../../src/kernels/tunables.ts';
import { gatherSpec } from '../../src/kernels/data.ts';
import { linearSpec } from '../../src/kernels/linear.ts';
import { layerStatsSpec } from '../../src/kernels/stats.ts';
import { peakSpec } from '../../src/bench/peak-bench.ts';

/** Every binding declared with the spec's access, and nothing declared that the spec leaves unbound. */
const expectSpecMatchesWgsl = (spec: KernelSpec): void => check(spec, { exhaustive: true });

describe('kernel specs agree with their WGSL', () => {
  it('activation', () => {
    expectSpecMatchesWgsl(activationSpec('forward', 'relu'));
    expectSpecMatchesWgsl(activationSpec('backward', 'gelu'));
  });
  it('data, linear, stats and the peak micro-kernels', () => {
    expectSpecMatchesWgsl(gatherSpec('gather_rows'));
    expectSpecMatchesWgsl(gatherSpec('gather_labels'));
    for (const e of ['bias_grad', 'alpha_grad'] as const) check(linearSpec(e), { names: true });
    expectSpecMatchesWgsl(linearSpec('bias_grad_norms'));
    for (const pass of ['layer_columns', 'layer_columns4', 'layer_totals'] as const) check(layerStatsSpec('relu', true, pass), { names: true });
    expectSpecMatchesWgsl(peakSpec('peak_fma'));
    expectSpecMatchesWgsl(peakSpec('peak_copy'));
  });
  it('matmul', () => {
    for (const t of Object.values(MATMUL_TILINGS)) expectSpecMatchesWgsl(matmulSpec({ M: 1, N: 1, K: 1 }, { kind: 'plain' }, t));
  });
  it('conv2d, average pooling and the option-A shortcut', () => {
    for (const pass of ['forward', 'input', 'weights'] as const) {
      for (const t of Object.values(MATMUL_TILINGS)) expectSpecMatchesWgsl(convSpec(pass, { kind: 'plain' }, t));
    }
    for (const d of ['forward', 'backward'] as const) {
      expectSpecMatchesWgsl(poolSpec(d));
      expectSpecMatchesWgsl(shortcutSpec(d, true));
    }
  });
});
