import { ArenaLayout, type Slot } from '../gpu/arena.ts';
import { SCALARS, SCALARS_FLOATS, type ClipMode } from '../kernels/reduce.ts';
import { LAYER_STATS_FLOATS } from '../kernels/stats.ts';
import type { PhaseTimes, StepRecord } from '../stats/record.ts';
import { layerQueries, layerTimes, type LayerSegments } from './layer-timing.ts';

/**
 * The passes a logged step is timed in, in order (GPU timestamps around each). `statistics` and
 * `statisticsAfter` are reported together as the statistics' cost.
 */
export const PHASES = ['forward', 'loss', 'backward', 'norms', 'statistics', 'optimizer', 'statisticsAfter'] as const;

/** Bytes of the optimizer's hyperparameters a snapshot carries after its scalars: τ first (16 keeps the timestamps 8-aligned). */
export const CLIP_BYTES = 16;

/** What the statistics need to know of a network: which parameters are a row's weight, and each row's size. */
export interface StatsShape {
  /** Every parameter in state_dict order; `row` is set on the weight whose norms a row reports. */
  readonly params: readonly { readonly row?: number }[];
  /** Per row: the floats of its output over a batch, and its units (columns, or channels of an image). */
  readonly rows: readonly { readonly elements: number; readonly units: number }[];
  readonly batch: number;
  readonly task: 'classification' | 'regression';
  /** Recurrent nets: T, the time steps of each recurrent layer (timeDeltaNorm[k] has T values). */
  readonly timeSteps?: readonly number[];
  /**
   * Residual blocks: where each block's ‖S‖ and ‖B‖ (src/model/graph/schedule.ts, ResidualSplit) lie in the
   * residual section, which holds 2 floats per block in the order the statistics' calls write them.
   */
  readonly residual?: { readonly skip: readonly number[]; readonly branch: readonly number[] };
  /** The row of each pass a layer-timed step runs, forward and backward (src/train/layer-timing.ts). */
  readonly layerSegments?: LayerSegments;
}

/**
 * Where a step's raw statistics land on the GPU (one buffer, 256-byte-aligned sections) and how a
 * snapshot of them becomes a StepRecord. Norms arrive computed (gradSums, weightSums, deltaSums and dzSums
 * hold per-tensor L2 norms); moments and counts are turned into means and fractions here.
 */
export class StatsLayout {
  readonly layout: ArenaLayout;
  readonly loss: Slot;
  readonly gradSums: Slot;
  readonly weightSums: Slot;
  readonly deltaSums: Slot;
  readonly dzSums: Slot;
  readonly layer: Slot;
  /** Value clipping: ‖clamp(g, −τ, τ)‖ per parameter (empty in the other modes). */
  readonly clippedSums: Slot;
  /** ‖∂L/∂h_t‖ of every recurrent layer's steps, layer by layer (empty without recurrent layers). */
  readonly timeDelta: Slot;
  /** The residual split: ‖S‖ of every residual block, then ‖B‖ of every block (empty without residual blocks). */
  readonly residual: Slot;
  /** Bytes of a snapshot: the stats buffer, the optimizer's scalars and τ, the phase and then the layer timestamps. */
  readonly snapshotBytes: number;
  /** Timestamps of a layer-timed step (0 without timestamps or layer segments). */
  readonly layerQueries: number;
  /** The parameter whose norms each row reports, by row. */
  private readonly weightIndex: readonly number[];

  constructor(
    readonly shape: StatsShape,
    readonly timed = false,
    readonly clip: ClipMode = 'none',
  ) {
    const P = shape.params.length;
    const R = shape.rows.length;
    this.layout = new ArenaLayout('stats', Number.MAX_SAFE_INTEGER);
    this.loss = this.layout.add('loss', 2 * 4);
    this.gradSums = this.layout.add('gradSums', P * 4);
    this.weightSums = this.layout.add('weightSums', P * 4);
    this.deltaSums = this.layout.add('deltaSums', P * 4);
    this.dzSums = this.layout.add('dzSums', R * 4);
    this.clippedSums = this.layout.add('clippedSums', (clip === 'value' ? P : 0) * 4);
    this.layer = this.layout.add('layer', R * LAYER_STATS_FLOATS * 4);
    this.timeDelta = this.layout.add('timeDelta', (shape.timeSteps ?? []).reduce((a, b) => a + b, 0) * 4);
    this.residual = this.layout.add('residual', 2 * (shape.residual?.skip.length ?? 0) * 4);
    this.layerQueries = timed && shape.layerSegments ? layerQueries(shape.layerSegments) : 0;
    this.weightIndex = shape.params.flatMap((p, i) => (p.row === undefined ? [] : [i]));
    this.snapshotBytes = this.layout.totalBytes + SCALARS_FLOATS * 4 + CLIP_BYTES + (timed ? 16 * PHASES.length : 0) + 8 * this.layerQueries;
  }

  /** Updates applied so far (the optimizer's step counter, which stops at the first non-finite step). */
  updatesApplied(bytes: ArrayBuffer): number {
    return new Float32Array(bytes)[this.layout.totalBytes / 4 + SCALARS.step]!;
  }

