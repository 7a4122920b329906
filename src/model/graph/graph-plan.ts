/**
 * A graph's memory, laid out before any device memory exists: parameters in state_dict order (conv weights
 * OHWI on the GPU, OIHW in files), batch norm's running statistics, every value of the step placed by
 * liveness, and the data set's tensors. Sums the bytes and refuses a plan over the budget.
 */
import { alignUp, ArenaLayout, SLOT_ALIGN, type Slot } from '../../gpu/arena.ts';
import { LimitError } from '../../gpu/errors.ts';
import { ROW_STATS_PER_ROW } from '../../kernels/loss.ts';
import type { Graph } from './graph.ts';
import { placeValues, type Placement } from './liveness.ts';
import { graphParams, type BufferSpec, type ParamSpec } from './params.ts';
import { scheduleStep, type StepSchedule } from './schedule.ts';

/**
 * Inputs kept as image bytes (cifar10): the data set's tensors hold them four to a u32 word, and the gather
 * normalizes each batch per channel and, with `augment`, crops and flips the training batches.
 */
export interface ByteImageInput {
  H: number;
  W: number;
  C: number;
  mean: readonly number[];
  std: readonly number[];
  /** Pad-`pad` random crop and horizontal flip of every training batch; each train index slot then ends with the step's seed. */
  augment: { pad: number } | null;
}

export interface GraphShape {
  batch: number;
  /** Floats per sample of the graph's input, and per target (1 for class ids). */
  inputFloats: number;
  /** Set when the inputs are stored as image bytes (inputFloats bytes per sample), not floats. */
  byteImages?: ByteImageInput;
  targetFloats: number;
  trainSamples: number;
  testSamples: number;
  stepsPerSubmit: number;
  /** Optimizer moments kept per parameter (0 for SGD, 1 for momentum, 2 for Adam). */
  optimizerState: 0 | 1 | 2;
}

export interface PlannedParam extends ParamSpec {
  readonly slot: Slot;
  /** Conv weights are [C_out, k, k, C_in] on the GPU and [C_out, C_in, k, k] (`shape`) in files. */
  readonly gpuLayout: 'torch' | 'ohwi';
}

export interface PlannedBuffer extends BufferSpec {
  readonly slot: Slot;
}

export type NodeParams = Partial<Record<PlannedParam['role'], PlannedParam>>;

export interface GraphPlan {
  readonly graph: Graph;
  readonly shape: GraphShape;
  readonly params: ArenaLayout;
  readonly running: ArenaLayout;
  readonly paramList: readonly PlannedParam[];
  /** Each node's parameters by role. */
  readonly nodeParams: ReadonlyMap<number, NodeParams>;
  readonly buffers: readonly PlannedBuffer[];
  readonly schedule: StepSchedule;
  readonly placement: Placement;
  /** Everything else, one arena each: the data set, batch targets and indices, the loss's per-row scratch. */
  readonly io: Readonly<Record<IoArena, ArenaLayout>>;
  readonly batchY: Slot;
  readonly index: readonly Slot[];
  readonly evalIndex: readonly Slot[];
  readonly rowStats: Slot;
  readonly data: { trainX: Slot; trainY: Slot; testX: Slot; testY: Slot };
  readonly bytes: number;
}

export const IO_ARENAS = ['trainX', 'trainY', 'testX', 'testY', 'batchY', 'index', 'evalIndex', 'rowStats'] as const;
export type IoArena = (typeof IO_ARENAS)[number];

