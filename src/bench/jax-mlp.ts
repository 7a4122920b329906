/**
 * The MLP training step of the step benchmark as jax-js code (issue #9): the network stepConfig describes (D blocks of
 * linear → ReLU, then the linear head), softmax cross-entropy averaged over the batch, and plain SGD, as one
 * jit-compiled function of (parameters, x, one-hot y) that returns the loss before the update and the updated
 * parameters. Its inputs are ours: the weights initGraphParams draws for the run's seed and the first batch our
 * sampler deals, so its first loss can be checked against the same float64 forward as our own step's.
 */
import { mlpGraph } from '../model/graph/mlp.ts';
import { graphParams } from '../model/graph/params.ts';
import { initGraphParams } from '../model/init.ts';
import { Rng } from '../math/prng.ts';
import type { RunConfig } from '../model/config.ts';
import type { Graph } from '../model/graph/graph.ts';
import { BatchSampler } from '../train/data/batch-sampler.ts';
import { floatDataset, makeDataset } from '../train/data/dataset.ts';

export type Jax = typeof import('@jax-js/jax');
export type JaxArray = import('@jax-js/jax').Array;
/** The two jax-js devices the peer runs on: its WebGPU one (on our adapter) and its Wasm one (on our CPU). */
export type JaxDevice = 'webgpu' | 'wasm';

/** Layer l's kernel [in, out] (JAX's layout, so the forward is x @ w) and bias; the head is last. */
export type MlpParams = { w: JaxArray[]; b: JaxArray[] };

/** The network and first batch of a step config, in float32 as both libraries hold them. */
export interface MlpProblem {
  graph: Graph;
  /** By state_dict name, PyTorch's layout ([out, in] weights). */
  params: Map<string, Float32Array>;
  x: Float32Array;
  /** Class ids. */
  y: Uint32Array;
  batch: number;
  inputs: number;
  classes: number;
}

/** What a run of `config` starts from: its graph, its initial weights, and the first batch its sampler deals. */
export async function mlpProblem(config: RunConfig): Promise<MlpProblem> {
  const data = floatDataset(await makeDataset(config.data, config.seed));
  const graph = mlpGraph(config.model, { inputDim: data.inputDim, outputDim: data.outputDim, task: data.task });
  // The trainer's own streams (engines.ts, trainer.ts): the same seed gives the same weights and the same batch.
  const params = initGraphParams(config.model.init, graphParams(graph).params, new Rng(config.seed));
  const B = config.train.batchSize;
  const rows = new Uint32Array(B);
  new BatchSampler(data.train.n, B, new Rng(config.seed).fork('shuffle')).next(rows);
  const D = data.inputDim;
  const x = new Float32Array(B * D);
  rows.forEach((r, i) => x.set(data.train.x.subarray(r * D, (r + 1) * D), i * D));
  const y = Uint32Array.from(rows, (r) => data.train.y[r]!);
  return { graph, params, x, y, batch: B, inputs: D, classes: data.outputDim };
}

/** A [rows, cols] row-major matrix as [cols, rows]: PyTorch's [out, in] weights as JAX's [in, out] kernels. */
export function transposed(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}

/** The problem's parameters, x and one-hot y as arrays committed to `device`. */
export function jaxInputs(jax: Jax, p: MlpProblem, device: JaxDevice): { params: MlpParams; x: JaxArray; y: JaxArray } {
  const { numpy: np } = jax;
  const names = [...p.params.keys()].filter((n) => n.endsWith('.weight'));
  const params: MlpParams = { w: [], b: [] };
  for (const name of names) {
    const w = p.params.get(name)!;
    const bias = p.params.get(name.replace(/weight$/, 'bias'))!;
    const [out, inp] = [bias.length, w.length / bias.length];
    params.w.push(np.array(transposed(w, out, inp), { shape: [inp, out], device }));
    params.b.push(np.array(bias, { device }));
  }
  const onehot = new Float32Array(p.batch * p.classes);
  p.y.forEach((c, i) => (onehot[i * p.classes + c] = 1));
  const x = np.array(p.x, { shape: [p.batch, p.inputs], device });
  const y = np.array(onehot, { shape: [p.batch, p.classes], device });
  return { params, x, y };
}

/**
 * One SGD step, jit-compiled: valueAndGrad of the mean cross-entropy, then p − lr·g for every array. jax-js's
 * arguments are moved in (reference counting): `params` is consumed, so pass x and y as `x.ref`, `y.ref` to reuse them.
 */
export function jaxMlpStep(jax: Jax, lr: number, batch: number) {
  const { numpy: np, nn, tree, jit, valueAndGrad } = jax;
  const loss = (p: MlpParams, x: JaxArray, y: JaxArray): JaxArray => {
    const head = p.w.length - 1;
    let h = x;
    for (let l = 0; l < head; l++) h = nn.relu(np.matmul(h, p.w[l]!).add(p.b[l]!));
    const logits = np.matmul(h, p.w[head]!).add(p.b[head]!);
    return nn.logSoftmax(logits, -1).mul(y).sum().mul(-1 / batch);
  };
  return jit((p: MlpParams, x: JaxArray, y: JaxArray): [JaxArray, MlpParams] => {
    const [value, grads] = valueAndGrad(loss)(tree.ref(p), x, y);
    return [value, tree.map((w: JaxArray, g: JaxArray) => w.sub(g.mul(lr)), p, grads)];
  });
}

/** The parameters back on the host by state_dict name, in PyTorch's layout (for the update's check). */
export async function hostParams(params: MlpParams, names: readonly string[]): Promise<Map<string, Float64Array>> {
  const out = new Map<string, Float64Array>();
  const weights = names.filter((n) => n.endsWith('.weight'));
  for (let l = 0; l < weights.length; l++) {
    const [w, b] = [params.w[l]!, params.b[l]!];
    const [inp, outDim] = w.shape as [number, number];
    // data() consumes its array: read through a new reference, so the parameters stay usable.
    const kernel = (await w.ref.data()) as Float32Array;
    out.set(weights[l]!, Float64Array.from(transposed(kernel, inp, outDim)));
    out.set(weights[l]!.replace(/weight$/, 'bias'), Float64Array.from((await b.ref.data()) as Float32Array));
  }
  return out;
}
