// Float64 reference of a whole layer graph (src/model/graph/graph.ts), forward and backward for one training
// batch, so the GPU step of any architecture the builders emit (MLPs, CIFAR ResNets) can be checked against it.
// Parameters come by PyTorch state_dict name in PyTorch layouts (linear [out, in], conv OIHW); activations are
// batch-major and NHWC for images. Batch norm runs in train mode, as in a training step.
import type { Graph, LayerNode, TensorId } from '../model/graph/graph.ts';
import { graphParams } from '../model/graph/params.ts';
import { activationBackward, activationForward } from './activations.ts';
import { batchNormBackward, batchNormForwardTrain } from './batch-norm.ts';
import { checkLength, checkSize } from './checks.ts';
import { conv2dBackward, conv2dForward, conv2dOutputSize, globalAvgPoolBackward, globalAvgPoolForward, ohwiFromOihw, oihwFromOhwi, shortcutABackward, shortcutAForward } from './conv.ts';
import type { Conv2dShape, PoolShape, ShortcutShape } from './conv.ts';
import { layerNormBackward, layerNormForward } from './layer-norm.ts';
import { meanSquaredError, softmaxCrossEntropy } from './losses.ts';
import { matmul } from './matmul.ts';
import { BN_MOMENTUM, NORM_EPS } from './network-forward.ts';
import type { NormState } from './network-forward.ts';

/** Recurrent layers have their own float64 twin, which runs whole recurrent nets. */
const RECURRENT = 'graph reference: recurrent layers are not run here; src/reference/rnn.ts runs whole recurrent nets';

/** Parameters or buffers by PyTorch name, in PyTorch's layout. */
export type GraphTensors = ReadonlyMap<string, Float64Array>;

export interface GraphBatch {
  /** batch × the input's per-sample shape, row-major (NHWC for images). */
  x: Float64Array;
  /** Class ids (classification) or batch × outputs targets (regression). */
  y: ArrayLike<number>;
  batch: number;
}

