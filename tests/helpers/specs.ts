import { expect } from 'vitest';
import type { BindingKind, KernelSpec } from '../../src/gpu/kernel.ts';

const DECL = /@group\(0\)\s*@binding\((\d+)\)\s*var(?:<([^>]+)>)?\s+(\w+)/g;

function kindOf(space: string): BindingKind {
  const s = space.replace(/\s/g, '');
  return s === 'uniform' ? 'uniform' : s === 'storage,read_write' ? 'rw' : 'read';
}

/**
 * Binding i of a spec must be declared `@binding(i)` with the same access in its WGSL; with `names`, under the
 * spec's name too (a module may declare one binding twice, as views of different types, for different entry
 * points). With `exhaustive`, the module may declare no binding the spec leaves unbound.
 */
export function expectSpecMatchesWgsl(spec: KernelSpec, opts: { names?: boolean; exhaustive?: boolean } = {}): void {
  const decls = [...spec.shader.code.matchAll(DECL)].map(([, i, space, name]) => ({ i: Number(i), kind: kindOf(space ?? ''), name }));
  spec.bindings.forEach(([name, kind], i) => {
    const found = decls.some((d) => d.i === i && d.kind === kind && (!opts.names || d.name === name));
    expect(found, `${spec.shader.file} (${spec.entry}): binding ${i} should be declared ${kind}${opts.names ? ` as ${name}` : ''}`).toBe(true);
  });
  if (opts.exhaustive) {
    expect(new Set(decls.map((d) => d.i)).size, `${spec.shader.file}: declares bindings the spec does not bind`).toBe(spec.bindings.length);
  }
  expect(spec.shader.code, `${spec.shader.file}: no entry point ${spec.entry}`).toMatch(new RegExp(`fn ${spec.entry}\\(`));
}
