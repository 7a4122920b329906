// The recurrent nets' float64 reference (src/reference/rnn*.ts): cells and whole unrolled nets against central
// differences, ∂L/∂h_t through an added zero offset in an independent unroll, truncated BPTT as a detached prefix,
// and the vanishing gradient through time it exists to show.
import { describe, expect, it } from 'vitest';
import { frobenius, matmul, meanSquaredError, softmaxCrossEntropy } from '../../src/reference/index.ts';
import { rnnCellBackward, rnnCellForward, rnnForwardBackward, rnnGradRows, rnnLoss, rnnParamShapes } from '../../src/reference/index.ts';
import type { CellSpec, CellState, CellWeights, RnnBatch, RnnCell, RnnNonlinearity } from '../../src/reference/index.ts';
import type { RnnParams, RnnResult, RnnSpec } from '../../src/reference/index.ts';
import { expectClose, numericGradient } from './fd.ts';
import { normal, seeded, uniform } from './rng.ts';
import type { Rng } from './rng.ts';

const VARIANTS: [string, RnnCell, RnnNonlinearity][] = [
  ['rnn tanh', 'rnn', 'tanh'],
  ['rnn relu', 'rnn', 'relu'],
  ['lstm', 'lstm', 'tanh'],
  ['gru', 'gru', 'tanh'],
];
/** relu is kinked at 0: its cases take a smaller step and keep every pre-activation KINK_MARGIN away from it. */
const KINK_MARGIN = 1e-3;
const stepFor = (nl: RnnNonlinearity): number => (nl === 'relu' ? 1e-5 : 1e-4);

/**
 * analytic ≈ central differences within 1e-6 relative, per element, of the element or of `scale` × 1e-3 (default: the
 * tensor's largest entry). Differences of an O(1) loss resolve a gradient to about 1e-12, so a step whose ∂L/∂h_t has
 * vanished is judged against the whole net's largest ∂L/∂h_t.
 */
function fdCheck(label: string, f: (v: Float64Array) => number, x0: ArrayLike<number>, analytic: ArrayLike<number>, h: number, scale?: number): void {
  const numeric = numericGradient(f, x0, h);
  const floor = 1e-3 * (scale ?? Math.max(0, ...Array.from(analytic, Math.abs)));
  let worst = { index: -1, err: 0 };
  for (let i = 0; i < numeric.length; i++) {
    const [a, n] = [analytic[i]!, numeric[i]!];
    const err = Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), floor, Number.MIN_VALUE);
    if (!(err <= worst.err)) worst = { index: i, err };
  }
  const { index, err } = worst;
  const detail = index < 0 ? '' : `: worst at [${index}], analytic ${analytic[index]} vs numeric ${numeric[index]}`;
  expect(err, `${label} relative error ${err.toExponential(2)}${detail}`).toBeLessThanOrEqual(1e-6);
}

/** Every parameter U(±scale), PyTorch's default for scale = 1/√H. */
function randomParams(spec: RnnSpec, rng: Rng, scale = 1 / Math.sqrt(spec.hidden)): Map<string, Float64Array> {
  return new Map(rnnParamShapes(spec).map(({ name, shape }) => [name, uniform(rng, shape.reduce((a, b) => a * b, 1), -scale, scale)]));
}

function randomBatch(spec: RnnSpec, rng: Rng, B: number, T: number): RnnBatch {
  const y = spec.task === 'classification' ? Float64Array.from({ length: B }, () => Math.floor(rng() * spec.outputs)) : normal(rng, B * spec.outputs);
  return { x: normal(rng, B * T * spec.inputSize), y, batch: B, length: T };
}

const withParam = (p: RnnParams, name: string, v: Float64Array): RnnParams => new Map(p).set(name, v);

interface Probe {
  /** Added to layer k's h_t after its cell: ∂L/∂offset at 0 is ∂L/∂h_t. */
  offset?: { k: number; t: number; d: ArrayLike<number> };
  /** Steps t < until run on these parameters and inputs instead (a detached prefix, for truncated BPTT). */
  frozen?: { params: RnnParams; x: Float64Array; until: number };
}

