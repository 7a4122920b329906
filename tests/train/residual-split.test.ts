// The residual split (StatsRecord.residualSkipNorm / residualBranchNorm) of whole MLPs and ResNets against the
// float64 graph reference: for every residual block y = skip(x) + α·F(x), ‖S‖ of the gradient the skip hands x
// and ‖B‖ = ‖∂L/∂x − S‖ of what the branch hands it.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/math/prng.ts';
import { resolveConfig, type ConfigPatch } from '../../src/model/config.ts';
import type { LayerNode } from '../../src/model/graph/graph.ts';
import type { GraphNetwork } from '../../src/model/graph/graph-network.ts';
import { shortcutABackward } from '../../src/reference/conv.ts';
import { graphForwardBackward } from '../../src/reference/graph.ts';
import type { StepRecord } from '../../src/stats/record.ts';
import type { Dataset } from '../../src/train/data/types.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { randn, testContext } from '../helpers/gpu.ts';

const CLASSES = 3;
const BATCH = 4;

function data(shape: { inputDim: number; image?: { height: number; width: number; channels: number } }, rng: Rng): Dataset {
  const split = (n: number) => ({ x: randn(rng, n * shape.inputDim), y: Uint32Array.from({ length: n }, () => rng.int(CLASSES)), n });
  return { name: 'test', task: 'classification', inputDim: shape.inputDim, ...(shape.image ? { image: shape.image } : {}), outputDim: CLASSES, train: split(BATCH), test: split(2) };
}

/** Weights N(0, 1.2²/fan_in), γ near 1, β and biases small, α = 0.4 (so both paths carry a gradient). */
function randomParams(net: GraphNetwork, rng: Rng): Map<string, Float64Array> {
  const params = new Map<string, Float64Array>();
  for (const p of net.plan.paramList) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const f = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      f[i] = p.role === 'weight' ? (1.2 * z) / Math.sqrt(p.fanIn) : p.role === 'gamma' ? 1 + 0.2 * z : p.role === 'alpha' ? 0.4 : 0.1 * z;
    }
    params.set(p.name, Float64Array.from(f));
    net.writeParam(p, f);
  }
  return params;
}

const norm = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

type Case = { name: string; patch: ConfigPatch; inputDim: number; image?: { height: number; width: number; channels: number }; blocks: number };
const CASES: Case[] = [
  { name: 'mlp depth 6, tanh, identity', patch: { model: { arch: 'mlp', depth: 6, width: 7, activation: 'tanh', residual: 'identity' } }, inputDim: 5, blocks: 5 },
  { name: 'mlp depth 5, relu, layer norm, rezero', patch: { model: { arch: 'mlp', depth: 5, width: 9, activation: 'relu', norm: 'layer', residual: 'rezero' } }, inputDim: 4, blocks: 4 },
  { name: 'mlp depth 4, gelu, batch norm, identity', patch: { model: { arch: 'mlp', depth: 4, width: 6, activation: 'gelu', norm: 'batch', residual: 'identity' } }, inputDim: 3, blocks: 3 },
  { name: 'resnet-14, batch norm, identity with option-A shortcuts', patch: { data: { name: 'shapes' }, model: { arch: 'resnet', depth: 14, width: 2, activation: 'relu', norm: 'batch', residual: 'identity' } }, inputDim: 6 * 6 * 3, image: { height: 6, width: 6, channels: 3 }, blocks: 6 },
  { name: 'resnet-8, no norm, rezero', patch: { data: { name: 'shapes' }, model: { arch: 'resnet', depth: 8, width: 2, activation: 'tanh', norm: 'none', residual: 'rezero' } }, inputDim: 5 * 5 * 1, image: { height: 5, width: 5, channels: 1 }, blocks: 3 },
];

describe('the residual split against the float64 graph reference', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const ctx = await testContext();
      const rng = new Rng(c.inputDim * 31 + c.blocks);
      const config = resolveConfig({ ...c.patch, train: { batchSize: BATCH, lr: 1e-6 }, log: { every: 1 } });
      const trainer = await Trainer.create(ctx, config, data(c, rng));
      try {
        const net = trainer.net;
        const graph = net.plan.graph;
        const params = randomParams(net, rng);
        const buffers = new Map(net.plan.buffers.map((b) => [b.name, new Float64Array(b.shape[0]!).fill(b.role === 'running_var' ? 1 : 0)]));
        let record: StepRecord | undefined;
        await trainer.run(1, (r) => (record = r));
        const { schedule } = net.plan;
        const x = Float64Array.from(await net.readValue(schedule.act[graph.input]!));
        const y = new Uint32Array((await net.readIo('batchY', net.plan.batchY)).buffer, 0, BATCH);
        const ref = graphForwardBackward(graph, params, buffers, { x, y, batch: BATCH });

        expect(schedule.splits.map((s) => s.name)).toHaveLength(c.blocks);
        expect(record!.residualSkipNorm).toHaveLength(c.blocks);
        expect(record!.residualBranchNorm).toHaveLength(c.blocks);
        schedule.splits.forEach((s, k) => {
          const add = graph.nodes[s.add] as Extract<LayerNode, { kind: 'add' }>;
          const dy = ref.tensorGrads[add.output]!;
          const sc = graph.nodes.find((n): n is Extract<LayerNode, { kind: 'shortcut' }> => n.kind === 'shortcut' && n.output === add.skip);
          const skip = sc ? shortcutABackward(dy, shortcutShapeOf(graph, sc)) : dy;
          const total = ref.tensorGrads[s.input]!;
          const branch = total.map((v, i) => v - skip[i]!);
          const [wantS, wantB] = [norm(skip), norm(branch)];
          expect(wantB, `${s.name}: the branch carries a gradient`).toBeGreaterThan(1e-3 * wantS);
          expect(Math.abs(record!.residualSkipNorm![k]! - wantS) / wantS, `${s.name} ‖S‖ ${record!.residualSkipNorm![k]} vs ${wantS}`).toBeLessThan(1e-4);
          expect(Math.abs(record!.residualBranchNorm![k]! - wantB) / wantB, `${s.name} ‖B‖ ${record!.residualBranchNorm![k]} vs ${wantB}`).toBeLessThan(1e-3);
        });
      } finally {
        trainer.destroy();
      }
    });
  }

  it('a net without residual blocks has no split', async () => {
    const ctx = await testContext();
    const config = resolveConfig({ model: { depth: 3, width: 4 }, train: { batchSize: BATCH }, log: { every: 1 } });
    const trainer = await Trainer.create(ctx, config, data({ inputDim: 3 }, new Rng(2)));
    try {
      let record: StepRecord | undefined;
      await trainer.run(1, (r) => (record = r));
      expect(trainer.net.plan.schedule.splits).toEqual([]);
      expect(record!.residualSkipNorm).toBeUndefined();
    } finally {
      trainer.destroy();
    }
  });
});

function shortcutShapeOf(g: import('../../src/model/graph/graph.ts').Graph, n: Extract<LayerNode, { kind: 'shortcut' }>) {
  const [H, W, Cin] = g.tensors[n.input]!.shape as [number, number, number];
  return { N: BATCH, H, W, Cin, Cout: g.tensors[n.output]!.shape[2]! };
}