const F = 4;
const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function planGraph(graph: Graph, s: GraphShape, limits: { maxBinding: number; budgetBytes: number }): GraphPlan {
  const params = new ArenaLayout('params', limits.maxBinding);
  const running = new ArenaLayout('running', limits.maxBinding);
  const specs = graphParams(graph);
  const paramList: PlannedParam[] = specs.params.map((p) => ({
    ...p,
    slot: params.add(p.name, count(p.shape) * F),
    gpuLayout: p.role === 'weight' && p.shape.length === 4 ? 'ohwi' : 'torch',
  }));
  const nodeParams = new Map<number, NodeParams>();
  for (const p of paramList) nodeParams.set(p.node, { ...nodeParams.get(p.node), [p.role]: p });
  const buffers: PlannedBuffer[] = specs.buffers.map((b) => ({ ...b, slot: running.add(b.name, count(b.shape) * F) }));
  const schedule = scheduleStep(graph, s.batch);
  const placement = placeValues(schedule.values, schedule.ops, limits.maxBinding);
  const io = Object.fromEntries(IO_ARENAS.map((n) => [n, new ArenaLayout(n, limits.maxBinding)])) as Record<IoArena, ArenaLayout>;
  // Bytes stay bytes on the GPU (four to a word); the training index slots hold one more word, the step's seed, when augmenting.
  const inputBytes = (samples: number): number => (s.byteImages ? alignUp(samples * s.inputFloats, 4) : samples * s.inputFloats * F);
  const indexWords = s.batch + (s.byteImages?.augment ? 1 : 0);
  checkDataFits(s, inputBytes(s.trainSamples), limits.maxBinding);
  const plan: GraphPlan = {
    graph,
    shape: s,
    params,
    running,
    paramList,
    nodeParams,
    buffers,
    schedule,
    placement,
    io,
    batchY: io.batchY.add('y', s.batch * s.targetFloats * F),
    index: Array.from({ length: s.stepsPerSubmit }, (_, k) => io.index.add(`index${k}`, indexWords * F)),
    evalIndex: Array.from({ length: Math.max(1, Math.ceil(s.testSamples / s.batch)) }, (_, k) => io.evalIndex.add(`eval${k}`, s.batch * F)),
    rowStats: io.rowStats.add('rowStats', s.batch * ROW_STATS_PER_ROW * F),
    data: {
      trainX: io.trainX.add('trainX', inputBytes(s.trainSamples)),
      trainY: io.trainY.add('trainY', s.trainSamples * s.targetFloats * F),
      testX: io.testX.add('testX', inputBytes(Math.max(1, s.testSamples))),
      testY: io.testY.add('testY', Math.max(1, s.testSamples) * s.targetFloats * F),
    },
    bytes: 0,
  };
  // Gradients and the optimizer's moments mirror the parameter arena.
  const mirrors = 1 + s.optimizerState;
  const ioBytes = IO_ARENAS.reduce((sum, n) => sum + io[n].totalBytes, 0);
  const bytes = (1 + mirrors) * params.totalBytes + running.totalBytes + placement.bytes + ioBytes;
  if (bytes > limits.budgetBytes) {
    throw new LimitError(
      `This network needs ${formatBytes(bytes)} of GPU memory (${graph.rows.length} weight layers, batch ${s.batch}); ` +
        `the budget is ${formatBytes(limits.budgetBytes)}. Reduce model.depth, model.width or train.batchSize.`,
    );
  }
  return { ...plan, bytes };
}

/** The gather binds a split's inputs whole: a training set over one binding is refused here, with what to do about it. */
function checkDataFits(s: GraphShape, bytes: number, maxBinding: number): void {
  if (alignUp(bytes, SLOT_ALIGN) <= maxBinding) return;
  const what = s.byteImages ? `${s.trainSamples} training images` : `${s.trainSamples} training samples of ${s.inputFloats} floats`;
  const fewer = s.byteImages ? 'use fewer data_batch files' : 'use fewer samples (data.samples)';
  throw new LimitError(`The ${what} take ${formatBytes(bytes)}; one buffer binding holds at most ${formatBytes(maxBinding)} on this device: ${fewer}.`);
}

/** Bytes for a message, in the unit that keeps three significant figures (1.2 KiB, 340 MiB, 4 GiB). */
function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let u = 0;
  while (value >= 1024 && u < units.length - 1) {
    value /= 1024;
    u++;
  }
  return `${u === 0 ? Math.round(value) : Number(value.toPrecision(3))} ${units[u]}`;
}