/** An unroll written apart from src/reference/rnn.ts, from its cells: the loss, and relu's smallest |pre-activation|. */
function probe(spec: RnnSpec, params: RnnParams, batch: RnnBatch, o: Probe = {}): { loss: number; minAbsPre: number } {
  const { batch: B, length: T } = batch;
  const H = spec.hidden;
  let states: CellState[] = Array.from({ length: spec.depth }, () => ({ h: new Float64Array(B * H), c: new Float64Array(B * H) }));
  let minAbsPre = Infinity;
  for (let t = 0; t < T; t++) {
    const early = o.frozen && t < o.frozen.until;
    const [p, xs] = early ? [o.frozen!.params, o.frozen!.x] : [params, batch.x];
    let input: Float64Array = Float64Array.from({ length: B * spec.inputSize }, (_, i) => {
      const [b, j] = [Math.floor(i / spec.inputSize), i % spec.inputSize];
      return xs[(b * T + t) * spec.inputSize + j]!;
    });
    states = states.map((s, k) => {
      const cs: CellSpec = { cell: spec.cell, nonlinearity: spec.nonlinearity ?? 'tanh', batch: B, inputSize: k ? H : spec.inputSize, hidden: H };
      const w = (n: string): Float64Array => p.get(`rnn.${n}_l${k}`)!;
      const weights = { weightIh: w('weight_ih'), weightHh: w('weight_hh'), biasIh: w('bias_ih'), biasHh: w('bias_hh') };
      const { next, cache } = rnnCellForward(cs, weights, input, s);
      for (const u of cache.pre) minAbsPre = Math.min(minAbsPre, Math.abs(u));
      const shifted = o.offset?.k === k && o.offset.t === t ? { ...next, h: Float64Array.from(next.h, (v, i) => v + o.offset!.d[i]!) } : next;
      input = shifted.h;
      return shifted;
    });
  }
  const logits = matmul(states.at(-1)!.h, params.get('head.weight')!, B, spec.outputs, H, { transB: true });
  logits.forEach((v, i) => (logits[i] = v + params.get('head.bias')![i % spec.outputs]!));
  const C = spec.outputs;
  const loss = spec.task === 'classification' ? softmaxCrossEntropy(logits, batch.y, B, C).loss : meanSquaredError(logits, batch.y, B, C).loss;
  return { loss, minAbsPre };
}

/** Every parameter, x and every ∂L/∂h_t of rnnForwardBackward against central differences of the (truncated) loss. */
function checkNet(spec: RnnSpec, params: RnnParams, batch: RnnBatch, bptt: number | null = null): void {
  const r = rnnForwardBackward(spec, params, batch, { bptt });
  const T = batch.length;
  const until = bptt === null ? 0 : Math.max(0, T - bptt);
  const frozen = { params, x: batch.x, until };
  const h = stepFor(spec.nonlinearity ?? 'tanh');
  expect(r.loss).toBeCloseTo(probe(spec, params, batch).loss, 14);
  expect(rnnLoss(spec, params, batch)).toBe(r.loss);
  for (const { name } of rnnParamShapes(spec)) {
    fdCheck(name, (v) => probe(spec, withParam(params, name, v), batch, { frozen }).loss, params.get(name)!, r.grads.get(name)!, h);
  }
  fdCheck('x', (x) => probe(spec, params, { ...batch, x }, { frozen }).loss, batch.x, r.dx, h);
  checkTimeDeltas(spec, params, batch, r, until);
}

/**
 * ∂L/∂h_t through a zero offset added to h_t: its norm along the analytic direction at every step, every element at
 * the first two steps, the last and the first one truncation keeps; 0 before that one.
 */
function checkTimeDeltas(spec: RnnSpec, params: RnnParams, batch: RnnBatch, r: RnnResult, until: number): void {
  const T = batch.length;
  const frozen = { params, x: batch.x, until };
  const h = stepFor(spec.nonlinearity ?? 'tanh');
  const scale = Math.max(...r.timeDeltas.flat().flatMap((dh) => Array.from(dh, Math.abs)));
  r.timeDeltas.forEach((row, k) =>
    row.forEach((dh, t) => {
      const norm = r.timeDeltaNorm[k]![t]!;
      expect(norm).toBe(frobenius(dh));
      if (t < until) return void expect(norm, `truncated ∂L/∂h[${k}][${t}]`).toBe(0);
      const loss = (d: ArrayLike<number>): number => probe(spec, params, batch, { offset: { k, t, d }, frozen }).loss;
      const along = (e: Float64Array): number => loss(Float64Array.from(dh, (v) => (e[0]! * v) / norm));
      fdCheck(`‖∂L/∂h[${k}][${t}]‖`, along, [0], [norm], h, scale);
      if ([0, 1, until, T - 1].includes(t)) fdCheck(`∂L/∂h[${k}][${t}]`, loss, new Float64Array(dh.length), dh, h, scale);
    }),
  );
}

