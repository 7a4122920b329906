import { describe, expect, it } from 'vitest';
import { diagnose, fmt, type DiagnoseOptions } from '../../src/stats/diagnosis.ts';
import type { StepRecord } from '../../src/stats/record.ts';
import { resolveConfig } from '../../src/model/config.ts';

const relu: DiagnoseOptions = { activation: 'relu', residual: 'none', norm: 'none', clipMode: 'none', lr: 0.01, init: 'he' };
const sigmoid: DiagnoseOptions = { activation: 'sigmoid', residual: 'none', norm: 'none', clipMode: 'none', lr: 0.01, init: 'xavier' };

interface Shape {
  blocks?: number;
  /** gradNorm of the first block relative to the head's (1); blocks in between are geometric. */
  ratio?: number;
  saturated?: number[];
  dead?: number[];
}

function record(step: number, loss: number, s: Shape = {}): StepRecord {
  const n = (s.blocks ?? 30) + 1;
  const ratio = s.ratio ?? 0.5;
  const layers = (v: number): number[] => Array.from({ length: n }, () => v);
  const pad = (xs: number[] | undefined): number[] => Array.from({ length: n }, (_, l) => xs?.[l] ?? 0);
  return {
    step, loss, accuracy: 0.5, gradNormTotal: 1, clipScale: 1, nonFinite: false, stepMs: 1,
    gradNorm: Array.from({ length: n }, (_, l) => ratio ** (1 - l / (n - 1))),
    deltaNorm: layers(0.1), weightNorm: layers(3), updateRatio: layers(1e-3),
    actMean: layers(0), actStd: layers(1), saturated: pad(s.saturated), dead: pad(s.dead),
  };
}

/** A run of 40 records whose loss follows `loss(i)`. */
function run(loss: (i: number) => number, s: Shape = {}): StepRecord[] {
  return Array.from({ length: 40 }, (_, i) => record(i * 10, loss(i), s));
}

const learning = (i: number): number => 2 * 0.95 ** i;
const flat = (): number => 0.69;

