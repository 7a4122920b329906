import { describe, expect, it } from 'vitest';
import type { BindingKind, KernelSpec } from '../../src/gpu/kernel.ts';
import { activationSpec } from '../../src/kernels/activation.ts';
import { matmulSpec } from '../../src/kernels/matmul.ts';
import { MATMUL_TILINGS } from '../../src/kernels/tunables.ts';
import { gatherSpec } from '../../src/kernels/data.ts';
import { linearSpec } from '../../src/kernels/linear.ts';
import { layerStatsSpec } from '../../src/kernels/stats.ts';
import { peakSpec } from '../../src/bench/peak-bench.ts';

const DECL = /@group\(0\)\s*@binding\((\d+)\)\s*var(?:<([^>]+)>)?\s+(\w+)/g;

/** Every (binding, kind) a WGSL module declares; a binding may be declared more than once (views). */
function declaredBindings(code: string): Map<number, Set<BindingKind>> {
  const out = new Map<number, Set<BindingKind>>();
  for (const m of code.matchAll(DECL)) {
    const space = (m[2] ?? '').replace(/\s/g, '');
    const kind: BindingKind = space === 'uniform' ? 'uniform' : space === 'storage,read_write' ? 'rw' : 'read';
    const i = Number(m[1]);
    out.set(i, (out.get(i) ?? new Set()).add(kind));
  }
  return out;
}

export function expectSpecMatchesWgsl(spec: KernelSpec): void {
  const declared = declaredBindings(spec.shader.code);
  spec.bindings.forEach(([name, kind], i) => {
    expect(declared.get(i), `${spec.shader.file}: binding ${i} (${name}) is not declared`).toBeDefined();
    expect([...declared.get(i)!], `${spec.shader.file}: binding ${i} (${name}) should be ${kind}`).toContain(kind);
  });
  expect(declared.size, `${spec.shader.file}: declares bindings the spec does not bind`).toBe(spec.bindings.length);
  expect(spec.shader.code).toMatch(new RegExp(`fn ${spec.entry}\\(`));
}

describe('kernel specs agree with their WGSL', () => {
  it('activation', () => {
    expectSpecMatchesWgsl(activationSpec('forward', 'relu'));
    expectSpecMatchesWgsl(activationSpec('backward', 'gelu'));
  });
  it('data, linear, stats and the peak micro-kernels', () => {
    expectSpecMatchesWgsl(gatherSpec('gather_rows'));
    expectSpecMatchesWgsl(gatherSpec('gather_labels'));
    for (const e of ['bias_grad', 'alpha_grad'] as const) expectSpecMatchesWgsl(linearSpec(e));
    expectSpecMatchesWgsl(layerStatsSpec('relu', true));
    expectSpecMatchesWgsl(peakSpec('peak_fma'));
    expectSpecMatchesWgsl(peakSpec('peak_copy'));
  });
  it('matmul', () => {
    for (const t of Object.values(MATMUL_TILINGS)) expectSpecMatchesWgsl(matmulSpec({ M: 1, N: 1, K: 1 }, { kind: 'plain' }, t));
  });
});
