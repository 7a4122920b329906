/**
 * The layer graph: what an architecture builder emits (DESIGN.md, "Architectures beyond the MLP") and
 * everything downstream reads: the plan lays out its tensors, the step program walks its nodes forward and
 * then in reverse, the statistics name its rows. Pure data: no device, no buffers.
 *
 * Tensors are per sample: `shape` leaves out the batch, which the plan multiplies in. Images are
 * [H, W, C] (NHWC on the GPU); a flat feature vector is [F].
 */
import type { Activation } from '../../kernels/activation.ts';
import type { RnnCell, RnnNonlinearity } from '../../kernels/rnn.ts';

export type TensorId = number;

export interface TensorInfo {
  readonly id: TensorId;
  /** Readable in plans and errors: `blocks.3.z`, `layer2.0.out`. */
  readonly name: string;
  readonly shape: readonly number[];
}

/** Square kernel geometry of a 2-D convolution (channels last). */
export interface ConvGeometry {
  readonly kernel: number;
  readonly stride: number;
  readonly pad: number;
}

/**
 * One layer. Every node reads `input` (and `add` also `skip`) and writes `output`; its parameters are
 * named from `name` with PyTorch's state_dict conventions (see src/model/graph/params.ts).
 */
export type LayerNode =
  /** y = x·Wᵀ (+ b); W is [out, in]. */
  | { readonly kind: 'linear'; readonly name: string; readonly input: TensorId; readonly output: TensorId; readonly bias: boolean }
  /** y = conv(x, W); W is [C_out, C_in, k, k] in files, [C_out, k, k, C_in] on the GPU. */
  | { readonly kind: 'conv2d'; readonly name: string; readonly input: TensorId; readonly output: TensorId; readonly geometry: ConvGeometry; readonly bias: boolean }
  /** Batch norm over every position but the channel (N·H·W for images), or layer norm over a sample's features. */
  | { readonly kind: 'norm'; readonly norm: 'batch' | 'layer'; readonly name: string; readonly input: TensorId; readonly output: TensorId }
  | { readonly kind: 'activation'; readonly activation: Activation; readonly input: TensorId; readonly output: TensorId }
  /** y = skip + α·input; α is 1 (identity) or a learnable scalar `name.alpha` (ReZero, from 0). */
  | { readonly kind: 'add'; readonly name: string; readonly skip: TensorId; readonly input: TensorId; readonly output: TensorId; readonly alpha: 'fixed' | 'learned' }
  /** He et al.'s option A: x[:, ::stride, ::stride, :] with `pad` zero channels on each side. */
  | { readonly kind: 'shortcut'; readonly input: TensorId; readonly output: TensorId; readonly stride: number; readonly pad: number }
  /** Mean over H and W: [H, W, C] → [C]. */
  | { readonly kind: 'pool'; readonly input: TensorId; readonly output: TensorId }
  /**
   * One recurrent layer (nn.RNN, nn.LSTM or nn.GRU layer `layer`, batch first) unrolled over T steps: input
   * [T, in] → `output`, every hidden state [T, H], or only the last one [H] for the layer under the head.
   */
  | {
      readonly kind: 'recurrent';
      readonly name: string;
      readonly layer: number;
      readonly cell: RnnCell;
      readonly nonlinearity: RnnNonlinearity;
      readonly input: TensorId;
      readonly output: TensorId;
      readonly saved: RecurrentSaved;
      /** Truncated BPTT through the last `bptt` steps (the state before them held constant); null is full BPTT. */
      readonly bptt: number | null;
    };

/** What a recurrent layer's forward pass writes besides its output, for its backward pass and the statistics. */
export interface RecurrentSaved {
  /** Every step's hidden state [T, H]: the output itself unless the layer hands on only the last. */
  readonly hs: TensorId;
  /** The gates' pre-activations [T, G·H]; their gradient is dg_ih, of which W_ih's and both biases' are made. */
  readonly gates: TensorId;
  /** gru only, gradient only: ∂L/∂(W_hh·h + b_hh) [T, G·H], which differs from dg_ih in the n gate. */
  readonly gatesHh: TensorId | null;
  /** lstm: the cell state c; gru: W_hn·h + b_hn; [T, H]. Null for the plain cell. */
  readonly state: TensorId | null;
}

export type LayerKind = LayerNode['kind'];

/** The kinds of node whose weights make a row of the per-layer statistics. */
export type RowKind = 'linear' | 'conv' | 'recurrent';

/**
 * One row of the per-layer arrays (StepRecord): a weight-bearing node, plus the tensors the row's statistics
 * read. For the MLP a row is a block: z its linear's output, u what φ reads, h the block's output.
 */