/** The first seed whose relu pre-activations keep KINK_MARGIN from 0 (other cells take the first). */
function problem(spec: RnnSpec, B: number, T: number, seed: number): { params: RnnParams; batch: RnnBatch } {
  for (let s = seed; s < seed + 200; s++) {
    const rng = seeded(s);
    const params = randomParams(spec, rng, 0.8);
    const batch = randomBatch(spec, rng, B, T);
    if (spec.nonlinearity !== 'relu' || probe(spec, params, batch).minAbsPre >= KINK_MARGIN) return { params, batch };
  }
  throw new Error('no seed keeps the relu pre-activations away from the kink');
}

const netSpec = (cell: RnnCell, nonlinearity: RnnNonlinearity, depth: number, task: RnnSpec['task']): RnnSpec => ({
  cell,
  nonlinearity,
  inputSize: 3,
  hidden: 5,
  depth,
  outputs: 4,
  task,
});

describe('recurrent cells: one step against central differences and PyTorch gate order by hand', () => {
  it.each(VARIANTS)('%s: ∂/∂x, ∂/∂(h, c), every weight of Σ dh⊙h′ + Σ dc⊙c′', (_, cell, nonlinearity) => {
    const rng = seeded(7);
    const [B, I, H] = [3, 3, 5];
    const spec: CellSpec = { cell, nonlinearity, batch: B, inputSize: I, hidden: H };
    const G = { rnn: 1, lstm: 4, gru: 3 }[cell] * H;
    const w: CellWeights = { weightIh: uniform(rng, G * I), weightHh: uniform(rng, G * H), biasIh: uniform(rng, G), biasHh: uniform(rng, G) };
    const [x, h, c, dh, dc] = [normal(rng, B * I), uniform(rng, B * H), normal(rng, B * H), normal(rng, B * H), normal(rng, B * H)];
    const lstm = cell === 'lstm';
    const objective = (ww: CellWeights, xx: Float64Array, hh: Float64Array, cc: Float64Array): number => {
      const { next } = rnnCellForward(spec, ww, xx, { h: hh, c: lstm ? cc : undefined });
      return next.h.reduce((s, v, i) => s + v * dh[i]!, 0) + (lstm ? next.c!.reduce((s, v, i) => s + v * dc[i]!, 0) : 0);
    };
    const { next, cache } = rnnCellForward(spec, w, x, { h, c: lstm ? c : undefined });
    if (nonlinearity === 'relu') expect(Math.min(...Array.from(cache.pre, Math.abs))).toBeGreaterThan(KINK_MARGIN);
    const back = rnnCellBackward(spec, w, cache, { h: dh, c: lstm ? dc : undefined });
    const step = stepFor(nonlinearity);
    fdCheck('x', (v) => objective(w, v, h, c), x, back.dx, step);
    fdCheck('h', (v) => objective(w, x, v, c), h, back.dprev.h, step);
    if (lstm) fdCheck('c', (v) => objective(w, x, h, v), c, back.dprev.c!, step);
    else expect(back.dprev.c).toBeUndefined();
    for (const key of ['weightIh', 'weightHh', 'biasIh', 'biasHh'] as const) {
      fdCheck(key, (v) => objective({ ...w, [key]: v }, x, h, c), w[key], back.grads[key], step);
    }
    expect(next.h).toHaveLength(B * H);
  });

  const sig = (u: number): number => 1 / (1 + Math.exp(-u));
  const one = (cell: RnnCell, nonlinearity: RnnNonlinearity = 'tanh'): CellSpec => ({ cell, nonlinearity, batch: 1, inputSize: 1, hidden: 1 });
  const weights = (wIh: number[], wHh: number[], bIh: number[], bHh: number[]): CellWeights => ({
    weightIh: Float64Array.from(wIh),
    weightHh: Float64Array.from(wHh),
    biasIh: Float64Array.from(bIh),
    biasHh: Float64Array.from(bHh),
  });

  it('rnn: h′ = φ(W_ih x + b_ih + W_hh h + b_hh), φ = tanh or relu', () => {
    const w = weights([0.5], [-2], [0.1], [0.2]);
    const at = (nl: RnnNonlinearity, h: number): number => rnnCellForward(one('rnn', nl), w, Float64Array.of(0.8), { h: Float64Array.of(h) }).next.h[0]!;
    expect(at('tanh', 0.3)).toBeCloseTo(Math.tanh(0.4 + 0.1 - 0.6 + 0.2), 15);
    expect(at('relu', 0.3)).toBeCloseTo(0.1, 15);
    expect(at('relu', 0.5)).toBe(0);
  });

  it('lstm: rows i, f, g, o; c′ = f⊙c + i⊙g, h′ = o⊙tanh(c′)', () => {
    const w = weights([0, 0, 0, 0], [0, 0, 0, 0], [0.1, -0.4, 0.9, 1.3], [0.2, 0.3, -0.5, 0.1]);
    const { next } = rnnCellForward(one('lstm'), w, Float64Array.of(5), { h: Float64Array.of(-3), c: Float64Array.of(0.7) });
    const [i, f, g, o] = [sig(0.3), sig(-0.1), Math.tanh(0.4), sig(1.4)];
    expect(next.c![0]).toBeCloseTo(f * 0.7 + i * g, 15);
    expect(next.h[0]).toBeCloseTo(o * Math.tanh(f * 0.7 + i * g), 15);
  });

  it('gru: rows r, z, n; n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)), h′ = (1 − z)⊙n + z⊙h', () => {
    const w = weights([0, 0, 0.6], [0, 0, -1.5], [0.5, -1, 0.2], [0.3, 0.4, 0.7]);
    const { next } = rnnCellForward(one('gru'), w, Float64Array.of(0.5), { h: Float64Array.of(0.4) });
    const [r, z] = [sig(0.8), sig(-0.6)];
    const n = Math.tanh(0.3 + 0.2 + r * (-0.6 + 0.7));
    expect(next.h[0]).toBeCloseTo((1 - z) * n + z * 0.4, 15);
  });
});

