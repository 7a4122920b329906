/**
 * A training step over a graph as a list of ops on values, before any buffer exists: the forward walk,
 * the loss, the backward walk in reverse, the statistics. Gradients are single-assignment values kept in a
 * gradient table (tinygrad's, micrograd's `+=`): a tensor read by two nodes gets the first contribution
 * the reverse walk reaches, and each later one makes a new value that adds the earlier one in (inside the
 * kernel where it has an addend, by a separate sum otherwise). Nothing is ever accumulated in place, so a
 * value that stands for two gradients (an identity skip passes ∂L/∂out to both its inputs) stays whole.
 * Liveness (./liveness.ts) then lays the values out.
 */
import { nodeInputs, type Graph, type TensorId } from './graph.ts';
import type { PlannedOp, PlannedValue } from './liveness.ts';

export type ValueId = number;

/** One node's backward: ∂L/∂output is `dy`; per input, the value it writes (null: none or an alias of dy) and what it adds in. */
export interface NodeBackward {
  readonly kind: 'node';
  readonly node: number;
  readonly dy: ValueId;
  readonly writes: readonly (ValueId | null)[];
  readonly addends: readonly (ValueId | null)[];
}

/** out = a + b: a gradient contribution the node's kernel could not add in itself. */
export interface GradSum {
  readonly kind: 'sum';
  readonly a: ValueId;
  readonly b: ValueId;
  readonly out: ValueId;
}

export type BackwardOp = NodeBackward | GradSum;

/** Per-channel (batch norm) or per-sample (layer norm) mean and 1/σ, saved by the forward pass for backward. */
export interface SavedNorm {
  readonly mean: ValueId;
  readonly rstd: ValueId;
}

export interface StepSchedule {
  readonly values: readonly PlannedValue[];
  /** The forward value of every tensor (the graph input's is the gathered batch). */
  readonly act: readonly ValueId[];
  readonly saved: ReadonlyMap<number, SavedNorm>;
  readonly dlogits: ValueId;
  readonly backward: readonly BackwardOp[];
  /** ∂L/∂t once every contribution is in, for every tensor the loss reaches but the input. */
  readonly grad: ReadonlyMap<TensorId, ValueId>;
  /** For liveness: gather, forward per node, loss, the backward ops, then the statistics (which read to the end). */
  readonly ops: readonly PlannedOp[];
}

const F = 4;
const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** How a node's backward hands ∂L/∂input j on: as dy itself, from a kernel that can add a prior value in, or fresh. */
function handOff(g: Graph, node: number, j: number): 'alias' | 'fused' | 'fresh' {
  const n = g.nodes[node]!;
  if (n.kind === 'add') return j === 0 || n.alpha === 'fixed' ? 'alias' : 'fresh';
  return n.kind === 'linear' || n.kind === 'conv2d' ? 'fused' : 'fresh';
}

export function scheduleStep(g: Graph, batch: number): StepSchedule {
  const values: PlannedValue[] = [];
  const value = (name: string, floats: number): ValueId => {
    values.push({ name, bytes: floats * F });
    return values.length - 1;
  };
  const act = g.tensors.map((t) => value(t.name, batch * size(t.shape)));
  const saved = new Map<number, SavedNorm>();
  g.nodes.forEach((n, i) => {
    if (n.kind !== 'norm') return;
    const count = n.norm === 'batch' ? g.tensors[n.input]!.shape.at(-1)! : batch;
    saved.set(i, { mean: value(`${n.name}.mean`, count), rstd: value(`${n.name}.rstd`, count) });
  });
  const ops: PlannedOp[] = [{ reads: [], writes: [act[g.input]!] }];
  g.nodes.forEach((n, i) => {
    const s = saved.get(i);
    ops.push({ reads: nodeInputs(n).map((t) => act[t]!), writes: [act[n.output]!, ...(s ? [s.mean, s.rstd] : [])] });
  });
  const dlogits = value('dlogits', batch * size(g.tensors[g.output]!.shape));
  ops.push({ reads: [act[g.output]!], writes: [dlogits] });

  const grad = new Map<TensorId, ValueId>([[g.output, dlogits]]);
  const backward: BackwardOp[] = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i]!;
    const dy = grad.get(n.output);
    if (dy === undefined) continue;
    const inputs = nodeInputs(n);
    const writes: (ValueId | null)[] = [];
    const addends: (ValueId | null)[] = [];
    const sums: { op: GradSum; t: TensorId }[] = [];
    inputs.forEach((t, j) => {
      const wanted = t !== g.input;
      const prior = grad.get(t);
      const how = handOff(g, i, j);
      const name = `d${g.tensors[t]!.name}`;
      const floats = batch * size(g.tensors[t]!.shape);
      if (!wanted || how === 'alias') {
        writes.push(null);
        addends.push(null);
        if (!wanted) return;
        if (prior === undefined) grad.set(t, dy);
        else sums.push({ t, op: { kind: 'sum', a: dy, b: prior, out: value(name, floats) } });
        return;
      }
      const w = value(prior !== undefined && how === 'fresh' ? `${name}.part` : name, floats);
      writes.push(w);
      addends.push(how === 'fused' && prior !== undefined ? prior : null);
      if (prior === undefined || how === 'fused') grad.set(t, w);
      else sums.push({ t, op: { kind: 'sum', a: w, b: prior, out: value(name, floats) } });
    });
    const s = saved.get(i);
    const reads = [dy, ...inputs.map((t) => act[t]!), ...(s ? [s.mean, s.rstd] : []), ...addends.filter((a): a is ValueId => a !== null)];
    backward.push({ kind: 'node', node: i, dy, writes, addends });
    ops.push({ reads, writes: writes.filter((w): w is ValueId => w !== null) });
    for (const { op, t } of sums) {
      backward.push(op);
      ops.push({ reads: [op.a, op.b], writes: [op.out] });
      grad.set(t, op.out);
    }
  }
  // The statistics read every row's ∂L/∂z, u and h after the backward walk.
  const statsReads = g.rows.flatMap((r) => [act[r.h]!, act[r.u]!, ...(grad.has(r.z) ? [grad.get(r.z)!] : [])]);
  ops.push({ reads: statsReads, writes: [] });
  return { values, act, saved, dlogits, backward, grad, ops };
}
