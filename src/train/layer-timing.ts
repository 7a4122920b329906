/**
 * Per-layer kernel time (StepRecord.layerMs): which stats row each of a step's forward and backward ops belongs
 * to, so a sampled logged step can run each row's kernels in a compute pass of their own between GPU timestamps.
 * A row owns the ops from its weight-bearing node up to the next row's (its norm, activation, skip add), in
 * the forward walk and in the backward walk alike; a sum of gradient contributions belongs to the op before it.
 * Pure: the schedule in, rows out.
 */
import type { Graph } from '../model/graph/graph.ts';
import { opNodes, type StepOp } from '../model/graph/fuse.ts';
import type { BackwardOp } from '../model/graph/schedule.ts';

/** The row of each forward op, in the fusion pass's order. */
export function forwardOwners(g: Graph, steps: readonly StepOp[]): number[] {
  const rowOfNode = new Map(g.rows.map((r, i) => [r.node, i]));
  let current = 0;
  return steps.map((op) => {
    const own = opNodes(op).find((n) => rowOfNode.has(n));
    if (own !== undefined) current = rowOfNode.get(own)!;
    return current;
  });
}

/** The row of each backward op, in the schedule's (reverse) order. */
export function backwardOwners(g: Graph, steps: readonly StepOp[], backward: readonly BackwardOp[]): number[] {
  const forward = forwardOwners(g, steps);
  let current = g.rows.length - 1;
  return backward.map((b) => {
    if (b.kind === 'op') current = forward[b.op]!;
    return current;
  });
}

/** Consecutive ops of one row, merged: the row of each timed pass, in order. */
export function segmentRows(owners: readonly number[]): number[] {
  return owners.filter((row, i) => i === 0 || owners[i - 1] !== row);
}

/** Groups per-op lists into per-segment lists (segmentRows' order). */
export function groupBySegment<T>(owners: readonly number[], perOp: readonly T[][]): T[][] {
  const out: T[][] = [];
  owners.forEach((row, i) => {
    if (i === 0 || owners[i - 1] !== row) out.push([]);
    out.at(-1)!.push(...perOp[i]!);
  });
  return out;
}

/** How the timestamps of a layer-timed step map to rows: a begin per forward pass, the forward's end, the same for backward. */
export interface LayerSegments {
  readonly forward: readonly number[];
  readonly backward: readonly number[];
}

/** Timestamps a layer-timed step writes: every pass's begin, and the end of the last forward and backward pass. */
export function layerQueries(s: LayerSegments): number {
  return s.forward.length + 1 + s.backward.length + 1;
}

/**
 * Milliseconds per row, forward and backward, from the step's timestamps (nanoseconds, layerQueries of them); null
 * when the step was not layer-timed (all zero) or the timestamps are unusable (out of order, or zero on some pass).
 */
export function layerTimes(ns: BigUint64Array, s: LayerSegments, rows: number): { forward: number[]; backward: number[] } | null {
  if (ns.every((t) => t === 0n)) return null;
  const span = (first: number, rowsOf: readonly number[]): number[] | null => {
    const out = new Array<number>(rows).fill(0);
    for (let i = 0; i < rowsOf.length; i++) {
      const ms = Number(ns[first + i + 1]! - ns[first + i]!) / 1e6;
      if (!(ms >= 0 && ms < 1e6)) return null;
      out[rowsOf[i]!]! += ms;
    }
    return out;
  };
  const forward = span(0, s.forward);
  const backward = span(s.forward.length + 1, s.backward);
  return forward && backward ? { forward, backward } : null;
}