export interface GraphResult {
  loss: number;
  /** Classification: rows whose argmax equals the label (0 for regression). */
  correct: number;
  logits: Float64Array;
  /** Every parameter of graphParams(g), by name, in PyTorch's layout. */
  grads: Map<string, Float64Array>;
  /** The forward value of every tensor by TensorId (batch-major, NHWC). */
  tensors: Float64Array[];
  /** ∂L/∂tensor by TensorId for every tensor the loss depends on (the input's included). */
  tensorGrads: (Float64Array | undefined)[];
  /** Batch norm's running_mean and running_var after this train-mode step, by buffer name. */
  running: Map<string, Float64Array>;
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Reads parameters by name; every one graphParams lists must be there with its PyTorch size. */
type ParamLookup = (name: string) => Float64Array;

function paramLookup(g: Graph, params: GraphTensors): ParamLookup {
  for (const spec of graphParams(g).params) {
    const v = params.get(spec.name);
    if (!v) throw new RangeError(`graph reference: missing parameter ${spec.name} [${spec.shape.join(', ')}]`);
    checkLength(v, size(spec.shape), `graph reference: parameter ${spec.name} [${spec.shape.join(', ')}]`);
  }
  return (name) => {
    const v = params.get(name);
    if (!v) throw new RangeError(`graph reference: missing parameter ${name}`);
    return v;
  };
}

function tensorName(g: Graph, t: TensorId): string {
  return g.tensors[t]?.name ?? `#${t}`;
}

function shapeOf(g: Graph, t: TensorId): readonly number[] {
  const info = g.tensors[t];
  if (!info) throw new RangeError(`graph reference: no tensor ${t}`);
  return info.shape;
}

function image(g: Graph, t: TensorId, op: string): { H: number; W: number; C: number } {
  const s = shapeOf(g, t);
  if (s.length !== 3) throw new RangeError(`graph reference: ${op} needs an image [H, W, C], but ${tensorName(g, t)} is [${s.join(', ')}]`);
  return { H: s[0]!, W: s[1]!, C: s[2]! };
}

function convShape(g: Graph, n: Extract<LayerNode, { kind: 'conv2d' }>, B: number): Conv2dShape {
  const { H, W, C: Cin } = image(g, n.input, `conv2d ${n.name}`);
  const out = image(g, n.output, `conv2d ${n.name}`);
  const { kernel, stride, pad } = n.geometry;
  const shape: Conv2dShape = { N: B, H, W, Cin, Cout: out.C, KH: kernel, KW: kernel, stride, pad };
  const { Ho, Wo } = conv2dOutputSize(shape, `conv2d ${n.name}`);
  if (Ho !== out.H || Wo !== out.W) throw new RangeError(`graph reference: conv2d ${n.name} makes ${Ho}×${Wo}, but ${tensorName(g, n.output)} is ${out.H}×${out.W}`);
  return shape;
}

/** shortcutA* hard-code stride 2 and the channel padding (Cout − Cin)/2, so the node must say the same. */
function shortcutShape(g: Graph, n: Extract<LayerNode, { kind: 'shortcut' }>, B: number): ShortcutShape {
  const { H, W, C: Cin } = image(g, n.input, 'shortcut');
  const out = image(g, n.output, 'shortcut');
  if (n.stride !== 2 || 2 * n.pad !== out.C - Cin || out.H !== Math.ceil(H / 2) || out.W !== Math.ceil(W / 2)) {
    throw new RangeError(
      `graph reference: shortcut ${tensorName(g, n.input)} → ${tensorName(g, n.output)} must be stride 2 with (Cout − Cin)/2 padding ` +
        `(got stride ${n.stride}, pad ${n.pad}, [${H}, ${W}, ${Cin}] → [${out.H}, ${out.W}, ${out.C}])`,
    );
  }
  return { N: B, H, W, Cin, Cout: out.C };
}

function poolShape(g: Graph, n: Extract<LayerNode, { kind: 'pool' }>, B: number): PoolShape {
  const { H, W, C } = image(g, n.input, 'pool');
  return { N: B, H, W, C };
}

/** Norm as a rows × C matrix: batch norm's rows are every position (B·H·W); layer norm's are the samples. */
function normMatrix(g: Graph, n: Extract<LayerNode, { kind: 'norm' }>, B: number): { rows: number; C: number } {
  const s = shapeOf(g, n.input);
  const C = s.at(-1)!;
  if (n.norm === 'batch') return { rows: (B * size(s)) / C, C };
  if (s.length !== 1) throw new RangeError(`graph reference: layer norm ${n.name} needs a flat tensor, but ${tensorName(g, n.input)} is [${s.join(', ')}]`);
  return { rows: B, C };
}

function alphaOf(n: Extract<LayerNode, { kind: 'add' }>, param: ParamLookup): number {
  return n.alpha === 'learned' ? param(`${n.name}.alpha`)[0]! : 1;
}

interface Forward {
  tensors: Float64Array[];
  /** Per node index: the statistics a norm normalized with. */
  norms: (NormState | undefined)[];
  running: Map<string, Float64Array>;
}

function runForward(g: Graph, param: ParamLookup, buffers: GraphTensors, b: GraphBatch): Forward {
  const B = b.batch;
  checkSize(B, 'graph reference: batch');
  const inShape = shapeOf(g, g.input);
  checkLength(b.x, B * size(inShape), `graph reference: x (${B} × [${inShape.join(', ')}])`);
  const tensors: Float64Array[] = new Array<Float64Array>(g.tensors.length);
  tensors[g.input] = Float64Array.from(b.x);
  const norms: (NormState | undefined)[] = new Array<NormState | undefined>(g.nodes.length);
  const running = new Map<string, Float64Array>();
  /** A buffer by name, or PyTorch's fresh value when the map has none. */
  const buffer = (name: string, C: number, fresh: number): Float64Array => {
    const v = buffers.get(name);
    if (!v) return new Float64Array(C).fill(fresh);
    checkLength(v, C, `graph reference: buffer ${name}`);
    return v;
  };
  g.nodes.forEach((n, i) => {
    const x = tensors[n.input]!;
    let y: Float64Array;
    switch (n.kind) {
      case 'linear': {
        const [K, N] = [size(shapeOf(g, n.input)), size(shapeOf(g, n.output))];
        y = matmul(x, param(`${n.name}.weight`), B, N, K, { transB: true });
        if (n.bias) addBias(y, param(`${n.name}.bias`));
        break;
      }
      case 'conv2d': {
        const shape = convShape(g, n, B);
        const w = ohwiFromOihw(param(`${n.name}.weight`), shape);
        y = conv2dForward(x, w, shape, n.bias ? param(`${n.name}.bias`) : undefined);
        break;
      }
      case 'norm': {
        const { rows, C } = normMatrix(g, n, B);
        const [gamma, beta] = [param(`${n.name}.weight`), param(`${n.name}.bias`)];
        if (n.norm === 'layer') {
          const out = layerNormForward(x, rows, C, gamma, beta, NORM_EPS);
          norms[i] = { mean: out.mean, rstd: out.rstd };
          y = out.y;
          break;
        }
        const [meanName, varName] = [`${n.name}.running_mean`, `${n.name}.running_var`];
        const out = batchNormForwardTrain(x, rows, C, gamma, beta, buffer(meanName, C, 0), buffer(varName, C, 1), BN_MOMENTUM, NORM_EPS);
        norms[i] = { mean: out.mean, rstd: out.rstd };
        running.set(meanName, out.runningMean);
        running.set(varName, out.runningVar);
        y = out.y;
        break;
      }
      case 'activation':
        y = activationForward(n.activation, x);
        break;
      case 'add': {
        const alpha = alphaOf(n, param);
        const skip = tensors[n.skip]!;
        checkLength(skip, x.length, `graph reference: add ${n.name} skip ${tensorName(g, n.skip)}`);
        y = Float64Array.from(x, (v, j) => skip[j]! + alpha * v);
        break;
      }
      case 'shortcut':
        y = shortcutAForward(x, shortcutShape(g, n, B));
        break;
      case 'pool':
        y = globalAvgPoolForward(x, poolShape(g, n, B));
        break;
      case 'recurrent':
        throw new RangeError(RECURRENT);
    }
    checkLength(y, B * size(shapeOf(g, n.output)), `graph reference: node ${i} (${n.kind}) output ${tensorName(g, n.output)}`);
    tensors[n.output] = y;
  });
  return { tensors, norms, running };
}

function addBias(y: Float64Array, bias: Float64Array): void {
  const N = bias.length;
  for (let i = 0; i < y.length; i++) y[i]! += bias[i % N]!;
}

function lossOf(g: Graph, logits: Float64Array, y: ArrayLike<number>, B: number): { loss: number; dlogits: Float64Array; correct: number } {
  const C = size(shapeOf(g, g.output));
  if (g.task === 'classification') {
    checkLength(y, B, `graph reference: y (${B} class ids for classification)`);
    return softmaxCrossEntropy(logits, y, B, C);
  }
  checkLength(y, B * C, `graph reference: y (${B}×${C} targets for regression)`);
  const { loss, dpred } = meanSquaredError(logits, y, B, C);
  return { loss, dlogits: dpred, correct: 0 };
}

/** The loss alone (forward with train-mode batch norm), for finite differences. */
export function graphLoss(g: Graph, params: GraphTensors, buffers: GraphTensors, b: GraphBatch): number {
  const { tensors } = runForward(g, paramLookup(g, params), buffers, b);
  return lossOf(g, tensors[g.output]!, b.y, b.batch).loss;
}

/** Forward, loss and backward of one training batch; params and buffers are never mutated. */
export function graphForwardBackward(g: Graph, params: GraphTensors, buffers: GraphTensors, b: GraphBatch): GraphResult {
  const param = paramLookup(g, params);
  const B = b.batch;
  const { tensors, norms, running } = runForward(g, param, buffers, b);
  const logits = tensors[g.output]!;
  const { loss, dlogits, correct } = lossOf(g, logits, b.y, B);

  const grads = new Map(graphParams(g).params.map((p) => [p.name, new Float64Array(size(p.shape))]));
  const addTo = (target: Float64Array, d: ArrayLike<number>, scale = 1): void => {
    for (let i = 0; i < d.length; i++) target[i]! += scale * d[i]!;
  };
  const paramGrad = (name: string, d: ArrayLike<number>): void => addTo(grads.get(name)!, d);
  // A tensor read by several nodes (a block input feeds conv1 and the skip) sums its consumers' gradients.
  const tensorGrads: (Float64Array | undefined)[] = new Array<Float64Array | undefined>(g.tensors.length);
  const tensorGrad = (t: TensorId, d: ArrayLike<number>, scale = 1): void => {
    const target = tensorGrads[t];
    if (target) addTo(target, d, scale);
    else tensorGrads[t] = Float64Array.from(d, (v) => scale * v);
  };
  tensorGrad(g.output, dlogits);

  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i]!;
    const dy = tensorGrads[n.output];
    if (!dy) continue; // the loss does not depend on this node
    const x = tensors[n.input]!;
    switch (n.kind) {
      case 'linear': {
        const [K, N] = [size(shapeOf(g, n.input)), size(shapeOf(g, n.output))];
        const w = param(`${n.name}.weight`);
        paramGrad(`${n.name}.weight`, matmul(dy, x, N, K, B, { transA: true }));
        if (n.bias) paramGrad(`${n.name}.bias`, columnSums(dy, N));
        tensorGrad(n.input, matmul(dy, w, B, K, N));
        break;
      }
      case 'conv2d': {
        const shape = convShape(g, n, B);
        const { dx, dw, db } = conv2dBackward(dy, x, ohwiFromOihw(param(`${n.name}.weight`), shape), shape);
        paramGrad(`${n.name}.weight`, oihwFromOhwi(dw, shape));
        if (n.bias) paramGrad(`${n.name}.bias`, db);
        tensorGrad(n.input, dx);
        break;
      }
      case 'norm': {
        const { rows, C } = normMatrix(g, n, B);
        const { mean, rstd } = norms[i]!;
        const backward = n.norm === 'batch' ? batchNormBackward : layerNormBackward;
        const { dx, dgamma, dbeta } = backward(dy, x, rows, C, param(`${n.name}.weight`), mean, rstd);
        paramGrad(`${n.name}.weight`, dgamma);
        paramGrad(`${n.name}.bias`, dbeta);
        tensorGrad(n.input, dx);
        break;
      }
      case 'activation':
        tensorGrad(n.input, activationBackward(n.activation, x, dy));
        break;
      case 'add': {
        if (n.alpha === 'learned') {
          let dAlpha = 0;
          for (let j = 0; j < dy.length; j++) dAlpha += dy[j]! * x[j]!;
          paramGrad(`${n.name}.alpha`, [dAlpha]);
        }
        tensorGrad(n.skip, dy);
        tensorGrad(n.input, dy, alphaOf(n, param));
        break;
      }
      case 'shortcut':
        tensorGrad(n.input, shortcutABackward(dy, shortcutShape(g, n, B)));
        break;
      case 'pool':
        tensorGrad(n.input, globalAvgPoolBackward(dy, poolShape(g, n, B)));
        break;
      case 'recurrent':
        throw new RangeError(RECURRENT);
    }
  }
  return { loss, correct, logits, grads, tensors, tensorGrads, running };
}

function columnSums(m: Float64Array, N: number): Float64Array {
  const sums = new Float64Array(N);
  for (let i = 0; i < m.length; i++) sums[i % N]! += m[i]!;
  return sums;
}
