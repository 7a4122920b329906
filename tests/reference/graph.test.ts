// The whole-graph float64 reference: equal to the MLP reference on MLP graphs, and its ResNet gradients match
// central differences of graphLoss.
import { describe, expect, it } from 'vitest';
import type { Graph, LayerNode, TensorId } from '../../src/model/graph/graph.ts';
import { mlpGraph } from '../../src/model/graph/mlp.ts';
import { graphParams } from '../../src/model/graph/params.ts';
import { resnetGraph } from '../../src/model/graph/resnet.ts';
import type { ImageShape } from '../../src/model/graph/resnet.ts';
import { graphForwardBackward, graphLoss } from '../../src/reference/graph.ts';
import type { GraphBatch, GraphTensors } from '../../src/reference/graph.ts';
import { conv2dBackward, netForwardBackward, ohwiFromOihw, shortcutABackward } from '../../src/reference/index.ts';
import type { Activation, BlockParams, NetParams, NetSpec, NormKind, ResidualKind, TaskKind } from '../../src/reference/index.ts';
import { expectClose, numericGradient } from './fd.ts';
import { normal, seeded, uniform } from './rng.ts';
import type { Rng } from './rng.ts';

/** Weights N(0, gain²/fan_in), biases N(0, 0.3²), γ near 1, β small, α = ±[0.3, 0.8): every path carries signal. */
function randomParams(g: Graph, rng: Rng, gain = 1): Map<string, Float64Array> {
  return new Map(
    graphParams(g).params.map((p) => {
      const n = p.shape.reduce((a, b) => a * b, 1);
      switch (p.role) {
        case 'weight':
          return [p.name, normal(rng, n, gain / Math.sqrt(p.fanIn))];
        case 'bias':
          return [p.name, normal(rng, n, 0.3)];
        case 'gamma':
          return [p.name, uniform(rng, n, 0.8, 1.2)];
        case 'beta':
          return [p.name, normal(rng, n, 0.1)];
        case 'alpha':
          return [p.name, Float64Array.of((rng() < 0.5 ? -1 : 1) * (0.3 + 0.5 * rng()))];
        default:
          throw new RangeError(`no recurrent layers here (${p.name})`);
      }
    }),
  );
}

function randomBuffers(g: Graph, rng: Rng): Map<string, Float64Array> {
  return new Map(
    graphParams(g).buffers.map((b) => [b.name, b.role === 'running_mean' ? normal(rng, b.shape[0]!, 0.3) : uniform(rng, b.shape[0]!, 0.5, 2)]),
  );
}

function tensorId(g: Graph, name: string): TensorId {
  const t = g.tensors.find((info) => info.name === name);
  if (!t) throw new Error(`no tensor ${name}`);
  return t.id;
}

