/**
 * Initial weights with PyTorch's formulas (torch.nn.init). Every layer uses its own fan_in and fan_out, as
 * torch computes them for its weight's shape.
 */
import type { Rng } from '../math/prng.ts';
import type { ModelConfig } from './config.ts';
import type { ParamSpec } from './graph/params.ts';

export interface LayerInit {
  /** rows×fan_in, row-major: PyTorch's [out, in]. */
  weight: Float32Array;
  bias: Float32Array;
}

/**
 * Initial parameters of a layer graph by state_dict name, in PyTorch's layout: each weight-bearing node's
 * weight (and bias) drawn as initLayer draws them, norms' γ = 1 and β = 0, ReZero's α = 0.
 */
export function initGraphParams(init: ModelConfig['init'], params: readonly ParamSpec[], rng: Rng): Map<string, Float32Array> {
  const stream = rng.fork('init');
  const out = new Map<string, Float32Array>();
  // Each node's parameters, indexed once: a search per weight made a 10,000-layer init quadratic.
  const byNode = new Map<number, ParamSpec[]>();
  for (const p of params) byNode.set(p.node, [...(byNode.get(p.node) ?? []), p]);
  for (const p of params) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const siblings = byNode.get(p.node)!;
    if (p.recurrent) {
      if (p.role === 'weight_ih') for (const [name, data] of initRecurrent(init, siblings, stream)) out.set(name, data);
    } else if (p.role === 'weight') {
      const layer = initLayer(init, p.shape[0]!, p.fanIn, stream, p.fanOut);
      out.set(p.name, layer.weight);
      const bias = siblings.find((q) => q.role === 'bias');
      if (bias) out.set(bias.name, layer.bias);
    } else if (p.role !== 'bias') out.set(p.name, new Float32Array(n).fill(p.role === 'gamma' ? 1 : 0));
  }
  return out;
}

/**
 * One [rows, cols] layer (rows = out features or channels, cols = fan_in). A conv's fan_out is
 * C_out·k·k, as torch.nn.init computes it, so it is passed apart.
 */
export function initLayer(init: ModelConfig['init'], rows: number, cols: number, rng: Rng, fanOut = rows): LayerInit {
  const weight = new Float32Array(rows * cols);
  const bias = new Float32Array(rows);
  const { gain } = init;
  const fanIn = cols;
  const normal = (std: number): void => void rng.fill(weight, () => std * rng.normal());
  const uniform = (bound: number, out: Float32Array): void => void rng.fill(out, () => bound * (2 * rng.uniform() - 1));
  switch (init.scheme) {
    case 'xavier':
      normal(gain * Math.sqrt(2 / (fanIn + fanOut)));
      break;
    case 'xavier_uniform':
      uniform(gain * Math.sqrt(6 / (fanIn + fanOut)), weight);
      break;
    case 'he':
      normal(gain * Math.sqrt(2 / fanIn));
      break;
    case 'he_uniform':
      uniform(gain * Math.sqrt(6 / fanIn), weight);
      break;
    case 'lecun':
      normal(gain * Math.sqrt(1 / fanIn));
      break;
    case 'orthogonal':
      weight.set(orthogonal(rows, cols, gain, rng));
      break;
    case 'identity': // a recurrent scheme: the net's other layers get nn.Linear's default
    case 'pytorch':
      // nn.Linear.reset_parameters: kaiming_uniform_(a=√5) works out to U(±1/√fan_in), and so does the bias.
      uniform(1 / Math.sqrt(fanIn), weight);
      uniform(1 / Math.sqrt(fanIn), bias);
      break;
    case 'meanfield':
      normal(Math.sqrt(init.sigmaW2 / fanIn));
      // Drawn even when σ_b² = 0, so changing σ_b² leaves the weights alone; + 0 turns -0 into 0.
      rng.fill(bias, () => Math.sqrt(init.sigmaB2) * rng.normal() + 0);
      break;
  }
  return { weight, bias };
}

