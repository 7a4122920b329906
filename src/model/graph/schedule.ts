/**
 * A training step over a graph as a list of ops on values, before any buffer exists: the forward walk,
 * the loss, the backward walk in reverse, the statistics. Gradients are single-assignment values kept in a
 * gradient table (tinygrad's, micrograd's `+=`): a tensor read by two nodes gets the first contribution
 * the reverse walk reaches, and each later one makes a new value that adds the earlier one in (inside the
 * kernel where it has an addend, by a separate sum otherwise). Nothing is ever accumulated in place, so a
 * value that stands for two gradients (an identity skip passes ∂L/∂out to both its inputs) stays whole.
 * Liveness (./liveness.ts) then lays the values out.
 */
import { rnnFloats } from '../../kernels/rnn.ts';
import { nodeInputs, nodeWrites, residualInput, type Graph, type LayerNode, type TensorId } from './graph.ts';
import { fuseGraph, opNodes, type StepOp } from './fuse.ts';
import type { PlannedOp, PlannedValue } from './liveness.ts';

export type ValueId = number;

/**
 * One op's backward (ops are the fusion pass's, src/model/graph/fuse.ts). `dy` is ∂L/∂(its output), null when
 * the op below fused its own φ′ into the matmul that handed the gradient down and nothing else needs it.
 * Per input (opInputs): the value the op writes (null: not wanted, or an alias of dy) and what it adds in.
 */
export interface OpBackward {
  readonly kind: 'op';
  readonly op: number;
  readonly dy: ValueId | null;
  /** ∂L/∂z of a dense op: computed here (α·dy·φ′(z)), or by the consumer's matmul (then `preFused`). */
  readonly pre: ValueId | null;
  readonly preFused: boolean;
  readonly writes: readonly (ValueId | null)[];
  readonly addends: readonly (ValueId | null)[];
  /**
   * The matmul handing ∂L/∂x down (input 0) also applies x's producer's α·φ′: out2 = ∂L/∂(the producer's
   * pre-activation). `writes[0]` holds ∂L/∂x itself when the producer needs it (its skip or α), else null.
   */
  readonly epilogue: { readonly producer: number; readonly aux: ValueId; readonly out: ValueId } | null;
  /** A recurrent layer's backward values: dg_ih (∂L/∂gates), dg_hh (gru), and its kernels' scratch. */
  readonly recurrent: RecurrentGrads | null;
}

export interface RecurrentGrads {
  readonly dgIh: ValueId;
  readonly dgHh: ValueId | null;
  readonly scratch: ValueId;
}

/** out = a + b: a gradient contribution the node's kernel could not add in itself. */
export interface GradSum {
  readonly kind: 'sum';
  readonly a: ValueId;
  readonly b: ValueId;
  readonly out: ValueId;
}

export type BackwardOp = OpBackward | GradSum;

/** Per-channel (batch norm) or per-sample (layer norm) mean and 1/σ, saved by the forward pass for backward. */
export interface SavedNorm {
  readonly mean: ValueId;
  readonly rstd: ValueId;
}

export interface StepSchedule {
  /** The fusion pass's ops, in forward order. */
  readonly steps: readonly StepOp[];
  readonly values: readonly PlannedValue[];
  /** The forward value of every tensor the step writes (the graph input's is the gathered batch); fused-away ones are undefined. */
  readonly act: readonly (ValueId | undefined)[];
  readonly saved: ReadonlyMap<number, SavedNorm>;
  readonly dlogits: ValueId;
  readonly backward: readonly BackwardOp[];
  /** ∂L/∂t once every contribution is in, for every tensor the loss reaches but the input. */
  readonly grad: ReadonlyMap<TensorId, ValueId>;
  /** For liveness: gather, forward per node, loss, the backward ops, then the statistics (which read to the end). */
  readonly ops: readonly PlannedOp[];
  /** Every residual block's two gradient paths into its input, in forward order (the statistics' residual split). */
  readonly splits: readonly ResidualSplit[];
}

/**
 * A residual block y = skip(x) + α·F(x): ∂L/∂x = S + B, where S arrives through the skip (∂L/∂y itself, or
 * the shortcut's backward of it) and B through the branch F. Both values stay live until the statistics, which
 * report ‖S‖ and ‖B‖ = ‖total − S‖.
 */