describe('graphForwardBackward on MLP graphs equals the MLP reference (netForwardBackward)', () => {
  const DIMS = { depth: 3, width: 5, inputDim: 4, outputDim: 3 };
  const B = 4;

  /** The same numbers as NetParams: blocks.{l}.weight/bias, blocks.{l}.norm.weight/bias (γ, β), blocks.{l}.alpha. */
  function netParamsOf(spec: NetSpec, p: GraphTensors, buffers: GraphTensors): NetParams {
    const blocks = Array.from({ length: spec.depth }, (_, l): BlockParams => {
      const block: BlockParams = { weight: p.get(`blocks.${l}.weight`)!, bias: p.get(`blocks.${l}.bias`)! };
      const gamma = p.get(`blocks.${l}.norm.weight`);
      const beta = p.get(`blocks.${l}.norm.bias`);
      const runningMean = buffers.get(`blocks.${l}.norm.running_mean`);
      const runningVar = buffers.get(`blocks.${l}.norm.running_var`);
      const alpha = p.get(`blocks.${l}.alpha`);
      if (gamma) block.gamma = gamma;
      if (beta) block.beta = beta;
      if (runningMean) block.runningMean = runningMean;
      if (runningVar) block.runningVar = runningVar;
      if (alpha) block.alpha = alpha[0]!;
      return block;
    });
    return { blocks, head: { weight: p.get('head.weight')!, bias: p.get('head.bias')! } };
  }

  function compare(activation: Activation, norm: NormKind, residual: ResidualKind, task: TaskKind, withBuffers: boolean): void {
    const spec: NetSpec = { ...DIMS, activation, norm, residual, task };
    const g = mlpGraph(spec, spec);
    const rng = seeded(7);
    const params = randomParams(g, rng);
    const buffers = withBuffers ? randomBuffers(g, rng) : new Map<string, Float64Array>();
    const x = normal(rng, B * DIMS.inputDim);
    const y = task === 'classification' ? Float64Array.from({ length: B }, (_, i) => i % DIMS.outputDim) : normal(rng, B * DIMS.outputDim);
    const got = graphForwardBackward(g, params, buffers, { x, y, batch: B });
    const want = netForwardBackward(spec, netParamsOf(spec, params, buffers), x, y, B);

    expectClose('loss', [got.loss], [want.loss]);
    expect(got.correct).toBe(want.correct);
    expectClose('logits', got.logits, want.logits);
    expect([...got.grads.keys()]).toEqual(graphParams(g).params.map((p) => p.name));
    // Train-mode batch norm cancels the linear bias: those gradients are rounding noise, judged on the net's scale.
    const scale = Math.max(...[...got.grads.values()].flatMap((v) => Array.from(v, Math.abs)));
    const close = (name: string, expected: ArrayLike<number>): void => expectClose(name, got.grads.get(name)!, expected, 1e-12, 1e-14 * scale);
    want.grads.blocks.forEach((w, l) => {
      close(`blocks.${l}.weight`, w.weight);
      close(`blocks.${l}.bias`, w.bias);
      if (norm !== 'none') {
        close(`blocks.${l}.norm.weight`, w.gamma!);
        close(`blocks.${l}.norm.bias`, w.beta!);
      }
      if (residual === 'rezero' && l > 0) close(`blocks.${l}.alpha`, [w.alpha!]);
    });
    close('head.weight', want.grads.head.weight);
    close('head.bias', want.grads.head.bias);
    want.cache.forEach((c, l) => expectClose(`blocks.${l}.a`, got.tensors[tensorId(g, `blocks.${l}.a`)]!, c.a));

    expect(got.running.size).toBe(norm === 'batch' ? 2 * DIMS.depth : 0);
    want.newRunningStats?.forEach((r, l) => {
      expectClose(`blocks.${l} running_mean`, got.running.get(`blocks.${l}.norm.running_mean`)!, r.mean);
      expectClose(`blocks.${l} running_var`, got.running.get(`blocks.${l}.norm.running_var`)!, r.var);
    });
  }

  const KINDS: [Activation, TaskKind][] = [
    ['tanh', 'classification'],
    ['relu', 'classification'],
    ['gelu', 'regression'],
  ];
  for (const norm of ['none', 'batch', 'layer'] as const) {
    for (const residual of ['none', 'identity', 'rezero'] as const) {
      for (const [activation, task] of KINDS) {
        it(`${activation}/${norm}/${residual} ${task}`, () => compare(activation, norm, residual, task, true));
      }
    }
  }

  it('without running buffers, batch norm starts from PyTorch’s fresh ones (mean 0, var 1) as netForwardBackward does', () => {
    compare('sigmoid', 'batch', 'identity', 'classification', false);
  });
});

interface ResnetCase {
  model: Parameters<typeof resnetGraph>[0];
  image: ImageShape;
  batch: number;
}

interface Problem {
  g: Graph;
  params: Map<string, Float64Array>;
  buffers: Map<string, Float64Array>;
  b: GraphBatch;
}

// The fourth-order stencil moves a value by at most 2·H·max(1, |v|), which moves a relu input by ≤ 2.5e-4 in
// these nets (measured over every parameter), well inside the margin; seeds whose relu inputs come closer to 0 are skipped.
// Rounding in the loss then costs ~1e-11 absolute per difference.
const H = 1e-5;
const KINK_MARGIN = 1e-3;
const TOL = 1e-6;
const SAMPLES = 12;

function reluInputs(g: Graph, tensors: Float64Array[]): Float64Array[] {
  return g.nodes.flatMap((n) => (n.kind === 'activation' && n.activation === 'relu' ? [tensors[n.input]!] : []));
}

function makeProblem(c: ResnetCase, seed: number): Problem {
  const g = resnetGraph(c.model, c.image);
  const rng = seeded(seed);
  const params = randomParams(g, rng, c.model.activation === 'relu' ? Math.SQRT2 : 1);
  const buffers = randomBuffers(g, rng);
  const { height, width, channels, classes } = c.image;
  const x = normal(rng, c.batch * height * width * channels);
  const y = Float64Array.from({ length: c.batch }, () => Math.floor(rng() * classes));
  return { g, params, buffers, b: { x, y, batch: c.batch } };
}

function kinkFreeProblem(c: ResnetCase): Problem {
  for (let seed = 1; seed < 200; seed++) {
    const p = makeProblem(c, seed);
    const { tensors } = graphForwardBackward(p.g, p.params, p.buffers, p.b);
    if (reluInputs(p.g, tensors).every((u) => u.every((v) => Math.abs(v) >= KINK_MARGIN))) return p;
  }
  throw new Error('no seed keeps the relu inputs away from the kink');
}