/**
 * One recurrent layer's four tensors (nn.RNNBase names: weight_ih, weight_hh, bias_ih, bias_hh). `pytorch` is
 * nn.RNNBase.reset_parameters: every tensor U(±1/√H). `orthogonal` draws each gate's H×H block of W_hh orthogonal
 * (times gain), the rest as pytorch. `identity` is Le et al. 2015's IRNN: W_hh = gain·I, W_ih ~ N(0, 0.001²),
 * biases 0. An LSTM's forget-gate bias (rows H…2H of bias_ih) then gets init.forgetBias added.
 */
function initRecurrent(init: ModelConfig['init'], specs: readonly ParamSpec[], rng: Rng): Map<string, Float32Array> {
  const spec = (role: string) => specs.find((q) => q.role === role)!;
  const { cell, hidden: H } = spec('weight_ih').recurrent!;
  const bound = 1 / Math.sqrt(H);
  const draw = (p: ParamSpec, f: () => number): Float32Array => {
    const a = new Float32Array(p.shape.reduce((x, y) => x * y, 1));
    rng.fill(a, f);
    return a;
  };
  const uniform = (p: ParamSpec) => draw(p, () => bound * (2 * rng.uniform() - 1));
  const [wIh, wHh, bIh, bHh] = (['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'] as const).map(spec) as [ParamSpec, ParamSpec, ParamSpec, ParamSpec];
  const G = wHh.shape[0]! / H;
  const out = new Map<string, Float32Array>();
  if (init.scheme === 'identity') {
    out.set(wIh.name, draw(wIh, () => 0.001 * rng.normal()));
    const w = new Float32Array(G * H * H);
    for (let g = 0; g < G; g++) for (let j = 0; j < H; j++) w[(g * H + j) * H + j] = init.gain;
    out.set(wHh.name, w);
    out.set(bIh.name, new Float32Array(G * H));
    out.set(bHh.name, new Float32Array(G * H));
  } else {
    out.set(wIh.name, uniform(wIh));
    if (init.scheme === 'orthogonal') {
      const w = new Float32Array(G * H * H);
      for (let g = 0; g < G; g++) w.set(orthogonal(H, H, init.gain, rng), g * H * H);
      out.set(wHh.name, w);
    } else out.set(wHh.name, uniform(wHh));
    out.set(bIh.name, uniform(bIh));
    out.set(bHh.name, uniform(bHh));
  }
  if (cell === 'lstm' && init.forgetBias !== 0) {
    const b = out.get(bIh.name)!;
    for (let j = H; j < 2 * H; j++) b[j]! += init.forgetBias;
  }
  return out;
}

/**
 * torch.nn.init.orthogonal_: QR of a Gaussian matrix, signs fixed so R's diagonal is positive (which is
 * what Gram–Schmidt gives directly). The taller orientation is factored, so a wide matrix gets
 * orthonormal rows and a tall one orthonormal columns. Returns rows×cols row-major, times gain.
 */
export function orthogonal(rows: number, cols: number, gain: number, rng: Rng): Float64Array {
  const g = rng.fill(new Float64Array(rows * cols), () => rng.normal());
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const n = tall ? cols : rows;
  // Column j of the tall matrix: a column of g when tall, a row of g (g transposed) when wide.
  const q = Array.from({ length: n }, (_, j) =>
    Float64Array.from({ length: m }, (_, i) => (tall ? g[i * cols + j]! : g[j * cols + i]!)),
  );
  gramSchmidt(q);
  const out = new Float64Array(rows * cols);
  for (let j = 0; j < n; j++) {
    const column = q[j]!;
    for (let i = 0; i < m; i++) {
      if (tall) out[i * cols + j] = gain * column[i]!;
      else out[j * cols + i] = gain * column[i]!;
    }
  }
  return out;
}

/** Modified Gram–Schmidt in place: the columns become orthonormal, each a positive mix of the earlier ones. */
function gramSchmidt(columns: Float64Array[]): void {
  for (let j = 0; j < columns.length; j++) {
    const v = columns[j]!;
    for (let k = 0; k < j; k++) {
      const u = columns[k]!;
      let dot = 0;
      for (let i = 0; i < v.length; i++) dot += u[i]! * v[i]!;
      for (let i = 0; i < v.length; i++) v[i]! -= dot * u[i]!;
    }
    let norm = 0;
    for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < v.length; i++) v[i]! *= inv;
  }
}