export interface StatsRow {
  /** `blocks.3`, `head`, `layer2.0.conv1`: what views and exports call the row. */
  readonly name: string;
  readonly kind: RowKind;
  /** The weight-bearing node. */
  readonly node: number;
  /** Which of its weights, for a recurrent node (it has two: input side and recurrent side); others have one. */
  readonly weight?: 'weight_ih' | 'weight_hh';
  /** ‖∂L/∂z‖: the node's output. */
  readonly z: TensorId;
  /** Saturation and dead units: the input of the row's activation (z itself when there is none). */
  readonly u: TensorId;
  /** actMean, actStd: what the row hands on. */
  readonly h: TensorId;
  /** The activation applied to u (linear for the head). */
  readonly activation: Activation;
}

export interface Graph {
  readonly tensors: readonly TensorInfo[];
  readonly input: TensorId;
  /** The logits the loss reads. */
  readonly output: TensorId;
  /** In forward order: every node's inputs are the graph input or an earlier node's output. */
  readonly nodes: readonly LayerNode[];
  readonly rows: readonly StatsRow[];
  readonly task: 'classification' | 'regression';
}

/** Builders add tensors and nodes through this, so ids and forward order are right by construction. */
export class GraphBuilder {
  private readonly tensors: TensorInfo[] = [];
  private readonly nodes: LayerNode[] = [];
  private readonly rows: StatsRow[] = [];

  tensor(name: string, shape: readonly number[]): TensorId {
    if (shape.some((d) => !Number.isInteger(d) || d < 1)) throw new RangeError(`tensor ${name}: shape [${shape.join(', ')}] must be positive integers`);
    this.tensors.push({ id: this.tensors.length, name, shape });
    return this.tensors.length - 1;
  }

  shape(t: TensorId): readonly number[] {
    const info = this.tensors[t];
    if (!info) throw new RangeError(`no tensor ${t}`);
    return info.shape;
  }

  /** Adds a node and returns its index. */
  node(n: LayerNode): number {
    this.nodes.push(n);
    return this.nodes.length - 1;
  }

  row(r: StatsRow): void {
    this.rows.push(r);
  }

  build(input: TensorId, output: TensorId, task: Graph['task']): Graph {
    const graph: Graph = { tensors: this.tensors, input, output, nodes: this.nodes, rows: this.rows, task };
    checkGraph(graph);
    return graph;
  }
}

const producerIndex = new WeakMap<readonly LayerNode[], ReadonlyMap<TensorId, LayerNode>>();

/**
 * The node that computes each tensor (one: checkGraph), indexed once per graph: a search per query made the
 * statistics and the residual split of a 10,000-layer net quadratic to build.
 */
export function producers(g: Pick<Graph, 'nodes'>): ReadonlyMap<TensorId, LayerNode> {
  let m = producerIndex.get(g.nodes);
  if (!m) {
    m = new Map(g.nodes.map((n) => [n.output, n]));
    producerIndex.set(g.nodes, m);
  }
  return m;
}

/**
 * The input x of residual block y = skip(x) + α·F(x) whose add is `n`: the add's skip, or what the shortcut
 * feeding it reads. Null when x is the graph's own input (no gradient is taken there, so there is no split).
 */
export function residualInput(g: Pick<Graph, 'nodes' | 'input'>, n: LayerNode): TensorId | null {
  if (n.kind !== 'add') return null;
  const p = producers(g).get(n.skip);
  const x = p?.kind === 'shortcut' ? p.input : n.skip;
  return x === g.input ? null : x;
}

/** Tensors a node reads. */
export function nodeInputs(n: LayerNode): TensorId[] {
  return n.kind === 'add' ? [n.skip, n.input] : [n.input];
}

/** Tensors a node's forward pass writes: its output, and what a recurrent layer saves besides. */
export function nodeWrites(n: LayerNode): TensorId[] {
  if (n.kind !== 'recurrent') return [n.output];
  const { hs, gates, state } = n.saved;
  return [...new Set([n.output, hs, gates, ...(state === null ? [] : [state])])];
}

/** Every node reads only tensors already computed, and every tensor is written once. */
export function checkGraph(g: Graph): void {
  const ready = new Set<TensorId>([g.input]);
  g.nodes.forEach((n, i) => {
    for (const t of nodeInputs(n)) if (!ready.has(t)) throw new Error(`node ${i} (${n.kind}) reads ${g.tensors[t]?.name ?? t} before it is computed`);
    for (const t of nodeWrites(n)) {
      if (ready.has(t)) throw new Error(`node ${i} (${n.kind}) writes ${g.tensors[t]?.name}, which is already computed`);
      ready.add(t);
    }
  });
  if (!ready.has(g.output)) throw new Error(`the graph never computes its output ${g.tensors[g.output]?.name}`);
}
