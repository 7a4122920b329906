import type { Slot } from '../gpu/arena.ts';
import type { KernelContext } from '../gpu/context.ts';
import type { BufferRange, Dispatch } from '../gpu/kernel.ts';
import { ROW_STAT, ROW_STATS_PER_ROW } from '../kernels/loss.ts';
import { ChunkedReadback } from './chunked-readback.ts';

/** Test-set loss and accuracy: what the CLI's eval lines and summary report. */
export interface EvalSummary {
  loss: number;
  accuracy: number | null;
  samples: number;
}

export interface EvalResult extends EvalSummary {
  /** Classification: each test sample's predicted class (its first argmax), in test-set order; null for regression. */
  predictions: Uint32Array | null;
}

/**
 * Test-set loss, accuracy and predicted classes. Runs the forward pass over the test set in chunks of the training batch
 * size, reusing the training arenas (a step recomputes them all), with batch norm on its running
 * statistics. Built once; each evaluation is one submit and one readback of the per-row statistics.
 */
export class EvalProgram {
  private constructor(
    private readonly rows: ChunkedReadback,
    private readonly s: { testSamples: number; task: 'classification' | 'regression' },
  ) {}

  /** Chunk k's batch indices: samples k·B … k·B + B − 1 of the test set, wrapping around in the last chunk. */
  static writeIndices(ctx: KernelContext, buffers: readonly GPUBuffer[], slots: readonly Slot[], batch: number, n: number): void {
    const indices = new Uint32Array(batch);
    slots.forEach((slot, k) => {
      for (let i = 0; i < batch; i++) indices[i] = (k * batch + i) % Math.max(1, n);
      ctx.device.queue.writeBuffer(buffers[slot.chunk]!, slot.offset, indices);
    });
  }

  /** From one dispatch list per test chunk (gather, forward in eval mode, loss), each leaving its per-row statistics in `rowStats`. */
  static fromChunks(ctx: KernelContext, chunks: Dispatch[][], rowStats: BufferRange, s: { batch: number; testSamples: number; task: 'classification' | 'regression' }): EvalProgram {
    const rowBytes = s.batch * ROW_STATS_PER_ROW * 4;
    return new EvalProgram(new ChunkedReadback(ctx, chunks, rowStats, rowBytes, 'eval read-back'), s);
  }

  /** Before the network's buffers are destroyed: an evaluation under way submits nothing more. */
  stop(): void {
    this.rows.stop();
  }

  /** Evaluate the current parameters (waits for the GPU: call it between steps, not inside the loop). */
  async run(): Promise<EvalResult | null> {
    const { s } = this;
    if (s.testSamples === 0) return null;
    const f = new Float32Array(await this.rows.run());
    const classification = s.task === 'classification';
    const predictions = classification ? new Uint32Array(s.testSamples) : null;
    let loss = 0;
    let hits = 0;
    for (let i = 0; i < s.testSamples; i++) {
      const row = i * ROW_STATS_PER_ROW;
      loss += f[row + ROW_STAT.loss]!;
      hits += f[row + ROW_STAT.hit]!;
      if (predictions) predictions[i] = f[row + ROW_STAT.predicted]!;
    }
    // Each row holds its sample's loss (cross-entropy) or mean squared error over outputs (MSE).
    return { loss: loss / s.testSamples, accuracy: classification ? hits / s.testSamples : null, samples: s.testSamples, predictions };
  }
}
