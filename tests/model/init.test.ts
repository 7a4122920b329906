import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/math/prng.ts';
import { defaultConfig, INIT_SCHEMES } from '../../src/model/config.ts';
import type { InitConfig, InitScheme, RunConfig } from '../../src/model/config.ts';
import { initGraphParams, initLayer, orthogonal } from '../../src/model/init.ts';
import { mlpGraph } from '../../src/model/graph/mlp.ts';
import { rnnGraph } from '../../src/model/graph/rnn.ts';
import { graphParams } from '../../src/model/graph/params.ts';

function stats(a: Float32Array): { mean: number; std: number; maxAbs: number } {
  let s = 0;
  let s2 = 0;
  let maxAbs = 0;
  for (const v of a) {
    s += v;
    s2 += v * v;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const mean = s / a.length;
  return { mean, std: Math.sqrt(s2 / a.length - mean * mean), maxAbs };
}

const init = (scheme: InitScheme, extra: Partial<InitConfig> = {}): InitConfig => ({ scheme, gain: 1, sigmaW2: 2, sigmaB2: 0, forgetBias: 0, ...extra });

// A 384×256 layer: fan_out 384, fan_in 256, 98,304 draws, so the empirical std is within ~0.5% of the truth.
const ROWS = 384;
const COLS = 256;

const expected: Record<InitScheme, { weightStd: number; bound?: number; biasStd: number }> = {
  xavier: { weightStd: 1.5 * Math.sqrt(2 / (COLS + ROWS)), biasStd: 0 },
  xavier_uniform: { weightStd: (1.5 * Math.sqrt(6 / (COLS + ROWS))) / Math.sqrt(3), bound: 1.5 * Math.sqrt(6 / (COLS + ROWS)), biasStd: 0 },
  he: { weightStd: 1.5 * Math.sqrt(2 / COLS), biasStd: 0 },
  he_uniform: { weightStd: (1.5 * Math.sqrt(6 / COLS)) / Math.sqrt(3), bound: 1.5 * Math.sqrt(6 / COLS), biasStd: 0 },
  lecun: { weightStd: 1.5 * Math.sqrt(1 / COLS), biasStd: 0 },
  // A tall orthogonal matrix has orthonormal columns: every entry squared sums to COLS over ROWS·COLS entries.
  orthogonal: { weightStd: 1.5 / Math.sqrt(ROWS), biasStd: 0 },
  pytorch: { weightStd: 1 / Math.sqrt(COLS) / Math.sqrt(3), bound: 1 / Math.sqrt(COLS), biasStd: 1 / Math.sqrt(COLS) / Math.sqrt(3) },
  // A recurrent scheme: a linear layer (the head of a recurrent net) gets nn.Linear's default.
  identity: { weightStd: 1 / Math.sqrt(COLS) / Math.sqrt(3), bound: 1 / Math.sqrt(COLS), biasStd: 1 / Math.sqrt(COLS) / Math.sqrt(3) },
  meanfield: { weightStd: Math.sqrt(3 / COLS), biasStd: Math.sqrt(0.25) },
};

describe('initLayer follows torch.nn.init', () => {
  it.each(INIT_SCHEMES.map((s) => [s]))('%s has the formula std', (scheme) => {
    const layer = initLayer(init(scheme, { gain: 1.5, sigmaW2: 3, sigmaB2: 0.25 }), ROWS, COLS, new Rng(11));
    const want = expected[scheme];
    const w = stats(layer.weight);
    expect(layer.weight.length).toBe(ROWS * COLS);
    expect(Math.abs(w.std / want.weightStd - 1)).toBeLessThan(0.02);
    expect(Math.abs(w.mean)).toBeLessThan(0.02 * want.weightStd);
    if (want.bound !== undefined) {
      expect(w.maxAbs).toBeLessThanOrEqual(want.bound);
      expect(w.maxAbs).toBeGreaterThan(0.99 * want.bound);
    }
    const b = stats(layer.bias);
    if (want.biasStd === 0) expect(layer.bias.every((v) => v === 0)).toBe(true);
    // Only 384 biases: allow sampling error of ~4 standard errors.
    else expect(Math.abs(b.std / want.biasStd - 1)).toBeLessThan(0.15);
  });
});

function gram(m: Float64Array, rows: number, cols: number, byRows: boolean): number {
  // Largest deviation of the Gram matrix (rows·rowsᵀ or colsᵀ·cols) from gain²·I.
  const n = byRows ? rows : cols;
  const len = byRows ? cols : rows;
  const at = (i: number, k: number): number => (byRows ? m[i * cols + k]! : m[k * cols + i]!);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < len; k++) dot += at(i, k) * at(j, k);
      worst = Math.max(worst, Math.abs(dot - (i === j ? 4 : 0)));
    }
  }
  return worst;
}