export interface ResidualSplit {
  /** The add node, and its name (`blocks.3`, `layer2.0`). */
  readonly add: number;
  readonly name: string;
  /** The block's input x. */
  readonly input: TensorId;
  /** S, the skip path's contribution to ∂L/∂x. */
  readonly skip: ValueId;
  /** ∂L/∂x with every contribution in. */
  readonly total: ValueId;
}

const F = 4;
const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The tensors an op reads that gradients flow into: a node's inputs; dense: x, then the skip; actAdd: u, then the skip. */
function opInputs(g: Graph, op: StepOp): TensorId[] {
  switch (op.kind) {
    case 'node':
      return nodeInputs(g.nodes[op.node]!);
    case 'dense': {
      const add = op.add === null ? null : (g.nodes[op.add] as Extract<LayerNode, { kind: 'add' }>);
      return [g.nodes[op.linear]!.input, ...(add ? [add.skip] : [])];
    }
    case 'actAdd':
      return [g.nodes[op.act]!.input, (g.nodes[op.add] as Extract<LayerNode, { kind: 'add' }>).skip];
  }
}

/** Every tensor an op's forward writes (a dense op's z too: φ′ reads it in backward). */
function opWrites(g: Graph, op: StepOp): TensorId[] {
  if (op.kind === 'node') return nodeWrites(g.nodes[op.node]!);
  return [...(op.kind === 'dense' ? [g.nodes[op.linear]!.output] : []), opOutput(g, op)];
}

/** Tensors a recurrent layer's kernels both read and write in its forward pass (XP becomes the gates; h_t reads h_{t−1}). */
function recurrentSaved(n: LayerNode): TensorId[] {
  if (n.kind !== 'recurrent') return [];
  const { hs, gates, state } = n.saved;
  return [hs, gates, ...(state === null ? [] : [state])];
}

/** The tensor an op writes last (the one its consumers read). */
function opOutput(g: Graph, op: StepOp): TensorId {
  return g.nodes[opNodes(op).at(-1)!]!.output;
}

/** The tensor φ reads in an op that ends in φ (or φ and a skip add): what the consumer's matmul may apply φ′ at. */
function preActivation(g: Graph, op: StepOp): TensorId | null {
  if (op.kind === 'dense') return g.nodes[op.linear]!.output;
  if (op.kind === 'actAdd') return g.nodes[op.act]!.input;
  const n = g.nodes[op.node]!;
  return n.kind === 'activation' ? n.input : null;
}

/** How an op hands ∂L/∂input j on: as dy itself, from a kernel that can add a prior value in, or fresh. */
function handOff(g: Graph, op: StepOp, j: number): 'alias' | 'fused' | 'fresh' {
  if (op.kind === 'dense') return j === 0 ? 'fused' : 'alias';
  if (op.kind === 'actAdd') return j === 0 ? 'fresh' : 'alias';
  const n = g.nodes[op.node]!;
  if (n.kind === 'add') return j === 0 || n.alpha === 'fixed' ? 'alias' : 'fresh';
  return n.kind === 'linear' || n.kind === 'conv2d' ? 'fused' : 'fresh';
}