function sampleIndices(rng: Rng, n: number, k: number): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  const picked = new Set<number>();
  while (picked.size < k) picked.add(Math.floor(rng() * n));
  return [...picked];
}

/**
 * Sampled entries of `analytic` against central differences of `loss` with entry i of a copy of `values` set;
 * each error is relative to max(|a|, |n|, 1e-3·‖analytic‖) so entries far below the tensor's scale are judged on it.
 */
function checkSampled(label: string, values: Float64Array, analytic: Float64Array, loss: (v: Float64Array) => number, rng: Rng, k = SAMPLES): number {
  const scale = Math.hypot(...analytic);
  const v = values.slice();
  const indices = sampleIndices(rng, v.length, k);
  for (const i of indices) {
    const n = numericGradient((p) => ((v[i] = p[0]!), loss(v)), [values[i]!], H)[0]!;
    v[i] = values[i]!;
    const a = analytic[i]!;
    const err = Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), 1e-3 * scale, Number.MIN_VALUE);
    expect(err, `${label}[${i}]: analytic ${a} vs numeric ${n}`).toBeLessThanOrEqual(TOL);
  }
  return indices.length;
}

function nodeNamed<K extends LayerNode['kind']>(g: Graph, kind: K, name: string): Extract<LayerNode, { kind: K }> {
  const n = g.nodes.find((m): m is Extract<LayerNode, { kind: K }> => m.kind === kind && 'name' in m && m.name === name);
  if (!n) throw new Error(`no ${kind} node ${name}`);
  return n;
}

