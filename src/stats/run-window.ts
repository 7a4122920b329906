import type { StepRecord } from './record.ts';

/** Recent records the diagnosis reads (its rules look at the last 10 and the second half of this window). */
export const DIAGNOSIS_WINDOW = 200;

/**
 * What a long run keeps of its records: the first (the network as initialized: a forward overflow shows
 * there) and a bounded window of the most recent, so memory stays flat however many steps run.
 */
export class RunWindow {
  first: StepRecord | null = null;
  private readonly recent: StepRecord[] = [];

  constructor(readonly size = DIAGNOSIS_WINDOW) {}

  push(r: StepRecord): void {
    this.first ??= r;
    this.recent.push(r);
    if (this.recent.length > this.size) this.recent.splice(0, this.recent.length - this.size);
  }

  get last(): StepRecord | undefined {
    return this.recent.at(-1);
  }

  /** The first record (when it has left the window) followed by the window, oldest first. */
  records(): StepRecord[] {
    return this.first && this.recent[0] !== this.first ? [this.first, ...this.recent] : [...this.recent];
  }

  get retained(): number {
    return this.recent.length + (this.first && this.recent[0] !== this.first ? 1 : 0);
  }
}
