/**
 * src/reference/rnn.ts against real float64 PyTorch (tests/python/rnn_reference.py): nn.RNN / nn.LSTM / nn.GRU with
 * batch_first=True and an nn.Linear head, loaded by our names with strict=True, so names, shapes and gate orders all
 * have to agree; truncated BPTT against a no_grad prefix; ∂L/∂h_t norms against a step-at-a-time unroll.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rnnForwardBackward, rnnParamShapes } from '../../src/reference/index.ts';
import type { RnnBatch, RnnCell, RnnNonlinearity, RnnSpec } from '../../src/reference/index.ts';
import { normal, seeded, uniform } from '../reference/rng.ts';
import { ROOT, expectMatch, torchLines } from './python.ts';

const SCRIPT = join(ROOT, 'tests', 'python', 'rnn_reference.py');
const rng = seeded(2013);

// [cell, nonlinearity, depth, T, task, bptt]: every cell stacked and alone, classification and regression, truncated.
const CASES: [RnnCell, RnnNonlinearity, number, number, RnnSpec['task'], number | null][] = [
  ['rnn', 'tanh', 2, 6, 'classification', null],
  ['rnn', 'relu', 2, 6, 'regression', null],
  ['lstm', 'tanh', 2, 6, 'regression', null],
  ['gru', 'tanh', 2, 6, 'classification', null],
  ['lstm', 'tanh', 1, 1, 'classification', null],
  ['gru', 'tanh', 1, 7, 'regression', null],
  ['rnn', 'tanh', 2, 7, 'regression', 3],
  ['lstm', 'tanh', 2, 7, 'classification', 2],
  ['gru', 'tanh', 2, 7, 'regression', 1],
];

const cases = CASES.map(([cell, nonlinearity, depth, T, task, bptt]) => {
  const spec: RnnSpec = { cell, nonlinearity, inputSize: 3, hidden: 5, depth, outputs: 4, task };
  const B = 3;
  const params = new Map(rnnParamShapes(spec).map(({ name, shape }) => [name, uniform(rng, shape.reduce((a, b) => a * b, 1), -0.8, 0.8)]));
  const y = task === 'classification' ? Float64Array.from({ length: B }, () => Math.floor(rng() * 4)) : normal(rng, B * 4);
  const batch: RnnBatch = { x: normal(rng, B * T * 3), y, batch: B, length: T };
  return { label: `${cell} ${nonlinearity} depth ${depth} T ${T} ${task} bptt ${bptt}`, spec, params, batch, bptt };
});

interface TorchOut {
  loss: number;
  stepLoss: number;
  logits: number[];
  grads: Record<string, number[]>;
  dx: number[];
  timeDeltaNorm: number[][];
}
let running: Promise<TorchOut[]> | undefined;

/** Every case through one rnn_reference.py process (PyTorch's import costs seconds). */
function torchResults(): Promise<TorchOut[]> {
  running ??= (async () => {
    const json = cases.map(({ spec, params, batch, bptt }) => ({
      ...spec,
      B: batch.batch,
      T: batch.length,
      bptt,
      params: Object.fromEntries(rnnParamShapes(spec).map(({ name, shape }) => [name, { shape, data: Array.from(params.get(name)!) }])),
      x: Array.from(batch.x),
      y: Array.from(batch.y),
    }));
    return torchLines<TorchOut>(SCRIPT, json);
  })();
  return running;
}

describe('src/reference/rnn.ts against float64 PyTorch', () => {
  it('loss, logits, every parameter gradient and ∂L/∂x match nn.RNN / nn.LSTM / nn.GRU + nn.Linear', async () => {
    const outs = await torchResults();
    cases.forEach(({ label, spec, params, batch, bptt }, i) => {
      const t = outs[i]!;
      const r = rnnForwardBackward(spec, params, batch, { bptt });
      expectMatch(`${label} loss`, [r.loss], [t.loss]);
      expectMatch(`${label} logits`, r.logits, t.logits);
      expect(Object.keys(t.grads), label).toEqual(rnnParamShapes(spec).map((p) => p.name));
      for (const [name, g] of r.grads) expectMatch(`${label} ${name}`, g, t.grads[name]);
      expectMatch(`${label} dx`, r.dx, t.dx);
    });
  });

  it('timeDeltaNorm matches ‖h_t.grad‖ of a step-at-a-time unroll of the same cells', async () => {
    const outs = await torchResults();
    cases.forEach(({ label, spec, params, batch, bptt }, i) => {
      const t = outs[i]!;
      const r = rnnForwardBackward(spec, params, batch, { bptt });
      expectMatch(`${label} unrolled loss`, [t.stepLoss], [t.loss]);
      r.timeDeltaNorm.forEach((row, k) => expectMatch(`${label} timeDeltaNorm[${k}]`, row, t.timeDeltaNorm[k]));
    });
  });
});
