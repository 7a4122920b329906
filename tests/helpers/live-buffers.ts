/**
 * Counts a device's live GPU buffers: every createBuffer, minus every destroy. It wraps the real device's
 * methods (nothing is faked), so buffers made anywhere — kernels, arenas, read-back rings — are counted.
 */
export interface LiveBuffers {
  /** Buffers created and not yet destroyed. */
  readonly live: number;
  /** Live buffers by label, for a failure message that names what leaked. */
  byLabel(): Record<string, number>;
}

export function countLiveBuffers(device: GPUDevice): LiveBuffers {
  const live = new Map<GPUBuffer, string>();
  const create = device.createBuffer.bind(device);
  device.createBuffer = (desc: GPUBufferDescriptor): GPUBuffer => {
    const b = create(desc);
    live.set(b, desc.label ?? '(no label)');
    const destroy = b.destroy.bind(b);
    b.destroy = () => {
      live.delete(b);
      destroy();
    };
    return b;
  };
  return {
    get live() {
      return live.size;
    },
    byLabel() {
      const out: Record<string, number> = {};
      for (const label of live.values()) out[label.replace(/\[\d+\]$/, '')] = (out[label.replace(/\[\d+\]$/, '')] ?? 0) + 1;
      return out;
    },
  };
}

/** Frames for code written for a page (requestAnimationFrame), driven by timers in Node. */
export function nodeFrames(): void {
  const g = globalThis as { requestAnimationFrame?: (cb: FrameRequestCallback) => number; cancelAnimationFrame?: (id: number) => void };
  g.requestAnimationFrame ??= (cb) => setTimeout(() => cb(performance.now()), 4) as unknown as number;
  g.cancelAnimationFrame ??= (id) => clearTimeout(id);
}
