/**
 * Mini-batch indices from seeded epoch permutations: each epoch is a fresh shuffle of 0..n-1, dealt out
 * batchSize at a time. The tail of an epoch too short for a whole batch is dropped (PyTorch's
 * drop_last), so no batch holds an index twice and every batch has the same size.
 */
import { Rng, type RngState } from '../../math/prng.ts';
import { ConfigError } from '../../model/config-error.ts';

/** Where a sampler is in its stream: enough to deal the same batches from here on. */
export interface SamplerState {
  rng: RngState;
  /** The current epoch's permutation (each epoch shuffles the previous one in place). */
  order: number[];
  cursor: number;
  epochs: number;
}

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

  state(): SamplerState {
    return { rng: this.rng.state(), order: Array.from(this.order), cursor: this.cursor, epochs: this.epochs };
  }

  /** A sampler that continues from `s`; throws a RangeError naming what does not fit this data set. */
  static restore(n: number, batchSize: number, s: SamplerState): BatchSampler {
    const sampler = new BatchSampler(n, batchSize, Rng.fromState(s.rng));
    if (s.order.length !== n) throw new RangeError(`the sampler state orders ${s.order.length} samples; this data set has ${n}`);
    const seen = new Uint8Array(n);
    for (const i of s.order) {
      if (!Number.isInteger(i) || i < 0 || i >= n || seen[i]) throw new RangeError('the sampler state is not a permutation of the training samples');
      seen[i] = 1;
    }
    if (!Number.isInteger(s.cursor) || s.cursor < 0 || s.cursor > n) throw new RangeError(`the sampler cursor ${s.cursor} is outside 0..${n}`);
    sampler.order.set(s.order);
    sampler.cursor = s.cursor;
    sampler.epochs = s.epochs;
    return sampler;
  }
}