describe('orthogonal', () => {
  it('gives orthonormal columns (×gain) for a tall matrix and orthonormal rows for a wide one', () => {
    expect(gram(orthogonal(40, 24, 2, new Rng(3)), 40, 24, false)).toBeLessThan(1e-10);
    expect(gram(orthogonal(24, 40, 2, new Rng(3)), 24, 40, true)).toBeLessThan(1e-10);
    expect(gram(orthogonal(32, 32, 2, new Rng(4)), 32, 32, true)).toBeLessThan(1e-10);
    expect(gram(orthogonal(32, 32, 2, new Rng(4)), 32, 32, false)).toBeLessThan(1e-10);
  });
  it('rounds to float32 orthonormal within float32 precision', () => {
    const { weight } = initLayer(init('orthogonal'), 64, 64, new Rng(5));
    expect(gram(Float64Array.from(weight, (v) => 2 * v), 64, 64, true)).toBeLessThan(1e-5);
  });
});

describe('initGraphParams on the canonical network', () => {
  const model = (patch: Partial<RunConfig['model']> = {}): RunConfig['model'] => ({ ...defaultConfig().model, depth: 5, width: 16, ...patch });
  const dims = { inputDim: 3, outputDim: 4 };
  /** Blocks' and the head's weight and bias, as drawn for the MLP of `m`. */
  const initNetwork = (m: RunConfig['model'], d: { inputDim: number; outputDim: number }, rng: Rng) => {
    const values = initGraphParams(m.init, graphParams(mlpGraph(m, { ...d, task: 'classification' })).params, rng);
    const layer = (p: string) => ({ weight: values.get(`${p}.weight`)!, bias: values.get(`${p}.bias`)! });
    return { blocks: Array.from({ length: m.depth }, (_, l) => layer(`blocks.${l}`)), head: layer('head') };
  };

  it('shapes every block [width, fan_in] and the head [outputDim, width]', () => {
    const net = initNetwork(model(), dims, new Rng(1));
    expect(net.blocks.map((b) => [b.weight.length, b.bias.length])).toEqual([[48, 16], [256, 16], [256, 16], [256, 16], [256, 16]]);
    expect([net.head.weight.length, net.head.bias.length]).toEqual([64, 4]);
  });

  it('uses each layer’s own fans: the first block’s He scale comes from the input dimension', () => {
    const net = initNetwork(model({ width: 512, depth: 2 }), { inputDim: 8, outputDim: 2 }, new Rng(2));
    expect(stats(net.blocks[0]!.weight).std).toBeCloseTo(Math.sqrt(2 / 8), 1);
    expect(stats(net.blocks[1]!.weight).std).toBeCloseTo(Math.sqrt(2 / 512), 2);
  });

  it('is the same for the same seed and different for another', () => {
    for (const scheme of INIT_SCHEMES) {
      const m = model({ init: init(scheme, { sigmaB2: 0.1 }) });
      const a = initNetwork(m, dims, new Rng(9));
      const b = initNetwork(m, dims, new Rng(9));
      const c = initNetwork(m, dims, new Rng(10));
      expect(b).toEqual(a);
      expect(c.blocks[2]!.weight).not.toEqual(a.blocks[2]!.weight);
    }
  });

  it('draws block by block, so a deeper net shares its first blocks with a shallower one', () => {
    const shallow = initNetwork(model({ depth: 3 }), dims, new Rng(7));
    const deep = initNetwork(model({ depth: 6 }), dims, new Rng(7));
    expect(deep.blocks.slice(0, 3)).toEqual(shallow.blocks);
  });
});

