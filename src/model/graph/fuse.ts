/**
 * The fusion pass: rewrites a graph's node list into the ops a step runs, merging what the data allows so
 * generality costs the MLP nothing (DESIGN.md, "Data flows one way"):
 *  - `dense`: linear → φ, and a skip add after it, as one matmul whose epilogue adds the bias, applies φ and
 *    adds skip + α·φ(z). φ's output is never written: only z (for φ′ in backward) and the block's output are.
 *  - `actAdd`: φ → skip + α·φ after a norm layer, as one elementwise kernel.
 * The backward side fuses too (src/model/graph/schedule.ts): the matmul that hands the gradient down into a
 * block's output also applies that block's α·φ′.
 */
import { nodeInputs, type Graph, type LayerNode, type TensorId } from './graph.ts';

export type StepOp =
  | { readonly kind: 'node'; readonly node: number }
  | { readonly kind: 'dense'; readonly linear: number; readonly act: number; readonly add: number | null }
  | { readonly kind: 'actAdd'; readonly act: number; readonly add: number };

type Activation = Extract<LayerNode, { kind: 'activation' }>;
type Add = Extract<LayerNode, { kind: 'add' }>;

export function fuseGraph(g: Graph): StepOp[] {
  const readers = new Map<TensorId, number>();
  for (const n of g.nodes) for (const t of nodeInputs(n)) readers.set(t, (readers.get(t) ?? 0) + 1);
  const inRows = new Set(g.rows.flatMap((r) => [r.z, r.u, r.h]));
  /** A tensor only node j reads, and that no statistic looks at, need never be written. */
  const private_ = (t: TensorId) => readers.get(t) === 1 && !inRows.has(t) && t !== g.output;
  const act = (i: number, input: TensorId): Activation | null => {
    const n = g.nodes[i];
    return n?.kind === 'activation' && n.input === input ? n : null;
  };
  const addAfter = (i: number, a: Activation): Add | null => {
    const n = g.nodes[i];
    return n?.kind === 'add' && n.input === a.output && n.skip !== a.output && private_(a.output) ? n : null;
  };
  const ops: StepOp[] = [];
  for (let i = 0; i < g.nodes.length; ) {
    const n = g.nodes[i]!;
    const a = n.kind === 'linear' && readers.get(n.output) === 1 ? act(i + 1, n.output) : null;
    if (a) {
      const add = addAfter(i + 2, a);
      ops.push({ kind: 'dense', linear: i, act: i + 1, add: add ? i + 2 : null });
      i += add ? 3 : 2;
      continue;
    }
    if (n.kind === 'activation' && addAfter(i + 1, n)) {
      ops.push({ kind: 'actAdd', act: i, add: i + 1 });
      i += 2;
      continue;
    }
    ops.push({ kind: 'node', node: i });
    i++;
  }
  return ops;
}

/** The nodes an op stands for, in forward order. */
export function opNodes(op: StepOp): number[] {
  switch (op.kind) {
    case 'node':
      return [op.node];
    case 'dense':
      return op.add === null ? [op.linear, op.act] : [op.linear, op.act, op.add];
    case 'actAdd':
      return [op.act, op.add];
  }
}
