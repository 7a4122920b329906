// Mean-field theory beside the measurement: a wide plain tanh net at initialisation, measured on the GPU, against
// what src/stats/theory.ts predicts from its σ_w², σ_b² and its inputs' mean square.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/model/config.ts';
import { inputMeanSquare, predictedDeltaNorm, runTheory, theoryCurves } from '../../src/stats/theory.ts';
import type { StepRecord } from '../../src/stats/record.ts';
import { makeDataset } from '../../src/train/data/dataset.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { testContext } from '../helpers/gpu.ts';

describe('mean-field theory against a measured net', () => {
  for (const sigmaW2 of [1.2, 2.5]) {
    it(`tanh, σ_w² = ${sigmaW2}, σ_b² = 0.05, width 512: activation spread and the backward signal's decay`, async () => {
      const ctx = await testContext();
      const config = resolveConfig({
        data: { name: 'spiral', samples: 256 },
        model: { depth: 16, width: 512, activation: 'tanh', init: { scheme: 'meanfield', sigmaW2, sigmaB2: 0.05 } },
        train: { batchSize: 128, lr: 1e-9, clip: { mode: 'none' } },
        log: { every: 1 },
      });
      const data = await makeDataset(config.data, config.seed);
      const trainer = await Trainer.create(ctx, config, data);
      let r: StepRecord | undefined;
      await trainer.run(1, (x) => (r = x));
      trainer.destroy();
      const theory = runTheory(config.model, inputMeanSquare((data.train as { x: Float32Array }).x, data.inputDim))!;
      const curves = theoryCurves(theory, 16);
      // The spread of every block's activations, within 6% (measured 0.94–1.04: finite width and batch, and each
      // sample's own |x|² where the theory takes their mean).
      for (let l = 0; l < 16; l++) expect(Math.abs(r!.actStd[l]! / curves.actStd[l]! - 1), `actStd block ${l}`).toBeLessThan(0.06);
      // ‖∂L/∂z‖ from the last block back to the first: the theory's product of √χ per block, within 30% over 15
      // blocks (measured 1.01 ordered; 0.76 chaotic, where finite-width fluctuations grow with depth).
      const predicted = predictedDeltaNorm(curves, r!)!;
      expect(Math.abs(predicted[0]! / r!.deltaNorm[0]! - 1)).toBeLessThan(0.3);
      // And the direction the theory says: ordered fades toward the input, chaotic grows.
      if (theory.phase === 'ordered') expect(r!.deltaNorm[0]!).toBeLessThan(0.5 * r!.deltaNorm[15]!);
      else expect(r!.deltaNorm[0]!).toBeGreaterThan(2 * r!.deltaNorm[15]!);
    }, 60_000);
  }
});