describe('meanfield biases', () => {
  it('are exactly zero (not -0) when sigmaB2 is 0, and the weights do not depend on sigmaB2', () => {
    const zero = initLayer(init('meanfield', { sigmaB2: 0 }), 8, 8, new Rng(1));
    expect(zero.bias.every((v) => Object.is(v, 0))).toBe(true);
    expect(initLayer(init('meanfield', { sigmaB2: 0.5 }), 8, 8, new Rng(1)).weight).toEqual(zero.weight);
  });
});

describe('recurrent layers start as nn.RNNBase and the recurrent schemes say', () => {
  const H = 32;
  const layer = (cell: 'rnn' | 'lstm' | 'gru', cfg: InitConfig) => {
    const g = rnnGraph({ cell, nonlinearity: 'tanh', width: H, depth: 2, bptt: null }, { length: 4, channels: 3, outputDim: 2, task: 'regression' });
    return initGraphParams(cfg, graphParams(g).params, new Rng(5));
  };
  const G = { rnn: 1, lstm: 4, gru: 3 } as const;

  it.each([['rnn'], ['lstm'], ['gru']] as const)('pytorch: every %s tensor is U(±1/√H)', (cell) => {
    const p = layer(cell, init('pytorch'));
    for (const k of [0, 1]) {
      for (const role of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) {
        const t = p.get(`rnn.${role}_l${k}`)!;
        const rows = G[cell] * H;
        expect(t.length).toBe(rows * (role === 'weight_ih' && k === 0 ? 3 : role.startsWith('weight') ? H : 1));
        const { maxAbs } = stats(t);
        expect(maxAbs, `${role}_l${k}`).toBeLessThanOrEqual(1 / Math.sqrt(H));
        expect(maxAbs, `${role}_l${k}`).toBeGreaterThan(0.9 / Math.sqrt(H));
      }
    }
  });

  it('orthogonal: each gate block of W_hh is orthogonal times gain', () => {
    const w = layer('gru', init('orthogonal', { gain: 2 })).get('rnn.weight_hh_l1')!;
    for (let g = 0; g < 3; g++) expect(gram(Float64Array.from(w.subarray(g * H * H, (g + 1) * H * H)), H, H, true)).toBeLessThan(1e-5);
  });

  it('identity (IRNN): W_hh = gain·I, W_ih ~ N(0, 0.001²), biases 0', () => {
    const p = layer('rnn', init('identity'));
    const w = p.get('rnn.weight_hh_l0')!;
    expect(w.every((v, i) => v === (Math.floor(i / H) === i % H ? 1 : 0))).toBe(true);
    expect(Math.abs(stats(p.get('rnn.weight_ih_l1')!).std / 0.001 - 1)).toBeLessThan(0.1);
    expect(p.get('rnn.bias_ih_l0')!.every((v) => v === 0) && p.get('rnn.bias_hh_l1')!.every((v) => v === 0)).toBe(true);
  });

  it('forgetBias adds to the LSTM forget gate (rows H…2H of bias_ih) only', () => {
    const base = layer('lstm', init('pytorch'));
    const shifted = layer('lstm', init('pytorch', { forgetBias: 1 }));
    for (const k of [0, 1]) {
      const [a, b] = [base.get(`rnn.bias_ih_l${k}`)!, shifted.get(`rnn.bias_ih_l${k}`)!];
      a.forEach((v, i) => expect(b[i]! - v).toBeCloseTo(i >= H && i < 2 * H ? 1 : 0, 6));
      expect(shifted.get(`rnn.bias_hh_l${k}`)).toEqual(base.get(`rnn.bias_hh_l${k}`));
    }
  });
});
