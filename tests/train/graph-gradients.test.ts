// Whole ResNets on the GPU's graph engine against the float64 graph reference: the loss, every parameter's
// gradient, batch norm's running statistics and the per-row statistics of one training step.
import { describe, expect, it } from 'vitest';
import type { Activation } from '../../src/kernels/activation.ts';
import { Rng } from '../../src/math/prng.ts';
import { resolveConfig, type ModelConfig } from '../../src/model/config.ts';
import type { GraphNetwork } from '../../src/model/graph/graph-network.ts';
import type { Dataset } from '../../src/train/data/types.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { graphForwardBackward } from '../../src/reference/graph.ts';
import type { StepRecord } from '../../src/stats/record.ts';
import { randn, testContext } from '../helpers/gpu.ts';
import { normRelError } from '../helpers/net.ts';

type Combo = { depth: number; width: number; activation: Activation; norm: ModelConfig['norm']; residual: ModelConfig['residual']; H: number; W: number; C: number; tol?: number };

// Plain, identity and rezero; with and without batch norm; odd and even image sizes; 1 and 3 channels.
const COMBOS: Combo[] = [
  { depth: 8, width: 4, activation: 'relu', norm: 'batch', residual: 'identity', H: 6, W: 6, C: 3 },
  { depth: 8, width: 2, activation: 'tanh', norm: 'none', residual: 'none', H: 5, W: 7, C: 1 },
  { depth: 8, width: 4, activation: 'relu', norm: 'batch', residual: 'rezero', H: 5, W: 5, C: 3 },
  // Twelve batch norms of two to eight channels in a row with no skip amplify float32 rounding: layer2.0.bn1.bias has
  // measured 1.5e-5 to 2.04e-5 depending only on the order the conv kernels sum their taps in, so this case allows 5e-5.
  { depth: 14, width: 2, activation: 'gelu', norm: 'batch', residual: 'none', H: 6, W: 5, C: 3, tol: 5e-5 },
  { depth: 14, width: 4, activation: 'tanh', norm: 'none', residual: 'identity', H: 7, W: 6, C: 2 },
  // 8×8 so that stage 3's batch norm has 2×2 positions per image: over 1×1 images of a batch of 4, each
  // norm sees 4 numbers, and eighteen of them in a row amplify float32 rounding past 1e-4.
  { depth: 20, width: 2, activation: 'relu', norm: 'batch', residual: 'identity', H: 8, W: 8, C: 3 },
  { depth: 8, width: 2, activation: 'leaky_relu', norm: 'none', residual: 'rezero', H: 9, W: 9, C: 1 },
];

const CLASSES = 3;
const BATCH = 4;

function imageData(c: Combo, rng: Rng): Dataset {
  const inputDim = c.H * c.W * c.C;
  const split = (n: number) => ({ x: randn(rng, n * inputDim), y: Uint32Array.from({ length: n }, () => rng.int(CLASSES)), n });
  return { name: 'test images', task: 'classification', inputDim, image: { height: c.H, width: c.W, channels: c.C }, outputDim: CLASSES, train: split(BATCH), test: split(2) };
}

/** Weights N(0, 1.2²/fan_in), γ near 1, β and biases small, α = 0.4 (so every path carries a gradient). */
function randomParams(net: GraphNetwork, rng: Rng): Map<string, Float64Array> {
  const params = new Map<string, Float64Array>();
  for (const p of net.plan.paramList) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const f = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      f[i] = p.role === 'weight' ? (1.2 * z) / Math.sqrt(p.fanIn) : p.role === 'gamma' ? 1 + 0.2 * z : p.role === 'alpha' ? 0.4 : 0.1 * z;
    }
    params.set(p.name, Float64Array.from(Float32Array.from(f)));
    net.writeParam(p, Float32Array.from(f));
  }
  return params;
}

describe('whole ResNets on the graph engine against the float64 graph reference', () => {
  for (const c of COMBOS) {
    it(`resnet-${c.depth} width ${c.width}, ${c.activation}, norm ${c.norm}, residual ${c.residual}, ${c.H}×${c.W}×${c.C}`, async () => {
      const ctx = await testContext();
      const rng = new Rng(c.depth * 100 + c.width);
      const data = imageData(c, rng);
      const config = resolveConfig({
        data: { name: 'shapes' },
        model: { arch: 'resnet', depth: c.depth, width: c.width, activation: c.activation, norm: c.norm, residual: c.residual },
        train: { batchSize: BATCH, lr: 1e-6 },
        log: { every: 1 },
      });
      const trainer = await Trainer.create(ctx, config, data);
      try {
        const net = trainer.net;
        const params = randomParams(net, rng);
        const buffers = new Map(net.plan.buffers.map((b) => [b.name, new Float64Array(b.shape[0]!).fill(b.role === 'running_var' ? 1 : 0)]));
        let record: StepRecord | undefined;
        await trainer.run(1, (r) => (record = r));
        const { schedule } = net.plan;
        const graph = net.plan.graph;
        const x = Float64Array.from(await net.readValue(schedule.act[graph.input]!));
        const y = new Uint32Array((await net.readIo('batchY', net.plan.batchY)).buffer, 0, BATCH);
        const ref = graphForwardBackward(graph, params, buffers, { x, y, batch: BATCH });

        expect(Math.abs(record!.loss - ref.loss) / ref.loss, `loss ${record!.loss} vs ${ref.loss}`).toBeLessThan(1e-5);
        for (const p of net.plan.paramList) {
          const want = ref.grads.get(p.name)!;
          const got = await net.readParam(p, net.grads);
          const err = normRelError(got, want);
          expect(err, `${p.name}: ‖gpu − ref‖/‖ref‖ = ${err.toExponential(2)}`).toBeLessThanOrEqual(c.tol ?? 2e-5);
        }
        for (const b of net.plan.buffers) {
          const err = normRelError(await net.readBuffer(b), ref.running.get(b.name)!);
          expect(err, `${b.name}: ${err.toExponential(2)}`).toBeLessThanOrEqual(1e-5);
        }
        graph.rows.forEach((row, l) => {
          const dz = ref.tensorGrads[row.z]!;
          const want = Math.sqrt(dz.reduce((s, v) => s + v * v, 0));
          expect(Math.abs(record!.deltaNorm[l]! - want) / want, `deltaNorm ${row.name}`).toBeLessThan(1e-4);
          const h = ref.tensors[row.h]!;
          const mean = h.reduce((s, v) => s + v, 0) / h.length;
          expect(Math.abs(record!.actMean[l]! - mean), `actMean ${row.name}`).toBeLessThan(1e-4 * (1 + Math.abs(mean)));
        });
        expect(record!.gradNorm).toHaveLength(graph.rows.length);
      } finally {
        trainer.destroy();
      }
    });
  }
});
