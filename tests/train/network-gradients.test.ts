import { describe, expect, it } from 'vitest';
import type { Activation } from '../../src/kernels/activation.ts';
import { netForwardBackward } from '../../src/reference/index.ts';
import { testContext } from '../helpers/gpu.ts';
import { buildTestNet, normRelError, stepAndRead, type TestShape } from '../helpers/net.ts';

type Combo = [Activation, TestShape['norm'], TestShape['residual']];
// 14 combinations at depth 20 or more, every activation, norm and residual kind at least twice.
const COMBOS: Combo[] = [
  ['relu', 'none', 'none'],
  ['tanh', 'none', 'none'],
  ['sigmoid', 'batch', 'none'],
  ['gelu', 'layer', 'identity'],
  ['leaky_relu', 'none', 'rezero'],
  ['linear', 'layer', 'none'],
  ['tanh', 'batch', 'identity'],
  ['relu', 'batch', 'rezero'],
  ['gelu', 'none', 'identity'],
  ['sigmoid', 'layer', 'rezero'],
  ['leaky_relu', 'batch', 'identity'],
  ['relu', 'layer', 'identity'],
  ['tanh', 'none', 'rezero'],
  ['gelu', 'batch', 'none'],
];

describe('whole-network gradients on the GPU against the float64 reference', () => {
  for (const [activation, norm, residual] of COMBOS) {
    it(`depth 20: ${activation}, norm ${norm}, residual ${residual}`, async () => {
      const ctx = await testContext();
      const t: TestShape = { inputDim: 5, outputDim: 3, width: 12, depth: 20, batch: 16, activation, norm, residual, task: 'classification' };
      const { net, plan, program, refParams, spec, x, y } = await buildTestNet(ctx, t, 17);
      const snapshot = await stepAndRead(ctx, program);
      const ref = netForwardBackward(spec, refParams, x, y, t.batch);
      const record = program.stats.decode(snapshot, 1, 0);
      expect(Math.abs(record.loss - ref.loss) / Math.abs(ref.loss)).toBeLessThan(1e-4);
      const grad = async (slot: (typeof plan.params)[number]['slot']) => net.readTensor(net.grads, slot);
      for (const [l, b] of plan.blocks.entries()) {
        const r = ref.grads.blocks[l]!;
        const pairs: [string, Float32Array, ArrayLike<number>][] = [
          [`blocks.${l}.weight`, await grad(b.weight), r.weight],
          [`blocks.${l}.bias`, await grad(b.bias), r.bias],
        ];
        if (b.gamma) pairs.push([`blocks.${l}.norm.weight`, await grad(b.gamma), r.gamma!], [`blocks.${l}.norm.bias`, await grad(b.beta!), r.beta!]);
        if (b.alpha) pairs.push([`blocks.${l}.alpha`, await grad(b.alpha), [r.alpha!]]);
        for (const [name, got, want] of pairs) {
          // Batch norm cancels the linear bias: its true gradient is zero and only rounding is left to compare.
          if (norm === 'batch' && name.endsWith('.bias') && !name.includes('norm')) continue;
          const err = normRelError(got, want);
          expect(err, `${name}: ‖gpu − ref‖/‖ref‖ = ${err.toExponential(2)}`).toBeLessThanOrEqual(1e-4);
        }
      }
      expect(normRelError(await grad(plan.head.weight), ref.grads.head.weight)).toBeLessThanOrEqual(1e-4);
      // The statistics the record carries agree with the reference's.
      expect(normRelError(record.gradNorm, ref.stats.gradNorm)).toBeLessThanOrEqual(1e-4);
      expect(normRelError(record.deltaNorm, ref.stats.deltaNorm)).toBeLessThanOrEqual(1e-4);
      expect(normRelError(record.weightNorm, ref.stats.weightNorm)).toBeLessThanOrEqual(1e-5);
      expect(normRelError(record.actStd, ref.stats.actStd)).toBeLessThanOrEqual(1e-4);
      expect(record.saturated.map((v, i) => Math.abs(v - ref.stats.saturated[i]!)).every((d) => d < 0.02)).toBe(true);
      expect(record.dead).toEqual(ref.stats.dead.map((d) => expect.closeTo(d, 5)));
      program.destroy();
      net.destroy();
    });
  }
});
