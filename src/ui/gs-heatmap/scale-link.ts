import type { Range } from './color-scale.ts';
import { driftedBeyond, unionRange } from './follow-range.ts';

/**
 * One colour scale shared by several heatmaps (compare mode A | B): each member reports the range
 * its own data would follow, and all of them follow the union, so equal colours mean equal values.
 */
export class ScaleLink {
  private readonly members = new Map<object, { range: Range | null; wake: () => void }>();
  private last: Range | null = null;
  /** The range every member draws with; moved (for all at once) only when the union drifts past the redraw threshold. */
  private drawn: Range | null = null;

  join(member: object, wake: () => void): void {
    this.members.set(member, { range: this.members.get(member)?.range ?? null, wake });
  }

  leave(member: object): void {
    this.members.delete(member);
    this.last = this.combined();
    this.drawn = null;
    for (const m of this.members.values()) m.wake();
  }

  get size(): number {
    return this.members.size;
  }

  /** Records `member`'s own target and returns the shared one; other members redraw when it moves. */
  update(member: object, range: Range | null): Range | null {
    const m = this.members.get(member);
    if (m) m.range = range;
    const next = this.combined();
    if (next && driftedBeyond(this.last, next, 1e-3)) {
      this.last = next;
      for (const [other, o] of this.members) if (other !== member) o.wake();
    }
    return next;
  }

  /** The range to draw with, given `member`'s smoothed follow range: one value for all members. */
  settle(member: object, followed: Range): Range {
    if (!this.drawn || driftedBeyond(this.drawn, followed)) {
      this.drawn = { ...followed };
      for (const [other, o] of this.members) if (other !== member) o.wake();
    }
    return this.drawn;
  }

  combined(): Range | null {
    return unionRange([...this.members.values()].map((m) => m.range));
  }
}
