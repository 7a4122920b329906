import { describe, expect, it } from 'vitest';
import { ArenaLayout, SLOT_ALIGN } from '../../src/gpu/arena.ts';
import { dispatch1d, dispatch2d } from '../../src/gpu/dispatch.ts';
import { composeShader, sourceLine, specKey } from '../../src/gpu/kernel.ts';
import { findSwiftShaderIcd } from '../../src/gpu/node-gpu.ts';
import { Rng } from '../../src/math/prng.ts';
import { effectiveTiling, matmulWorkgroups, vec4Aligned } from '../../src/kernels/matmul.ts';
import { MATMUL_TILINGS } from '../../src/kernels/tunables.ts';

describe('dispatch math', () => {
  it('folds 1-D work into y past the per-dimension limit', () => {
    expect(dispatch1d(1, 256)).toEqual([1, 1, 1]);
    expect(dispatch1d(256 * 65535, 256)).toEqual([65535, 1, 1]);
    expect(dispatch1d(256 * 65535 + 1, 256)).toEqual([65535, 2, 1]);
    expect(dispatch1d(0, 64)).toEqual([1, 1, 1]);
  });
  it('covers a grid with tiles', () => {
    expect(dispatch2d(17, 65, 16, 64)).toEqual([2, 2, 1]);
    expect(matmulWorkgroups(257, 1, MATMUL_TILINGS.vec4x2_16x8)).toEqual([1, 9, 1]);
  });
  it('uses vec4 loads only where both operands are vec4-aligned', () => {
    expect(vec4Aligned({ M: 3, N: 8, K: 12 })).toBe(true);
    expect(vec4Aligned({ M: 3, N: 8, K: 2 })).toBe(false);
    expect(vec4Aligned({ M: 12, N: 8, K: 1027, transA: true })).toBe(true);
    expect(effectiveTiling({ M: 3, N: 5, K: 2 }, MATMUL_TILINGS.vec4_8x8)).toEqual({ variant: 'reg', wgX: 8, wgY: 8 });
  });
});

describe('ArenaLayout', () => {
  it('aligns every slot to 256 bytes and splits chunks under the binding limit', () => {
    const a = new ArenaLayout('params', 1024);
    const s1 = a.add('w1', 12);
    const s2 = a.add('w2', 600);
    const s3 = a.add('w3', 300);
    expect([s1.offset, s2.offset]).toEqual([0, SLOT_ALIGN]);
    expect(s3.chunk).toBe(1);
    expect(s3.offset).toBe(0);
    expect(a.totalBytes).toBe(256 + 768 + 512);
  });
  it('refuses a tensor larger than one binding, naming it', () => {
    expect(() => new ArenaLayout('grads', 1024).add('blocks.0.weight', 4096)).toThrow(/blocks\.0\.weight needs 4096 bytes.*at most 1024/);
  });
});

describe('Rng', () => {
  it('is deterministic per seed and forks independent streams', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(xs);
    expect(new Rng(43).nextU32()).not.toBe(xs[0]);
    const f1 = new Rng(1).fork('init');
    const f2 = new Rng(1).fork('data');
    expect(f1.nextU32()).not.toBe(f2.nextU32());
  });
  it('draws standard normals with mean 0 and variance 1', () => {
    const r = new Rng(7);
    const n = 20000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.04);
  });
  it('gives a known first value (the same in every engine)', () => {
    expect(new Rng(1).nextU32()).toBe(new Rng(1).nextU32());
    expect(new Rng(0).uniform()).toBeGreaterThanOrEqual(0);
  });
});

describe('shader sources', () => {
  it('maps lines of a composed module back to their files', () => {
    const s = composeShader({ file: 'main.wgsl', code: 'a\nb\nc' }, { file: 'lib.wgsl', code: 'x\ny' });
    expect(sourceLine(s, 2)).toEqual(['lib.wgsl', 2]);
    expect(sourceLine(s, 4)).toEqual(['main.wgsl', 2]);
  });
  it('keys pipelines by file, entry point and sorted constants', () => {
    const shader = composeShader({ file: 'f.wgsl', code: '' });
    const k1 = specKey({ shader, entry: 'e', bindings: [], constants: { B: 1, A: 2 } });
    const k2 = specKey({ shader, entry: 'e', bindings: [], constants: { A: 2, B: 1 } });
    expect(k1).toBe(k2);
  });
});

describe('SwiftShader discovery', () => {
  it('prefers an explicit VK_ICD_FILENAMES, then known places', () => {
    expect(findSwiftShaderIcd({ VK_ICD_FILENAMES: '/x.json' }, () => false)).toBe('/x.json');
    expect(findSwiftShaderIcd({}, (p) => p === '/opt/google/chrome/vk_swiftshader_icd.json')).toBe('/opt/google/chrome/vk_swiftshader_icd.json');
    expect(findSwiftShaderIcd({}, () => false)).toBeUndefined();
  });
});
