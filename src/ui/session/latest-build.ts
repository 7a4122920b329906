/** What a superseded request resolves with: a newer request was made before this one started. */
export const SUPERSEDED = Symbol('superseded');

interface Waiting<T> {
  job: () => Promise<T>;
  resolve: (v: T | typeof SUPERSEDED) => void;
  reject: (e: unknown) => void;
}

/**
 * Runs builds one at a time, latest first: while one runs, a new request replaces the one waiting
 * (which resolves SUPERSEDED, unstarted), so a burst of edits costs one build, not one per edit. Each
 * request settles on its own: a build that fails rejects its own promise and nothing else, and the
 * next request runs as if it had never happened.
 */
export class LatestBuild<T> {
  private busy = false;
  private waiting: Waiting<T> | null = null;

  get idle(): boolean {
    return !this.busy && !this.waiting;
  }

  request(job: () => Promise<T>): Promise<T | typeof SUPERSEDED> {
    return new Promise((resolve, reject) => {
      this.waiting?.resolve(SUPERSEDED);
      this.waiting = { job, resolve, reject };
      if (!this.busy) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.waiting) {
      const { job, resolve, reject } = this.waiting;
      this.waiting = null;
      try {
        resolve(await job());
      } catch (e) {
        reject(e);
      }
    }
    this.busy = false;
  }
}