export function scheduleStep(g: Graph, batch: number): StepSchedule {
  const steps = fuseGraph(g);
  const values: PlannedValue[] = [];
  const value = (name: string, floats: number): ValueId => {
    values.push({ name, bytes: floats * F });
    return values.length - 1;
  };
  const floatsOf = (t: TensorId) => batch * size(g.tensors[t]!.shape);
  const written = new Set<TensorId>([g.input, ...steps.flatMap((op) => opWrites(g, op))]);
  const act = g.tensors.map((t) => (written.has(t.id) ? value(t.name, floatsOf(t.id)) : undefined));
  const saved = new Map<number, SavedNorm>();
  g.nodes.forEach((n, i) => {
    if (n.kind !== 'norm') return;
    const count = n.norm === 'batch' ? g.tensors[n.input]!.shape.at(-1)! : batch;
    saved.set(i, { mean: value(`${n.name}.mean`, count), rstd: value(`${n.name}.rstd`, count) });
  });
  const savedOf = (op: StepOp) => (op.kind === 'node' ? saved.get(op.node) : undefined);
  const plan: PlannedOp[] = [{ reads: [], writes: [act[g.input]!] }];
  const producer = new Map<TensorId, number>();
  const firstReader = new Map<TensorId, number>();
  steps.forEach((op, i) => {
    const s = savedOf(op);
    const out = opOutput(g, op);
    producer.set(out, i);
    for (const t of opInputs(g, op)) if (!firstReader.has(t)) firstReader.set(t, i);
    const rw = op.kind === 'node' ? recurrentSaved(g.nodes[op.node]!).map((t) => act[t]!) : [];
    plan.push({ reads: [...opInputs(g, op).map((t) => act[t]!), ...rw], writes: [...opWrites(g, op).map((t) => act[t]!), ...(s ? [s.mean, s.rstd] : [])] });
  });
  const dlogits = value('dlogits', floatsOf(g.output));
  plan.push({ reads: [act[g.output]!], writes: [dlogits] });

  const blockInputs = residualInputs(g);
  /** The value the skip path handed each block input, as the reverse walk reaches it. */
  const skipPart = new Map<TensorId, ValueId>();
  const grad = new Map<TensorId, ValueId>([[g.output, dlogits]]);
  /** Ops whose α·φ′ a consumer's matmul applied (their pre-activation's gradient is in `grad` already). */
  const fusedBelow = new Set<number>();
  const backward: BackwardOp[] = [];
  for (let i = steps.length - 1; i >= 0; i--) {
    const op = steps[i]!;
    const out = opOutput(g, op);
    const dy = grad.get(out) ?? null;
    const preTensor = op.kind === 'dense' ? g.nodes[op.linear]!.output : null;
    const preGiven = preTensor !== null && fusedBelow.has(i) ? grad.get(preTensor)! : null;
    if (dy === null && preGiven === null) continue;
    const pre = preTensor === null ? null : (preGiven ?? value(`d${g.tensors[preTensor]!.name}`, floatsOf(preTensor)));
    if (preTensor !== null && pre !== null) grad.set(preTensor, pre);
    const inputs = opInputs(g, op);
    const writes: (ValueId | null)[] = inputs.map(() => null);
    const addends: (ValueId | null)[] = inputs.map(() => null);
    const sums: { op: GradSum; t: TensorId }[] = [];
    let epilogue: OpBackward['epilogue'] = null;
    // The skip first: then a matmul's ∂L/∂x is the last contribution to x, and may carry x's producer's φ′.
    for (let j = inputs.length - 1; j >= 0; j--) {
      const t = inputs[j]!;
      const how = handOff(g, op, j);
      if (t === g.input || (fusedBelow.has(i) && op.kind !== 'dense' && j === 0)) continue;
      const prior = grad.get(t);
      const name = `d${g.tensors[t]!.name}`;
      if (how === 'alias') {
        if (isSkipPath(g, op, j, blockInputs, t)) skipPart.set(t, dy!);
        if (prior === undefined) grad.set(t, dy!);
        else sums.push({ t, op: { kind: 'sum', a: dy!, b: prior, out: value(name, floatsOf(t)) } });
        continue;
      }
      const p = producer.get(t);
      const from = p === undefined ? null : preActivation(g, steps[p]!);
      if (how === 'fused' && from !== null && firstReader.get(t) === i && isLinear(g, op)) {
        // ∂L/∂x is needed itself only where x's producer adds a skip (the skip's gradient, and α's).
        // A block input's whole gradient is kept too: the residual split compares it with the skip's part.
        const keep = blockInputs.has(t) || (steps[p!]!.kind === 'dense' ? (steps[p!] as Extract<StepOp, { kind: 'dense' }>).add !== null : steps[p!]!.kind === 'actAdd');
        writes[j] = keep ? value(name, floatsOf(t)) : null;
        addends[j] = prior ?? null;
        epilogue = { producer: p!, aux: act[from]!, out: value(`d${g.tensors[from]!.name}`, floatsOf(from)) };
        if (writes[j] !== null) grad.set(t, writes[j]!);
        grad.set(from, epilogue.out);
        fusedBelow.add(p!);
        continue;
      }
      const w = value(prior !== undefined && how === 'fresh' ? `${name}.part` : name, floatsOf(t));
      writes[j] = w;
      if (isSkipPath(g, op, j, blockInputs, t)) skipPart.set(t, w);
      addends[j] = how === 'fused' && prior !== undefined ? prior : null;
      if (prior === undefined || how === 'fused') grad.set(t, w);
      else sums.push({ t, op: { kind: 'sum', a: w, b: prior, out: value(name, floatsOf(t)) } });
    }
    const recurrent = op.kind === 'node' ? recurrentGrads(g, g.nodes[op.node]!, batch, value, grad) : null;
    const own = recurrent ? [recurrent.dgIh, ...(recurrent.dgHh === null ? [] : [recurrent.dgHh]), recurrent.scratch] : [];
    const s = savedOf(op);
    const reads = [
      ...(dy === null ? [] : [dy]),
      ...(preGiven === null ? [] : [preGiven]),
      ...inputs.map((t) => act[t]!),
      ...(preTensor === null ? [] : [act[preTensor]!]),
      ...(s ? [s.mean, s.rstd] : []),
      ...addends.filter((a): a is ValueId => a !== null),
      ...(epilogue ? [epilogue.aux] : []),
      ...(op.kind === 'node' ? recurrentSaved(g.nodes[op.node]!).map((t) => act[t]!) : []),
      // The kernels read back what they wrote (dX reads dg_ih): listed as reads too, they get buffers of their own.
      ...own,
    ];
    const preWrite = pre !== null && preGiven === null ? [pre] : [];
    backward.push({ kind: 'op', op: i, dy, pre, preFused: preGiven !== null, writes, addends, epilogue, recurrent });
    plan.push({ reads, writes: [...preWrite, ...own, ...writes.filter((w): w is ValueId => w !== null), ...(epilogue ? [epilogue.out] : [])] });
    for (const { op: sum, t } of sums) {
      backward.push(sum);
      plan.push({ reads: [sum.a, sum.b], writes: [sum.out] });
      grad.set(t, sum.out);
    }
  }
  const splits = [...blockInputs].flatMap(([input, add]): ResidualSplit[] => {
    const skip = skipPart.get(input);
    const total = grad.get(input);
    return skip === undefined || total === undefined ? [] : [{ add, name: (g.nodes[add] as Extract<LayerNode, { kind: 'add' }>).name, input, skip, total }];
  });
  // The statistics read every row's ∂L/∂z, u and h, and both sides of every residual split, after the backward walk.
  const statsReads = [...g.rows.flatMap((r) => [act[r.h]!, act[r.u]!, ...(grad.has(r.z) ? [grad.get(r.z)!] : [])]), ...splits.flatMap((s) => [s.skip, s.total])];
  plan.push({ reads: statsReads, writes: [] });
  return { steps, values, act, saved, dlogits, backward, grad, ops: plan, splits };
}