  /**
   * Turn a snapshot into the record DESIGN.md defines. A record is O(depth) by nature; decoding it makes its arrays
   * once, at their final length, and fills them in one loop each (it runs on the page's main thread).
   */
  decode(bytes: ArrayBuffer, step: number, stepMs: number): StepRecord {
    const f = new Float32Array(bytes);
    const at = (slot: Slot, i: number): number => f[slot.offset / 4 + i]!;
    const scalars = this.layout.totalBytes / 4;
    const s = this.shape;
    const weightIndex = this.weightIndex;
    const W = weightIndex.length;
    const R = s.rows.length;
    const gradNorm = new Array<number>(W);
    const weightNorm = new Array<number>(W);
    const updateRatio = new Array<number>(W);
    const [g0, w0, d0] = [this.gradSums.offset / 4, this.weightSums.offset / 4, this.deltaSums.offset / 4];
    for (let r = 0; r < W; r++) {
      const i = weightIndex[r]!;
      const w = f[w0 + i]!;
      gradNorm[r] = f[g0 + i]!;
      weightNorm[r] = w;
      updateRatio[r] = w > 0 ? f[d0 + i]! / w : 0;
    }
    const deltaNorm = new Array<number>(R);
    const actMean = new Array<number>(R);
    const actStd = new Array<number>(R);
    const saturated = new Array<number>(R);
    const dead = new Array<number>(R);
    const [z0, l0] = [this.dzSums.offset / 4, this.layer.offset / 4];
    for (let l = 0; l < R; l++) {
      const { elements: n, units } = s.rows[l]!;
      const o = l0 + 4 * l;
      const mean = f[o]! / n;
      deltaNorm[l] = f[z0 + l]!;
      actMean[l] = mean;
      actStd[l] = Math.sqrt(Math.max(0, f[o + 1]! / n - mean * mean));
      saturated[l] = f[o + 2]! / n;
      dead[l] = f[o + 3]! / units;
    }
    const loss = at(this.loss, 0);
    let first = 0;
    const timeDeltaNorm = (s.timeSteps ?? []).map((T) => {
      const layer = Array.from({ length: T }, (_, t) => at(this.timeDelta, first + t));
      first += T;
      return layer;
    });
    const clipScale = f[scalars + SCALARS.clipScale]!;
    const r = s.residual;
    const split = r?.skip.length ? { residualSkipNorm: r.skip.map((i) => at(this.residual, i)), residualBranchNorm: r.branch.map((i) => at(this.residual, i)) } : {};
    return {
      step,
      loss,
      accuracy: s.task === 'classification' ? at(this.loss, 1) / s.batch : null,
      gradNormTotal: f[scalars + SCALARS.gradNorm]!,
      clipScale,
      nonFinite: f[scalars + SCALARS.nonFinite]! !== 0 || !Number.isFinite(loss),
      stepMs,
      gradNorm,
      deltaNorm,
      weightNorm,
      updateRatio,
      actMean,
      actStd,
      saturated,
      dead,
      phaseMs: this.timed ? phaseTimes(bytes, this.layout.totalBytes + SCALARS_FLOATS * 4 + CLIP_BYTES) : null,
      ...this.clipped(f, gradNorm, clipScale, weightIndex),
      ...this.layerTimes(bytes),
      ...(timeDeltaNorm.length ? { timeDeltaNorm } : {}),
      ...split,
    };
  }
  /** Where the layer timestamps start in a snapshot. */
  get layerOffset(): number {
    return this.layout.totalBytes + SCALARS_FLOATS * 4 + CLIP_BYTES + 16 * PHASES.length;
  }

  /** Per-row GPU time of a layer-timed step; nothing for the other steps. */
  private layerTimes(bytes: ArrayBuffer): Pick<StepRecord, 'layerMs'> {
    if (!this.layerQueries || !this.shape.layerSegments) return {};
    const ms = layerTimes(new BigUint64Array(bytes, this.layerOffset, this.layerQueries), this.shape.layerSegments, this.shape.rows.length);
    return ms ? { layerMs: ms } : {};
  }

  /**
   * τ as this step applied it, and the gradient after clipping: norm clipping scales every tensor by the clip
   * scale, so its per-layer norms are ‖g_l‖ times it; value clipping's come from the GPU (clippedSums).
   */
  private clipped(f: Float32Array, gradNorm: readonly number[], clipScale: number, weightIndex: readonly number[]): Pick<StepRecord, 'clipMax' | 'clippedGradNorm' | 'clippedGradNormTotal'> {
    if (this.clip === 'none') return {};
    const clipMax = f[(this.layout.totalBytes + SCALARS_FLOATS * 4) / 4]!;
    if (this.clip === 'norm') {
      const total = f[this.layout.totalBytes / 4 + SCALARS.gradNorm]!;
      return { clipMax, clippedGradNorm: gradNorm.map((g) => g * clipScale), clippedGradNormTotal: total * clipScale };
    }
    const sums = Array.from({ length: this.shape.params.length }, (_, i) => f[this.clippedSums.offset / 4 + i]!);
    return { clipMax, clippedGradNorm: weightIndex.map((i) => sums[i]!), clippedGradNormTotal: Math.hypot(...sums) };
  }
}


/**
 * Milliseconds per phase from the begin/end timestamp pairs (nanoseconds); null for a step that was not
 * timed (all zeros) or timestamps that look unusable.
 */
function phaseTimes(bytes: ArrayBuffer, offset: number): PhaseTimes | null {
  const ns = new BigUint64Array(bytes, offset, 2 * PHASES.length);
  if (ns.every((t) => t === 0n)) return null;
  const ms = PHASES.map((_, i) => Number(ns[2 * i + 1]! - ns[2 * i]!) / 1e6);
  // Some implementations write zeros or quantise; report nothing rather than nonsense.
  if (ms.some((m) => !(m >= 0 && m < 1e6))) return null;
  const [forward, loss, backward, norms, statistics, optimizer, statisticsAfter] = ms as [number, number, number, number, number, number, number];
  return { forward, loss, backward, norms, statistics: statistics + statisticsAfter, optimizer };
}
