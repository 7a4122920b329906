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
      const { net, program, refParams, spec, x, y, read } = await buildTestNet(ctx, t, 17);
      const snapshot = await stepAndRead(ctx, program);
      const ref = netForwardBackward(spec, refParams, x, y, t.batch);
      const record = program.stats.decode(snapshot, 1, 0);
      expect(Math.abs(record.loss - ref.loss) / Math.abs(ref.loss)).toBeLessThan(1e-4);
      const grad = (name: string) => read(name, net.grads);
      for (let l = 0; l < t.depth; l++) {
        const r = ref.grads.blocks[l]!;
        const pairs: [string, Float32Array, ArrayLike<number>][] = [
          [`blocks.${l}.weight`, await grad(`blocks.${l}.weight`), r.weight],
          [`blocks.${l}.bias`, await grad(`blocks.${l}.bias`), r.bias],
        ];
        if (norm !== 'none') pairs.push([`blocks.${l}.norm.weight`, await grad(`blocks.${l}.norm.weight`), r.gamma!], [`blocks.${l}.norm.bias`, await grad(`blocks.${l}.norm.bias`), r.beta!]);
        if (residual === 'rezero' && l > 0) pairs.push([`blocks.${l}.alpha`, await grad(`blocks.${l}.alpha`), [r.alpha!]]);
        for (const [name, got, want] of pairs) {
          // Batch norm cancels the linear bias: its true gradient is zero and only rounding is left to compare.
          if (norm === 'batch' && name.endsWith('.bias') && !name.includes('norm')) continue;
          const err = normRelError(got, want);
          expect(err, `${name}: ‖gpu − ref‖/‖ref‖ = ${err.toExponential(2)}`).toBeLessThanOrEqual(1e-4);
        }
      }
      expect(normRelError(await grad('head.weight'), ref.grads.head.weight)).toBeLessThanOrEqual(1e-4);
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

  for (const optimizer of ['sgd', 'adam'] as const) {
    it(`updateRatio is ‖ΔW‖/‖W‖ of the update the step applied (${optimizer})`, async () => {
      const ctx = await testContext();
      const t: TestShape = { inputDim: 5, outputDim: 3, width: 12, depth: 20, batch: 16, activation: 'tanh', norm: 'layer', residual: 'identity', task: 'classification' };
      const hyper = { lr: 0.05, momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, clipMax: 1 };
      const { net, program, refParams, spec, x, y, read } = await buildTestNet(ctx, t, 23, { optimizer, clip: 'none', hyper });
      const weights = [...Array.from({ length: t.depth }, (_, l) => `blocks.${l}.weight`), 'head.weight'];
      const before = await Promise.all(weights.map((w) => read(w)));
      const record = program.stats.decode(await stepAndRead(ctx, program), 1, 0);
      const after = await Promise.all(weights.map((w) => read(w)));
      const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));
      const applied = before.map((w, l) => norm(Array.from(after[l]!, (v, i) => v - w[i]!)) / norm(w));
      expect(applied.every((r) => r > 0)).toBe(true);
      expect(normRelError(record.updateRatio, applied), 'against the weights read back').toBeLessThanOrEqual(1e-5);
      if (optimizer === 'sgd') {
        // ΔW = −lr·(g + wd·W), from the reference's gradient.
        const ref = netForwardBackward(spec, refParams, x, y, t.batch);
        const grads = [...ref.grads.blocks.map((b) => b.weight), ref.grads.head.weight];
        const want = grads.map((g, l) => norm(Array.from(g, (v, i) => hyper.lr * (v + hyper.weightDecay * before[l]![i]!))) / norm(before[l]!));
        expect(normRelError(record.updateRatio, want), 'against the reference').toBeLessThanOrEqual(1e-4);
      }
      program.destroy();
      net.destroy();
    });
  }
});
