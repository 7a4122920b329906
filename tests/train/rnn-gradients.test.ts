// Whole recurrent nets on the GPU's graph engine against the float64 reference (src/reference/rnn.ts): the loss,
// every parameter's gradient, ‖∂L/∂h_t‖ of every layer and step, and the per-row statistics of one training step.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/math/prng.ts';
import { resolveConfig, type RnnCellName } from '../../src/model/config.ts';
import type { GraphNetwork } from '../../src/model/graph/graph-network.ts';
import { rnnForwardBackward, rnnGradRows } from '../../src/reference/rnn.ts';
import type { StepRecord } from '../../src/stats/record.ts';
import type { Dataset } from '../../src/train/data/types.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { randn, testContext } from '../helpers/gpu.ts';
import { normRelError } from '../helpers/net.ts';

interface Combo {
  cell: RnnCellName;
  activation?: 'tanh' | 'relu';
  depth: number;
  H: number;
  T: number;
  C: number;
  task: 'classification' | 'regression';
  bptt?: number;
}

// Each cell at T = 1, 2 and 17; stacked 1 and 2; widths that fill no block of 4 evenly; both heads; truncated BPTT.
const COMBOS: Combo[] = [
  { cell: 'rnn', activation: 'tanh', depth: 1, H: 5, T: 17, C: 2, task: 'regression' },
  { cell: 'rnn', activation: 'relu', depth: 2, H: 3, T: 2, C: 3, task: 'classification' },
  { cell: 'lstm', depth: 1, H: 6, T: 1, C: 2, task: 'classification' },
  { cell: 'lstm', depth: 2, H: 5, T: 17, C: 3, task: 'regression', bptt: 6 },
  { cell: 'gru', depth: 2, H: 7, T: 17, C: 1, task: 'classification' },
  { cell: 'gru', depth: 1, H: 4, T: 2, C: 2, task: 'regression' },
];

const BATCH = 5;
const CLASSES = 3;

function sequenceData(c: Combo, rng: Rng): Dataset {
  const inputDim = c.T * c.C;
  const outputDim = c.task === 'classification' ? CLASSES : 1;
  const split = (n: number) => ({
    x: randn(rng, n * inputDim),
    y: c.task === 'classification' ? Uint32Array.from({ length: n }, () => rng.int(CLASSES)) : randn(rng, n),
    n,
  });
  return { name: 'test sequences', task: c.task, inputDim, outputDim, sequence: { length: c.T, channels: c.C }, train: split(BATCH), test: split(2) };
}

/** Weights N(0, 1.2²/fan_in), biases N(0, 0.3²): every gate away from its linear middle, nothing saturated flat. */
function randomParams(net: GraphNetwork, rng: Rng): Map<string, Float64Array> {
  const params = new Map<string, Float64Array>();
  for (const p of net.plan.paramList) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const f = Float32Array.from({ length: n }, () => (p.role.startsWith('weight') ? 1.2 / Math.sqrt(p.fanIn) : 0.3) * rng.normal());
    params.set(p.name, Float64Array.from(f));
    net.writeParam(p, f);
  }
  return params;
}

const name = (c: Combo) =>
  `${c.cell}${c.activation ? `-${c.activation}` : ''} depth ${c.depth}, H ${c.H}, T ${c.T}, ${c.C} inputs, ${c.task}${c.bptt ? `, bptt ${c.bptt}` : ''}`;

describe('whole recurrent nets on the graph engine against the float64 reference', () => {
  for (const c of COMBOS) {
    it(name(c), async () => {
      const ctx = await testContext();
      const rng = new Rng(c.T * 100 + c.H * 10 + c.depth);
      const data = sequenceData(c, rng);
      const config = resolveConfig({
        data: { name: c.task === 'classification' ? 'order' : 'adding' },
        model: { arch: 'rnn', cell: c.cell, depth: c.depth, width: c.H, ...(c.activation ? { activation: c.activation } : {}) },
        train: { batchSize: BATCH, lr: 1e-6, optimizer: 'sgd', clip: { mode: 'none' }, ...(c.bptt ? { bptt: c.bptt } : {}) },
        log: { every: 1 },
      });
      const trainer = await Trainer.create(ctx, config, data);
      try {
        const net = trainer.net;
        const params = randomParams(net, rng);
        let record: StepRecord | undefined;
        await trainer.run(1, (r) => (record = r));
        const graph = net.plan.graph;
        const x = Float64Array.from(await net.readValue(net.plan.schedule.act[graph.input]!));
        const yRaw = await net.readIo('batchY', net.plan.batchY);
        const y = c.task === 'classification' ? new Uint32Array(yRaw.buffer, 0, BATCH) : Float64Array.from(yRaw.subarray(0, BATCH));
        const spec = { cell: c.cell, nonlinearity: c.activation, inputSize: c.C, hidden: c.H, depth: c.depth, outputs: data.outputDim, task: c.task };
        const ref = rnnForwardBackward(spec, params, { x, y, batch: BATCH, length: c.T }, { bptt: c.bptt ?? null });

        expect(Math.abs(record!.loss - ref.loss) / ref.loss, `loss ${record!.loss} vs ${ref.loss}`).toBeLessThan(1e-5);
        for (const p of net.plan.paramList) {
          const err = normRelError(await net.readParam(p, net.grads), ref.grads.get(p.name)!);
          expect(err, `${p.name}: ‖gpu − ref‖/‖ref‖ = ${err.toExponential(2)}`).toBeLessThanOrEqual(2e-5);
        }
        expect(graph.rows.map((r) => (r.name === 'head' ? 'head.weight' : r.name))).toEqual(rnnGradRows(spec));
        ref.weightGradNorms.forEach(({ name: row, norm }, l) => {
          // At T = 1, W_hh only ever multiplies the zero initial state: its gradient is exactly 0.
          if (norm === 0) expect(record!.gradNorm[l], `gradNorm ${row}`).toBe(0);
          else expect(Math.abs(record!.gradNorm[l]! - norm) / norm, `gradNorm ${row}`).toBeLessThan(1e-4);
        });
        expect(record!.timeDeltaNorm).toHaveLength(c.depth);
        ref.timeDeltaNorm.forEach((norms, k) =>
          norms.forEach((want, t) => {
            const got = record!.timeDeltaNorm![k]![t]!;
            if (want === 0) expect(got, `layer ${k} t ${t} (truncated)`).toBe(0);
            else expect(Math.abs(got - want) / want, `timeDeltaNorm[${k}][${t}] ${got} vs ${want}`).toBeLessThan(1e-4);
          }),
        );
        // actMean of a layer's rows: the mean of its h_t over every sample and step.
        for (let k = 0; k < c.depth; k++) {
          const hs = ref.hidden[k]!;
          const mean = hs.reduce((s, h) => s + h.reduce((a, v) => a + v, 0), 0) / (BATCH * c.T * c.H);
          expect(Math.abs(record!.actMean[2 * k]! - mean), `actMean layer ${k}`).toBeLessThan(1e-5 * (1 + Math.abs(mean)));
        }
      } finally {
        trainer.destroy();
      }
    });
  }
});
