/**
 * Buffers by liveness, as a compiler allocates registers (STYLE.md 17). The step is a list of ops, each
 * reading and writing values (activations, their gradients, scratch). Two constraints decide where a value
 * lives:
 *  - WebGPU validates buffer usage per dispatch: a buffer bound read-only may not also be bound writable.
 *    Values one op reads and another value it writes therefore get different buffers: a greedy colouring of
 *    that conflict graph gives each value an arena (a chain of layers needs two, like the old parity scheme;
 *    a shortcut that reads h_{l-2} may need a third).
 *  - Values alive at the same time need disjoint bytes; a value dead before another is born may share them.
 *    Within an arena a linear scan in op order hands out the lowest free range that fits (first fit, freed
 *    ranges coalesced), in chunks no larger than the device's binding limit.
 * Pure: a plan is laid out, measured and refused before any device memory exists.
 */
import { LimitError } from '../../gpu/errors.ts';
import { alignUp, SLOT_ALIGN, type Slot } from '../../gpu/arena.ts';

export interface PlannedValue {
  readonly name: string;
  readonly bytes: number;
}

/** One op's values, by index into the value list. A value both read and written (accumulated) is fine. */
export interface PlannedOp {
  readonly reads: readonly number[];
  readonly writes: readonly number[];
}

export interface ArenaPlan {
  readonly label: string;
  readonly chunkBytes: number[];
}

export interface Placement {
  readonly arenas: ArenaPlan[];
  /** One per value: its arena and slot. */
  readonly slots: { arena: number; slot: Slot }[];
  /** Peak bytes over all arenas (what the plan allocates). */
  readonly bytes: number;
}

/** Greedy colouring in order of first use: each value takes the lowest arena none of its conflicts has. */
function colour(values: readonly PlannedValue[], ops: readonly PlannedOp[]): number[] {
  const conflicts = values.map(() => new Set<number>());
  for (const op of ops) {
    for (const w of op.writes) {
      for (const r of op.reads) {
        if (r === w) continue;
        conflicts[w]!.add(r);
        conflicts[r]!.add(w);
      }
    }
  }
  const order = firstUse(values, ops);
  const colours = new Array<number>(values.length).fill(-1);
  for (const v of order) {
    const taken = new Set([...conflicts[v]!].map((u) => colours[u]!));
    let c = 0;
    while (taken.has(c)) c++;
    colours[v] = c;
  }
  return colours;
}

/** Values in the order the ops first touch them (values no op touches come last, in index order). */
function firstUse(values: readonly PlannedValue[], ops: readonly PlannedOp[]): number[] {
  const seen = new Set<number>();
  for (const op of ops) for (const v of [...op.writes, ...op.reads]) seen.add(v);
  for (let v = 0; v < values.length; v++) seen.add(v);
  return [...seen];
}

/** [first, last] op index touching each value; a value no op touches lives across the whole step. */
function lifetimes(values: readonly PlannedValue[], ops: readonly PlannedOp[]): [number, number][] {
  const life = values.map((): [number, number] => [Infinity, -Infinity]);
  ops.forEach((op, i) => {
    for (const v of [...op.reads, ...op.writes]) {
      const l = life[v]!;
      l[0] = Math.min(l[0], i);
      l[1] = Math.max(l[1], i);
    }
  });
  return life.map(([a, b]) => (a === Infinity ? [0, ops.length] : [a, b]));
}

/** Free ranges of one chunk: sorted, disjoint [offset, end). */
class Chunk {
  free: [number, number][] = [];
  end = 0;

  constructor(readonly max: number) {}

  take(bytes: number): number | null {
    for (let i = 0; i < this.free.length; i++) {
      const [a, b] = this.free[i]!;
      if (b - a < bytes) continue;
      if (b - a === bytes) this.free.splice(i, 1);
      else this.free[i] = [a + bytes, b];
      return a;
    }
    if (this.end + bytes > this.max) return null;
    this.end += bytes;
    return this.end - bytes;
  }

  release(offset: number, bytes: number): void {
    this.free.push([offset, offset + bytes]);
    this.free.sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const r of this.free) {
      const last = merged.at(-1);
      if (last && last[1] === r[0]) last[1] = r[1];
      else merged.push([r[0], r[1]]);
    }
    this.free = merged;
  }
}

/** Lay out every value; `maxChunkBytes` is the device's storage binding limit. */
export function placeValues(values: readonly PlannedValue[], ops: readonly PlannedOp[], maxChunkBytes: number, label = 'act'): Placement {
  const colours = colour(values, ops);
  const life = lifetimes(values, ops);
  const arenas: Chunk[][] = [];
  const slots: { arena: number; slot: Slot }[] = new Array(values.length);
  // Births and deaths in op order: at each op, allocate what it brings to life, then free what dies there.
  const born = Array.from({ length: ops.length + 1 }, () => [] as number[]);
  const dies = Array.from({ length: ops.length + 1 }, () => [] as number[]);
  values.forEach((_, v) => {
    born[life[v]![0]]!.push(v);
    dies[life[v]![1]]!.push(v);
  });
  for (let t = 0; t <= ops.length; t++) {
    for (const v of born[t]!) {
      const { name, bytes } = values[v]!;
      const size = alignUp(Math.max(bytes, 4), SLOT_ALIGN);
      if (size > maxChunkBytes) throw new LimitError(`${name} needs ${size} bytes, but one buffer binding holds at most ${maxChunkBytes} bytes on this device. Use a smaller width or batch size.`);
      const chunks = (arenas[colours[v]!] ??= []);
      let chunk = -1;
      let offset: number | null = null;
      for (let c = 0; c < chunks.length && offset === null; c++) {
        offset = chunks[c]!.take(size);
        chunk = c;
      }
      if (offset === null) {
        chunks.push(new Chunk(maxChunkBytes));
        chunk = chunks.length - 1;
        offset = chunks[chunk]!.take(size)!;
      }
      slots[v] = { arena: colours[v]!, slot: { name, chunk, offset, bytes } };
    }
    for (const v of dies[t]!) {
      const { slot } = slots[v]!;
      arenas[slots[v]!.arena]![slot.chunk]!.release(slot.offset, alignUp(Math.max(slot.bytes, 4), SLOT_ALIGN));
    }
  }
  const plans = arenas.map((chunks, i) => ({ label: `${label}${i}`, chunkBytes: chunks.map((c) => c.end) }));
  return { arenas: plans, slots, bytes: plans.reduce((s, a) => s + a.chunkBytes.reduce((x, y) => x + y, 0), 0) };
}