describe('diagnose', () => {
  it('calls a learning ReLU + He run healthy', () => {
    const [d, ...rest] = diagnose(run(learning), relu);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ kind: 'healthy', patch: {}, layers: [] });
    expect(d!.finding).toMatch(/^The first block's gradient is 0\.5 of the head's and the loss fell \d+% over the last 190 steps/);
  });

  it('says nothing about an empty run', () => expect(diagnose([], relu)).toEqual([]));

  it('finds vanishing gradients in a deep sigmoid net and suggests ReLU with He init', () => {
    const [d] = diagnose(run(learning, { ratio: 3.2e-6 }), sigmoid);
    expect(d!.kind).toBe('vanishing');
    expect(d!.finding).toBe("The first block's gradient is 3.2e-6 of the head's: the signal fades on its way back through 30 sigmoid layers.");
    expect(d!.patch).toEqual({ 'model.activation': 'relu', 'model.init.scheme': 'he' });
    expect(d!.layers[0]).toBe(0);
    expect(d!.layers.every((l) => l < 30)).toBe(true);
  });

  it('moves to skips, then normalization, when the activation is already right', () => {
    expect(diagnose(run(learning, { ratio: 1e-5 }), relu)[0]!.patch).toEqual({ 'model.residual': 'identity' });
    expect(diagnose(run(learning, { ratio: 1e-5 }), { ...relu, residual: 'rezero' })[0]!.patch).toEqual({ 'model.norm': 'batch' });
    expect(diagnose(run(learning, { ratio: 1e-5 }), { ...relu, init: 'xavier' })[0]!.patch).toEqual({ 'model.init.scheme': 'he' });
    const d = diagnose(run(learning, { ratio: 1e-5 }), { ...relu, residual: 'identity', norm: 'layer' })[0]!;
    expect(d).toMatchObject({ kind: 'vanishing', patch: {} });
    expect(d.fix).toMatch(/already set/);
  });

  it('finds exploding gradients and suggests clipping, then a smaller learning rate', () => {
    const d = diagnose(run(learning, { ratio: 2e4 }), relu)[0]!;
    expect(d.kind).toBe('exploding');
    expect(d.finding).toBe("The first block's gradient is 2.0e4 times the head's: the signal grows on its way back through 30 relu layers.");
    expect(d.patch).toEqual({ 'train.clip.mode': 'norm' });
    expect(diagnose(run(learning, { ratio: 2e4 }), { ...relu, clipMode: 'value' })[0]!.patch).toEqual({ 'train.lr': 0.001 });
  });

  it('a plain stack with batch norm whose gradient grows toward the input gets shortcuts first', () => {
    const d = diagnose(run(learning, { ratio: 2e3 }), { ...relu, norm: 'batch' })[0]!;
    expect(d.kind).toBe('exploding');
    expect(d.patch).toEqual({ 'model.residual': 'identity' });
    expect(d.fix).toMatch(/batch norm keeps every layer’s output in range but not the gradient/);
    // With shortcuts already there, the usual fixes.
    expect(diagnose(run(learning, { ratio: 2e3 }), { ...relu, norm: 'batch', residual: 'identity' })[0]!.patch).toEqual({ 'train.clip.mode': 'norm' });
  });

  it('reports a run that went non-finite as exploding, with the step and layer', () => {
    const records = run(learning);
    const bad = records[12]!;
    records[12] = { ...bad, nonFinite: true, gradNorm: bad.gradNorm.map((g, l) => (l < 4 ? NaN : g)) };
    const d = diagnose(records, relu)[0]!;
    // The backward pass runs from the head down: block 3 is where the gradient first broke.
    expect(d).toMatchObject({ kind: 'exploding', layers: [3], patch: { 'train.clip.mode': 'norm' } });
    expect(d.finding).toBe('At step 120 the run went non-finite: the backward pass overflowed at block 3: gradNorm is NaN.');
  });

  it('finds saturation and suggests batch norm, or ReLU when a norm is on', () => {
    const shape = { saturated: [0.1, 0.8, 0.9, 0.3] };
    const tanh: DiagnoseOptions = { ...sigmoid, activation: 'tanh' };
    const d = diagnose(run(learning, shape), tanh)[0]!;
    expect(d).toMatchObject({ kind: 'saturation', layers: [1, 2], patch: { 'model.norm': 'batch' } });
    expect(d.finding).toMatch(/^90% of the units in block 2 sit where tanh is flat \(2 layers are/);
    expect(diagnose(run(learning, shape), { ...tanh, norm: 'layer' })[0]!.patch).toEqual({ 'model.activation': 'relu', 'model.init.scheme': 'he' });
  });

  it('finds dead units and suggests leaky ReLU', () => {
    const d = diagnose(run(learning, { dead: [0, 0.2, 0.7] }), relu)[0]!;
    expect(d).toMatchObject({ kind: 'dead-units', layers: [2], patch: { 'model.activation': 'leaky_relu' } });
    expect(d.finding).toMatch(/^70% of the units in block 2 output zero for every sample \(1 layer is over half dead\)/);
  });

  it('finds a stalled loss: a flat one wants a bigger step, a rising one a smaller', () => {
    const [flatRun] = diagnose(run(flat), relu);
    expect(flatRun).toMatchObject({ kind: 'stalled', patch: { 'train.lr': 0.1 } });
    expect(flatRun!.finding).toBe('The loss stayed at 0.69 over the last 190 steps: it has stopped improving.');
    // A rise within the noise is not "getting worse", and the two losses print differently.
    const [drifting] = diagnose(run((i) => 1.1 + 0.001 * i), relu);
    expect(drifting).toMatchObject({ kind: 'stalled', patch: { 'train.lr': 0.1 } });
    expect(drifting!.finding).toBe('The loss went from 1.12 to 1.14 over the last 190 steps: it has stopped improving.');
    const [rising] = diagnose(run((i) => 0.5 + i / 100), relu);
    expect(rising).toMatchObject({ kind: 'stalled', patch: { 'train.lr': 0.001 } });
    expect(rising!.finding).toMatch(/it is getting worse\.$/);
  });

  it('does not call a loss below the floor stalled', () => {
    expect(diagnose(run(() => 0.01), relu)[0]!.kind).toBe('healthy');
  });

  it('leaves a stall explained by other findings without a patch of its own', () => {
    const kinds = diagnose(run(flat, { ratio: 1e-6 }), sigmoid);
    expect(kinds.map((d) => d.kind)).toEqual(['vanishing', 'stalled']);
    expect(kinds[1]!.patch).toEqual({});
  });

  it('never suggests a setting that is already on', () => {
    const scenarios: [(i: number) => number, Shape][] = [
      [learning, { ratio: 1e-6 }], [learning, { ratio: 1e6 }], [learning, { saturated: [0.9] }], [learning, { dead: [0.9] }], [flat, {}],
    ];
    for (const activation of ['sigmoid', 'tanh', 'relu', 'gelu'] as const) {
      for (const norm of ['none', 'batch'] as const) {
        for (const residual of ['none', 'identity'] as const) {
          for (const clipMode of ['none', 'norm'] as const) {
            const opts: DiagnoseOptions = { activation, norm, residual, clipMode, lr: 0.01, init: 'he' };
            const current: Record<string, unknown> = { 'model.activation': activation, 'model.init.scheme': 'he', 'train.lr': 0.01 };
            for (const [loss, shape] of scenarios) {
              for (const d of diagnose(run(loss, shape), opts)) {
                for (const [k, v] of Object.entries(d.patch)) expect(current[k], `${d.kind} ${k}`).not.toBe(v);
                if (norm !== 'none') expect(d.patch).not.toHaveProperty('model.norm');
                if (residual !== 'none') expect(d.patch).not.toHaveProperty('model.residual');
                if (clipMode !== 'none') expect(d.patch).not.toHaveProperty('train.clip.mode');
              }
            }
          }
        }
      }
    }
  });
});