describe('graphForwardBackward on CIFAR ResNets matches central differences of graphLoss', () => {
  const CASES: [string, ResnetCase][] = [
    ['relu/batch/identity, width 2, 6×6, B 3', { model: { depth: 8, width: 2, activation: 'relu', norm: 'batch', residual: 'identity' }, image: { height: 6, width: 6, channels: 3, classes: 3 }, batch: 3 }],
    ['tanh/batch/rezero, width 4, 5×5, B 2', { model: { depth: 8, width: 4, activation: 'tanh', norm: 'batch', residual: 'rezero' }, image: { height: 5, width: 5, channels: 3, classes: 3 }, batch: 2 }],
    ['relu/none/rezero, width 2, 5×6, B 2', { model: { depth: 8, width: 2, activation: 'relu', norm: 'none', residual: 'rezero' }, image: { height: 5, width: 6, channels: 3, classes: 3 }, batch: 2 }],
    ['tanh/none/identity, width 2, 6×5, B 3', { model: { depth: 8, width: 2, activation: 'tanh', norm: 'none', residual: 'identity' }, image: { height: 6, width: 5, channels: 3, classes: 3 }, batch: 3 }],
    ['relu/batch/none, width 4, 5×5, B 3', { model: { depth: 8, width: 4, activation: 'relu', norm: 'batch', residual: 'none' }, image: { height: 5, width: 5, channels: 3, classes: 3 }, batch: 3 }],
  ];

  it.each(CASES)('%s: every parameter and the input', (_, c) => {
    const { g, params, buffers, b } = kinkFreeProblem(c);
    const result = graphForwardBackward(g, params, buffers, b);
    expect(result.loss).toBeCloseTo(graphLoss(g, params, buffers, b), 14);
    expect([...result.grads.keys()]).toEqual(graphParams(g).params.map((p) => p.name));
    const rng = seeded(99);
    let checked = 0;
    for (const [name, values] of params) {
      const loss = (v: Float64Array): number => graphLoss(g, new Map(params).set(name, v), buffers, b);
      checked += checkSampled(name, values, result.grads.get(name)!, loss, rng);
    }
    checked += checkSampled('input', b.x, result.tensorGrads[g.input]!, (x) => graphLoss(g, params, buffers, { ...b, x }), rng);
    // All of a small tensor (α, the head's bias), SAMPLES entries of a larger one.
    expect(checked).toBe([...params.values(), b.x].reduce((s, v) => s + Math.min(v.length, SAMPLES), 0));
  });

  it('a block input’s gradient is the sum of what its two consumers send back (conv1 and the skip or shortcut)', () => {
    const [, c] = CASES[0]!;
    const { g, params, buffers, b } = kinkFreeProblem(c);
    const { tensors, tensorGrads } = graphForwardBackward(g, params, buffers, b);
    const B = b.batch;
    const convDx = (name: string): Float64Array => {
      const n = nodeNamed(g, 'conv2d', name);
      const [Hin, Win, Cin] = g.tensors[n.input]!.shape as [number, number, number];
      const Cout = g.tensors[n.output]!.shape[2]!;
      const shape = { N: B, H: Hin, W: Win, Cin, Cout, KH: 3, KW: 3, stride: n.geometry.stride, pad: n.geometry.pad };
      return conv2dBackward(tensorGrads[n.output]!, tensors[n.input]!, ohwiFromOihw(params.get(`${name}.weight`)!, shape), shape).dx;
    };
    const sum = (a: Float64Array, d: Float64Array): Float64Array => a.map((v, i) => v + d[i]!);

    // An identity block: the skip hands dL/d(sum) straight back.
    const stem = tensorId(g, 'conv1.act');
    expectClose('conv1.act', tensorGrads[stem]!, sum(convDx('layer1.0.conv1'), tensorGrads[tensorId(g, 'layer1.0.sum')]!));

    // A downsampling block: the shortcut routes dL/d(shortcut) back to the even pixels.
    const into2 = tensorId(g, 'layer1.0.out');
    const [Hs, Ws, Cin] = g.tensors[into2]!.shape as [number, number, number];
    const viaShortcut = shortcutABackward(tensorGrads[tensorId(g, 'layer2.0.shortcut')]!, { N: B, H: Hs, W: Ws, Cin, Cout: 2 * Cin });
    expectClose('layer1.0.out', tensorGrads[into2]!, sum(convDx('layer2.0.conv1'), viaShortcut));
  });

  it('batch norm statistics run over every position: N·H·W rows per channel, unbiased variance for the running one', () => {
    const [, c] = CASES[0]!;
    const { g, params, buffers, b } = makeProblem(c, 3);
    const { tensors, running } = graphForwardBackward(g, params, buffers, b);
    const z = tensors[tensorId(g, 'layer2.0.conv1.out')]!;
    const C = 4;
    const rows = z.length / C;
    expect(rows).toBe(b.batch * 3 * 3);
    const mean = Float64Array.from({ length: C }, (_, ch) => z.filter((_, i) => i % C === ch).reduce((s, v) => s + v, 0) / rows);
    const unbiased = Float64Array.from({ length: C }, (_, ch) => z.filter((_, i) => i % C === ch).reduce((s, v) => s + (v - mean[ch]!) ** 2, 0) / (rows - 1));
    const old = (name: string): Float64Array => buffers.get(`layer2.0.bn1.${name}`)!;
    expectClose('running_mean', running.get('layer2.0.bn1.running_mean')!, old('running_mean').map((r, ch) => 0.9 * r + 0.1 * mean[ch]!), 1e-12, 1e-15);
    expectClose('running_var', running.get('layer2.0.bn1.running_var')!, old('running_var').map((r, ch) => 0.9 * r + 0.1 * unbiased[ch]!), 1e-12);
    expect([...running.keys()]).toEqual(graphParams(g).buffers.map((buf) => buf.name));
    // The input buffers are left alone.
    expect(buffers.get('layer2.0.bn1.running_mean')).toBe(old('running_mean'));
  });
});

describe('graph reference errors', () => {
  const g = resnetGraph({ depth: 8, width: 2, activation: 'relu', norm: 'batch', residual: 'identity' }, { height: 4, width: 4, channels: 3, classes: 3 });
  const rng = seeded(5);
  const params = randomParams(g, rng);
  const b: GraphBatch = { x: normal(rng, 2 * 4 * 4 * 3), y: [0, 2], batch: 2 };

  it('a missing parameter is named', () => {
    const missing = new Map(params);
    missing.delete('layer2.0.bn1.weight');
    expect(() => graphForwardBackward(g, missing, new Map(), b)).toThrow(/missing parameter layer2\.0\.bn1\.weight/);
    expect(() => graphLoss(g, missing, new Map(), b)).toThrow(/missing parameter layer2\.0\.bn1\.weight/);
  });

  it('a parameter of the wrong size is named with its PyTorch shape', () => {
    const wrong = new Map(params).set('layer3.0.conv2.weight', new Float64Array(10));
    expect(() => graphForwardBackward(g, wrong, new Map(), b)).toThrow(/layer3\.0\.conv2\.weight \[8, 8, 3, 3\] must have length 576 \(got 10\)/);
  });

  it('x and y must fit the batch', () => {
    expect(() => graphLoss(g, params, new Map(), { ...b, x: new Float64Array(5) })).toThrow(/x \(2 × \[4, 4, 3\]\) must have length 96/);
    expect(() => graphLoss(g, params, new Map(), { ...b, y: [0] })).toThrow(/y \(2 class ids/);
  });
});