describe('unrolled nets: every gradient, ∂L/∂x and ∂L/∂h_t against central differences', () => {
  const grid = VARIANTS.flatMap(([label, cell, nl], v) =>
    [1, 2, 17].flatMap((T) =>
      [1, 2].map((depth) => {
        const task = (T + depth + v) % 2 ? 'regression' : 'classification';
        return [`${label}, T = ${T}, depth ${depth}, ${task}`, cell, nl, T, depth, task] as const;
      }),
    ),
  );
  it.each(grid)('%s', (_, cell, nl, T, depth, task) => {
    const spec = netSpec(cell, nl, depth, task);
    const { params, batch } = problem(spec, 3, T, 100 + T + depth);
    checkNet(spec, params, batch);
  });

  it('classification and regression both occur for every cell at T = 17', () => {
    const tasks = grid.filter((g) => g[3] === 17).map((g) => `${g[1]} ${g[2]} ${g[5]}`);
    for (const [, cell, nl] of VARIANTS) for (const task of ['classification', 'regression']) expect(tasks).toContain(`${cell} ${nl} ${task}`);
  });

  it('names, shapes and gradient-norm rows follow PyTorch (G = 1, 4, 3)', () => {
    const spec = netSpec('lstm', 'tanh', 2, 'classification');
    expect(rnnParamShapes(spec).map((p) => `${p.name} [${p.shape.join(', ')}]`)).toEqual([
      ...['rnn.weight_ih_l0 [20, 3]', 'rnn.weight_hh_l0 [20, 5]', 'rnn.bias_ih_l0 [20]', 'rnn.bias_hh_l0 [20]'],
      ...['rnn.weight_ih_l1 [20, 5]', 'rnn.weight_hh_l1 [20, 5]', 'rnn.bias_ih_l1 [20]', 'rnn.bias_hh_l1 [20]'],
      ...['head.weight [4, 5]', 'head.bias [4]'],
    ]);
    expect(rnnParamShapes(netSpec('gru', 'tanh', 1, 'regression'))[1]!.shape).toEqual([15, 5]);
    expect(rnnGradRows(spec)).toEqual(['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.weight_ih_l1', 'rnn.weight_hh_l1', 'head.weight']);
    const { params, batch } = problem(spec, 2, 3, 1);
    const r = rnnForwardBackward(spec, params, batch);
    expect(r.weightGradNorms).toEqual(rnnGradRows(spec).map((name) => ({ name, norm: frobenius(r.grads.get(name)!) })));
  });

  it('refuses a missing parameter, a bad bptt and a nonlinearity on an lstm, naming each', () => {
    const spec = netSpec('rnn', 'tanh', 1, 'regression');
    const { params, batch } = problem(spec, 2, 3, 1);
    const missing = new Map(params);
    missing.delete('rnn.bias_hh_l0');
    expect(() => rnnForwardBackward(spec, missing, batch)).toThrow(/missing parameter rnn\.bias_hh_l0 \[5\]/);
    expect(() => rnnForwardBackward(spec, params, batch, { bptt: 0 })).toThrow(/bptt must be an integer ≥ 1/);
    expect(() => rnnParamShapes({ ...spec, cell: 'lstm', nonlinearity: 'relu' })).toThrow(/nonlinearity applies to cell rnn only/);
  });
});

