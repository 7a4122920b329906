import { describe, expect, it } from 'vitest';
import { Arena, ArenaLayout } from '../../src/gpu/arena.ts';
import { ShaderError } from '../../src/gpu/errors.ts';
import { composeShader } from '../../src/gpu/kernel.ts';
import { ReadbackRing } from '../../src/gpu/readback-ring.ts';
import { readF32, upload, zeros } from '../../src/gpu/transfer.ts';
import { activationForward } from '../../src/kernels/activation.ts';
import { matmul } from '../../src/kernels/matmul.ts';
import { run, testContext } from '../helpers/gpu.ts';

describe('WebGPU runtime on a real adapter', () => {
  it('reports the adapter it runs on', async () => {
    const ctx = await testContext();
    expect(ctx.gpu.adapter.vendor.length + ctx.gpu.adapter.description.length).toBeGreaterThan(0);
    expect(ctx.limits.maxStorageBuffersPerShaderStage).toBeGreaterThanOrEqual(8);
  });

  it('builds the same kernels twice and runs them twice with no new pipelines, bind groups or buffers', async () => {
    const ctx = await testContext();
    const [a, b, c, y] = [upload(ctx, new Float32Array(12).fill(1)), upload(ctx, new Float32Array(20).fill(2)), zeros(ctx, 15), zeros(ctx, 15)];
    const build = async () => [
      await matmul(ctx, { M: 3, N: 5, K: 4 }, { kind: 'plain' }, { a, b, c }),
      await activationForward(ctx, 'tanh', 15, { u: c, out: y }),
    ];
    await run(ctx, ...(await build()));
    const before = { ...ctx.created, ...ctx.pipelines.created };
    const again = await build();
    await run(ctx, ...again);
    await run(ctx, ...again);
    expect({ ...ctx.created, ...ctx.pipelines.created }).toEqual(before);
    expect(Array.from(await readF32(ctx, c, 15))).toEqual(new Array(15).fill(8));
  });

  it('names the WGSL file and line of a compile error', async () => {
    const ctx = await testContext();
    const shader = composeShader({ file: 'shaders/broken.wgsl', code: 'fn ok() {}\nfn bad() { let x: u32 = 1.5; }' }, { file: 'shaders/lib.wgsl', code: '// lib\n' });
    const spec = { shader, entry: 'bad', bindings: [] } as const;
    await expect(ctx.pipelines.pipeline(spec)).rejects.toThrow(ShaderError);
    await expect(ctx.pipelines.pipeline(spec)).rejects.toThrow(/shaders\/broken\.wgsl:2:\d+: /);
  });

  it('a module edited under the same file name compiles anew (the cache is keyed by code, not by name)', async () => {
    const ctx = await testContext();
    const out = zeros(ctx, 4);
    const write = (value: number) =>
      composeShader({ file: 'my-kernel.wgsl', code: `@group(0) @binding(0) var<storage, read_write> o: array<f32>;\n@compute @workgroup_size(1) fn main() { o[0] = ${value}.0; }` });
    for (const value of [1, 2]) {
      const spec = { shader: write(value), entry: 'main', bindings: [['o', 'rw']] } as const;
      await run(ctx, await ctx.dispatch('edited kernel', spec, { o: out }, [1, 1, 1]));
      expect((await readF32(ctx, out, 1))[0]).toBe(value);
    }
  });

  it('packs tensors into an arena and reads back each one', async () => {
    const ctx = await testContext();
    const layout = new ArenaLayout('test', ctx.limits.maxStorageBufferBindingSize);
    const slots = [layout.add('a', 3 * 4), layout.add('b', 70 * 4)];
    const arena = new Arena(ctx.device, layout);
    ctx.device.queue.writeBuffer(arena.range(slots[1]!).buffer, slots[1]!.offset, new Float32Array(70).fill(5));
    const got = await readF32(ctx, arena.range(slots[1]!), 70);
    expect(got.every((v) => v === 5)).toBe(true);
    arena.destroy();
  });

  it('reads back through the ring without the producer waiting, newest first', async () => {
    const ctx = await testContext();
    const src = zeros(ctx, 4);
    const ring = new ReadbackRing<number>(ctx.device, 16, 2);
    const slots: (number | null)[] = [];
    for (let step = 1; step <= 3; step++) {
      ctx.device.queue.writeBuffer(src.buffer, 0, new Float32Array([step, step, step, step]));
      const enc = ctx.device.createCommandEncoder();
      const slot = ring.encodeCopy(enc, src.buffer);
      ctx.device.queue.submit([enc.finish()]);
      if (slot !== null) ring.commit(slot, step);
      slots.push(slot);
    }
    // Two slots: the third step found both in flight and was skipped rather than waited for.
    expect(slots[2]).toBeNull();
    expect(ring.skipped).toBe(1);
    await ctx.device.queue.onSubmittedWorkDone();
    await ring.waitFor(slots[1]!).then((r) => {
      expect(r.tag).toBe(2);
      expect(new Float32Array(r.data)[0]).toBe(2);
    });
    await new Promise((r) => setTimeout(r, 10));
    const newest = ring.takeNewest();
    expect(newest?.tag).toBe(1);
    expect(ring.takeNewest()).toBeNull();
    ring.destroy();
  });
});
