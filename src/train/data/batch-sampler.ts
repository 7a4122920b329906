/**
 * Mini-batch indices from seeded epoch permutations: each epoch is a fresh shuffle of 0..n-1, dealt out
 * batchSize at a time. The tail of an epoch too short for a whole batch is dropped (PyTorch's
 * drop_last), so no batch holds an index twice and every batch has the same size.
 */
import type { Rng } from '../../gpu/prng.ts';
import { ConfigError } from '../../model/config-error.ts';

export class BatchSampler {
  private readonly order: Uint32Array;
  private cursor: number;
  private epochs = 0;

  /** rng: the run's shuffling stream (e.g. `new Rng(seed).fork('shuffle')`); the sampler draws only from it. */
  constructor(
    readonly n: number,
    readonly batchSize: number,
    private readonly rng: Rng,
  ) {
    if (batchSize > n) {
      const allowed = `at most ${n}, the number of training samples`;
      throw new ConfigError('train.batchSize', batchSize, allowed, `train.batchSize must be ${allowed} (got ${batchSize})`);
    }
    this.order = Uint32Array.from({ length: n }, (_, i) => i);
    this.cursor = n; // forces a shuffle on the first batch
  }

  /** Completed and current epochs so far (1 during the first). */
  get epoch(): number {
    return this.epochs;
  }

  /** Writes the next batchSize indices into out (whose length must be batchSize). */
  next(out: Uint32Array): void {
    if (out.length !== this.batchSize) {
      throw new RangeError(`BatchSampler.next needs an array of batchSize (${this.batchSize}) entries, got ${out.length}`);
    }
    if (this.cursor + this.batchSize > this.n) {
      this.rng.shuffle(this.order);
      this.cursor = 0;
      this.epochs++;
    }
    out.set(this.order.subarray(this.cursor, this.cursor + this.batchSize));
    this.cursor += this.batchSize;
  }
}