describe('truncated BPTT: the state before the last bptt steps is a constant', () => {
  it.each(VARIANTS)('%s: bptt = 5 of T = 17, depth 2, against differences of the loss with a frozen prefix', (_, cell, nl) => {
    const spec = netSpec(cell, nl, 2, cell === 'gru' ? 'classification' : 'regression');
    const { params, batch } = problem(spec, 3, 17, 400);
    checkNet(spec, params, batch, 5);
  });

  it('bptt ≥ T is full BPTT, exactly', () => {
    const spec = netSpec('lstm', 'tanh', 2, 'classification');
    const { params, batch } = problem(spec, 3, 6, 9);
    const full = rnnForwardBackward(spec, params, batch);
    for (const bptt of [6, 7, 100]) {
      const cut = rnnForwardBackward(spec, params, batch, { bptt });
      for (const [name, g] of full.grads) expect(cut.grads.get(name), name).toEqual(g);
      expect(cut.dx).toEqual(full.dx);
      expect(cut.timeDeltaNorm).toEqual(full.timeDeltaNorm);
    }
  });

  it('bptt = 1 keeps only the last step, by hand on a tanh rnn with one unit', () => {
    const spec: RnnSpec = { cell: 'rnn', nonlinearity: 'tanh', inputSize: 1, hidden: 1, depth: 1, outputs: 1, task: 'regression' };
    const [a, w, b1, b2, v, c] = [0.7, -0.9, 0.1, -0.3, 1.5, 0.2];
    const p = new Map(rnnParamShapes(spec).map(({ name }, i) => [name, Float64Array.of([a, w, b1, b2, v, c][i]!)]));
    const x = Float64Array.of(0.5, -1, 2);
    const batch: RnnBatch = { x, y: [0.4], batch: 1, length: 3 };
    const hs: number[] = [];
    for (const xt of x) hs.push(Math.tanh(a * xt + b1 + w * (hs.at(-1) ?? 0) + b2));
    const dh2 = 2 * (v * hs[2]! + c - 0.4) * v;
    const du2 = dh2 * (1 - hs[2]! ** 2);
    const r = rnnForwardBackward(spec, p, batch, { bptt: 1 });
    const g = (name: string): number => r.grads.get(name)![0]!;
    expectClose('W_hh', [g('rnn.weight_hh_l0')], [du2 * hs[1]!]);
    expectClose('W_ih, b_ih, b_hh', [g('rnn.weight_ih_l0'), g('rnn.bias_ih_l0'), g('rnn.bias_hh_l0')], [du2 * 2, du2, du2]);
    expectClose('dx', r.dx, [0, 0, du2 * a]);
    expectClose('timeDeltaNorm', r.timeDeltaNorm[0]!, [0, 0, Math.abs(dh2)]);
    const full = rnnForwardBackward(spec, p, batch);
    expect(Math.abs(full.grads.get('rnn.weight_hh_l0')![0]! - du2 * hs[1]!)).toBeGreaterThan(1e-3);
  });
});

describe('the phenomenon: gradients vanish through time in a tanh rnn, not in an lstm with forget bias +3', () => {
  /** ‖∂L/∂h_0‖/‖∂L/∂h_{T−1}‖ at PyTorch's default init on the adding problem's inputs (value, marker), T = 30, H = 64. */
  function ratio(cell: RnnCell, forgetBias: number): number {
    const [H, T, B] = [64, 30, 8];
    const spec: RnnSpec = { cell, nonlinearity: 'tanh', inputSize: 2, hidden: H, depth: 1, outputs: 1, task: 'regression' };
    const rng = seeded(1997);
    const params = randomParams(spec, rng);
    params.get('rnn.bias_ih_l0')!.subarray(H, 2 * H).forEach((u, j, f) => (f[j] = u + (cell === 'lstm' ? forgetBias : 0)));
    const x = Float64Array.from({ length: B * T * 2 }, (_, i) => (i % 2 ? (i >> 1) % T === 3 || (i >> 1) % T === 20 ? 1 : 0 : rng()));
    const r = rnnForwardBackward(spec, params, { x, y: normal(rng, B), batch: B, length: T });
    return r.timeDeltaNorm[0]![0]! / r.timeDeltaNorm[0]![T - 1]!;
  }

  it('tanh rnn below 1e-4, lstm at least 1e3× larger', () => {
    const [rnn, lstm] = [ratio('rnn', 0), ratio('lstm', 3)];
    expect(rnn).toBeLessThan(1e-4);
    expect(lstm).toBeGreaterThan(1e3 * rnn);
  });
});
