import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/math/prng.ts';
import { placeValues, type PlannedOp, type PlannedValue } from '../../src/model/graph/liveness.ts';

const KB = 1024;

/** Check the two rules of a placement: no op reads and writes one buffer; live values never share bytes. */
function checkPlacement(values: PlannedValue[], ops: PlannedOp[], maxChunk: number) {
  const p = placeValues(values, ops, maxChunk);
  const buffer = (v: number) => `${p.slots[v]!.arena}/${p.slots[v]!.slot.chunk}`;
  ops.forEach((op, i) => {
    for (const w of op.writes) for (const r of op.reads) if (r !== w) expect(buffer(r), `op ${i} reads ${values[r]!.name} and writes ${values[w]!.name}`).not.toBe(buffer(w));
  });
  const life = values.map(() => [Infinity, -Infinity]);
  ops.forEach((op, i) => [...op.reads, ...op.writes].forEach((v) => ((life[v]![0] = Math.min(life[v]![0]!, i)), (life[v]![1] = Math.max(life[v]![1]!, i)))));
  for (let a = 0; a < values.length; a++) {
    for (let b = a + 1; b < values.length; b++) {
      const [sa, sb] = [p.slots[a]!, p.slots[b]!];
      const together = life[a]![0]! <= life[b]![1]! && life[b]![0]! <= life[a]![1]!;
      if (!together || buffer(a) !== buffer(b)) continue;
      const apart = sa.slot.offset + sa.slot.bytes <= sb.slot.offset || sb.slot.offset + sb.slot.bytes <= sa.slot.offset;
      expect(apart, `${values[a]!.name} and ${values[b]!.name} are alive together in one buffer`).toBe(true);
    }
  }
  for (const { slot } of p.slots) expect(slot.offset % 256).toBe(0);
  for (const a of p.arenas) for (const c of a.chunkBytes) expect(c).toBeLessThanOrEqual(maxChunk);
  return p;
}

describe('buffers by liveness', () => {
  it('a chain of layers needs two buffers, and transient values reuse their bytes', () => {
    // x0 → x1 → … → x9, each op reading the last and writing the next; nothing is kept.
    const values = Array.from({ length: 10 }, (_, i) => ({ name: `x${i}`, bytes: 4 * KB }));
    const ops = Array.from({ length: 9 }, (_, i) => ({ reads: [i], writes: [i + 1] }));
    const p = checkPlacement(values, ops, 1 << 20);
    expect(p.arenas).toHaveLength(2);
    expect(p.bytes).toBe(2 * 4 * KB);
  });

  it('a value read again much later (a saved activation) keeps its bytes until then', () => {
    const values = [{ name: 'h0', bytes: 4 * KB }, { name: 'h1', bytes: 4 * KB }, { name: 'h2', bytes: 4 * KB }, { name: 'g', bytes: 4 * KB }];
    const ops = [{ reads: [0], writes: [1] }, { reads: [1], writes: [2] }, { reads: [2, 0], writes: [3] }];
    const p = checkPlacement(values, ops, 1 << 20);
    expect(p.bytes).toBeGreaterThanOrEqual(3 * 4 * KB);
  });

  it('a shortcut that reads two layers back gets a third buffer where the conflicts ask for one', () => {
    // h2 = f(h1) + h0: the op reads h0 and h1 and writes h2; h1 = f(h0) read h0 and wrote h1.
    const values = ['h0', 'h1', 'h2'].map((name) => ({ name, bytes: KB }));
    const ops = [{ reads: [0], writes: [1] }, { reads: [0, 1], writes: [2] }];
    expect(checkPlacement(values, ops, 1 << 20).arenas).toHaveLength(3);
  });

  it('splits an arena into chunks under the binding limit, and refuses a value larger than one', () => {
    const values = Array.from({ length: 6 }, (_, i) => ({ name: `v${i}`, bytes: 3 * KB }));
    const ops = [{ reads: [], writes: [0, 1, 2, 3, 4, 5] }, { reads: [], writes: [0, 1, 2, 3, 4, 5] }];
    const p = checkPlacement(values, ops, 8 * KB);
    expect(p.arenas[0]!.chunkBytes.length).toBeGreaterThan(1);
    expect(() => placeValues([{ name: 'huge', bytes: 9 * KB }], [{ reads: [], writes: [0] }], 8 * KB)).toThrow(/huge needs 9216 bytes, but one buffer binding holds at most 8192/);
  });

  it('holds both rules on random programs', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 40; trial++) {
      const n = 5 + rng.int(40);
      const values = Array.from({ length: n }, (_, i) => ({ name: `v${i}`, bytes: (1 + rng.int(8)) * 300 }));
      const ops = Array.from({ length: 3 + rng.int(40) }, () => {
        const pick = () => Array.from({ length: 1 + rng.int(3) }, () => rng.int(n));
        return { reads: pick(), writes: pick() };
      });
      checkPlacement(values, ops, 4 * KB);
    }
  });
});