describe('fmt', () => {
  it('gives two significant figures, in exponent form for very small or large numbers', () => {
    expect([3.2e-6, 0.4213, 63.4, 2e4, 0, -0.005, NaN].map(fmt)).toEqual(['3.2e-6', '0.42', '63', '2.0e4', '0', '-5.0e-3', 'NaN']);
  });
});

describe('a first block whose gradient underflowed to exactly 0', () => {
  it('is diagnosed as vanishing, not as healthy', () => {
    const records = Array.from({ length: 40 }, (_, i) => {
      const r = record(i + 1, 1.1);
      r.gradNorm[0] = 0;
      r.gradNorm[1] = 0;
      return r;
    });
    expect(diagnose(records, sigmoid).map((d) => d.kind)).toContain('vanishing');
  });
});

describe('a forward pass that overflows at initialization', () => {
  /** The first step of a net whose activations grow ×`growth` per block until they leave f32's range. */
  function overflowing(blocks: number, growth: number): StepRecord {
    const r = record(1, NaN, { blocks });
    const actStd = r.actStd.map((_, l) => (growth ** l < 3e38 ? growth ** l : Infinity));
    return { ...r, nonFinite: true, actStd, gradNorm: r.gradNorm.map(() => NaN), gradNormTotal: NaN };
  }
  const at = (opts: DiagnoseOptions, r: StepRecord) =>
    diagnose([r], { ...opts, depth: r.gradNorm.length - 1, divergence: { step: 1, layer: r.actStd.findIndex((v) => !Number.isFinite(v)), phase: 'forward', what: '' } });

  it('is the only finding, says so, and never offers clipping or a lower learning rate', () => {
    const ds = at({ ...relu, residual: 'identity', gain: 1 }, overflowing(300, 1.7));
    expect(ds.map((d) => d.kind)).toEqual(['forward-overflow']);
    expect(ds[0]!.finding).toMatch(/^The forward pass overflows at the first step, before any update: the activations grow about ×1\.7 per block/);
    expect(ds[0]!.patch).toEqual({ 'model.residual': 'rezero' });
  });

  it('suggests a norm, then a gain from the measured growth, when ReZero is already on or there is no skip', () => {
    const plain = at({ ...relu, gain: 30 }, overflowing(40, 30));
    expect(plain[0]!.patch).toEqual({ 'model.init.gain': 1 });
    const normed = at({ ...relu, residual: 'identity', norm: 'layer', gain: 1 }, overflowing(300, 1.7));
    expect(normed[0]!.patch).toEqual({ 'model.residual': 'rezero' });
    // log-growth ∝ gain in a residual ReLU stack: ln 10 / (300 · ln 1.7) ≈ 0.0145.
    const rezeroAndNorm = at({ ...relu, residual: 'rezero', norm: 'layer', gain: 1 }, overflowing(300, 1.7));
    expect(rezeroAndNorm[0]!.patch).toEqual({ 'model.init.gain': 0.014 });
  });

  it('a divergence after updates is exploding, not an overflow at initialization', () => {
    const r = { ...overflowing(30, 30), step: 40 };
    const ds = diagnose([record(30, 1), r], { ...relu, divergence: { step: 40, layer: 27, phase: 'forward', what: 'x' } });
    expect(ds[0]!.kind).toBe('exploding');
  });
});