/** Each residual block's input x (the add's skip, or what its shortcut reads), with the add node, in forward order. */
function residualInputs(g: Graph): Map<TensorId, number> {
  const out = new Map<TensorId, number>();
  g.nodes.forEach((n, i) => {
    const x = residualInput(g, n);
    if (x !== null) out.set(x, i);
  });
  return out;
}

/** Whether input j of an op is where a block input x takes the skip path: the add's skip itself, or a shortcut's input. */
function isSkipPath(g: Graph, op: StepOp, j: number, blockInputs: ReadonlyMap<TensorId, number>, t: TensorId): boolean {
  if (!blockInputs.has(t)) return false;
  if (op.kind === 'dense') return j === 1;
  if (op.kind === 'actAdd') return j === 1;
  const n = g.nodes[op.node]!;
  return (n.kind === 'add' && j === 0 && n.skip === t) || n.kind === 'shortcut';
}

/** A recurrent layer's backward values; ∂L/∂gates (and, for a gru, ∂L/∂gates_hh) go in the gradient table for the statistics. */
function recurrentGrads(g: Graph, n: LayerNode, batch: number, value: (name: string, floats: number) => ValueId, grad: Map<TensorId, ValueId>): RecurrentGrads | null {
  if (n.kind !== 'recurrent') return null;
  const [T, H] = g.tensors[n.saved.hs]!.shape as [number, number];
  const f = rnnFloats({ cell: n.cell, nonlinearity: n.nonlinearity, B: batch, T, in: g.tensors[n.input]!.shape.at(-1)!, H });
  const gates = g.tensors[n.saved.gates]!;
  const dgIh = value(`d${gates.name}`, f.dgIh);
  grad.set(gates.id, dgIh);
  const hh = n.saved.gatesHh;
  const dgHh = hh === null ? null : value(`d${g.tensors[hh]!.name}`, f.dgHh);
  if (hh !== null) grad.set(hh, dgHh!);
  return { dgIh, dgHh, scratch: value(`${n.name}.l${n.layer}.scratch`, f.scratch) };
}

function isLinear(g: Graph, op: StepOp): boolean {
  return op.kind === 'dense' || (op.kind === 'node' && g.nodes[op.node]!.kind === 'linear');
}