describe('diagnose a recurrent net', () => {
  const rnnRun = (timeRatio: number, T = 60): StepRecord[] =>
    run(flat, { blocks: 2 }).map((r) => ({ ...r, timeDeltaNorm: [Array.from({ length: T }, (_, t) => timeRatio ** (1 - t / (T - 1)))] }));
  const opts = (patch: object): DiagnoseOptions => {
    const config = resolveConfig({ model: { arch: 'rnn', ...patch }, data: { length: 60 } });
    return { activation: config.model.activation, residual: 'none', norm: 'none', clipMode: 'norm', lr: 1e-3, init: config.model.init.scheme, config };
  };

  it('finds a tanh RNN’s gradient fading through time and offers an LSTM with forget bias 1', () => {
    const [d] = diagnose(rnnRun(1e-15), opts({ cell: 'rnn' }));
    expect(d).toMatchObject({ kind: 'vanishing-in-time', patch: { 'model.cell': 'lstm', 'model.init.forgetBias': 1 }, layers: [0, 1] });
    expect(d!.finding).toMatch(/^The gradient at the first time step is 1\.0e-15 of the last step's: it fades on its way back through 60 steps of the tanh RNN/);
  });

  it('offers an LSTM a more open forget gate, one step at a time', () => {
    expect(diagnose(rnnRun(1e-12), opts({ cell: 'lstm' }))[0]!.patch).toEqual({ 'model.init.forgetBias': 1 });
    expect(diagnose(rnnRun(1e-5), opts({ cell: 'lstm', init: { forgetBias: 1 } }))[0]!.patch).toEqual({ 'model.init.forgetBias': 3 });
  });

  it('never offers a fix the architecture refuses (no batch norm or skips for a recurrent net)', () => {
    const saturated = run(flat, { blocks: 2, saturated: [0.9, 0.9] }).map((r) => ({ ...r, timeDeltaNorm: [[0.5, 1]] }));
    const [d] = diagnose(saturated, opts({ cell: 'rnn' }));
    expect(d!.kind).toBe('saturation');
    expect(d!.patch).toEqual({ 'train.lr': 1e-4 });
  });

  it('offers clipping for a saturated RNN trained without it, naming the row in words', () => {
    const saturated = run(flat, { blocks: 2, saturated: [0.9, 0.9] }).map((r) => ({ ...r, timeDeltaNorm: [[0.5, 1]] }));
    const config = resolveConfig({ model: { arch: 'rnn', cell: 'rnn' }, train: { clip: { mode: 'none' } } });
    const [d] = diagnose(saturated, { ...opts({ cell: 'rnn' }), clipMode: 'none', config });
    expect(d).toMatchObject({ kind: 'saturation', patch: { 'train.clip.mode': 'norm' } });
    expect(d!.finding).toMatch(/units in layer 0 · input weights sit where tanh is flat/);
  });

  it('reads the first step truncated BPTT reaches, and an exact 0 before it as no gradient at all', () => {
    const zeros = rnnRun(0.5).map((r) => ({ ...r, timeDeltaNorm: [[0, 0, ...r.timeDeltaNorm![0]!.slice(2)]] }));
    expect(diagnose(zeros, opts({ cell: 'lstm' }))[0]!.finding).toMatch(/^The gradient at the first time step is exactly 0/);
    const truncated = diagnose(zeros, { ...opts({ cell: 'lstm' }), config: resolveConfig({ model: { arch: 'rnn' }, data: { length: 60 }, train: { bptt: 58 } }) });
    expect(truncated.map((d) => d.kind)).not.toContain('vanishing-in-time');
  });
});
