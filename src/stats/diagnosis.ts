/**
 * Reads a run's StepRecords and says, in plain words, why a deep net is or is not learning, with a
 * fix as RunConfig edits. The rules follow the gradient-flow story: the first block's gradient
 * against the head's, saturated and dead units, non-finite steps, and a loss that stopped moving.
 */
import type { RunConfig } from '../model/config.ts';
import { rowLabels } from '../model/graph/row-names.ts';
import { firstDivergence, layerName } from './divergence.ts';
import { firstFix, type Candidate, type CurrentSettings } from './fixes.ts';
import { fmt, fmtPair, pct } from './format.ts';
import type { Diagnosis, DiagnosisKind, Divergence, StepRecord } from './record.ts';

export { fmt } from './format.ts';

/** The run's settings (`config`, when known, also picks the rules: recurrent nets get their own). */
export interface DiagnoseOptions extends CurrentSettings {
  /** model.depth, for a fix that scales the branches by 1/√depth. */
  depth?: number;
  /** Where the run first went non-finite, when the trainer knows it better than the records do. */
  divergence?: Divergence | null;
}

/** The options a run's config gives; `divergence` is the trainer's (it knows the true first bad step). */
export function diagnoseOptions(c: RunConfig, divergence: Divergence | null = null): DiagnoseOptions {
  return {
    activation: c.model.activation,
    residual: c.model.residual,
    norm: c.model.norm,
    clipMode: c.train.clip.mode,
    lr: c.train.lr,
    init: c.model.init.scheme,
    gain: c.model.init.gain,
    depth: c.model.depth,
    divergence,
    config: c,
  };
}

/** The thresholds of the rules, in one place. */
export const DIAGNOSIS_LIMITS = {
  /** First block's gradNorm below this fraction of the head's: vanishing. */
  vanishingRatio: 1e-3,
  /** ...above this multiple: exploding. */
  explodingRatio: 1e3,
  saturatedFraction: 0.5,
  deadFraction: 0.5,
  /** The loss must fall by this fraction over the stall window... */
  stallImprovement: 0.01,
  /** ...unless it is already below this floor. */
  lossFloor: 0.05,
  /** A stalled loss counts as getting worse (and the fix lowers the learning rate) only past this rise. */
  worseRise: 0.05,
  /** A recurrent net's ‖∂L/∂h_t‖ at its first step below this fraction of its last step's: vanishing through time. */
  vanishingInTime: 1e-3,
  /** Records averaged by the gradient and unit rules (the most recent ones). */
  recent: 10,
  /** The stall rule needs this many records in its window (the last half of the run). */
  stallRecords: 8,
};

const SATURATING: readonly string[] = ['sigmoid', 'tanh'];

interface Context {
  opts: DiagnoseOptions;
  recent: readonly StepRecord[];
  /** Index of the head in the per-layer arrays (= the number of blocks). */
  head: number;
  /** Geometric mean over the recent records of gradNorm[0] / gradNorm[head]; null when undefined. */
  ratio: number | null;
}

/** Diagnose a run from its records (oldest first); an empty list when there are none. */
export function diagnose(records: readonly StepRecord[], opts: DiagnoseOptions): Diagnosis[] {
  if (records.length === 0) return [];
  const recent = records.slice(-DIAGNOSIS_LIMITS.recent);
  const head = (records.at(-1)?.gradNorm.length ?? 1) - 1;
  const ctx: Context = { opts, recent, head, ratio: gradientRatio(recent, head) };
  const div = opts.divergence ?? firstDivergence(records);
  // A forward pass that overflowed before any update explains everything the records show after it.
  const overflow = div?.phase === 'forward' && div.step === 1 ? forwardOverflow(records, div, ctx) : null;
  if (overflow) return [overflow];
  // Unit statistics of a non-finite step describe the overflow, not the units: judge them on finite steps.
  const units: Context = { ...ctx, recent: recent.filter((r) => !r.nonFinite) };
  const fading = ctx.opts.config?.model.arch === 'rnn' ? vanishingInTime(ctx) : vanishing(ctx);
  const found = [exploding(div, ctx), fading, saturation(units), deadUnits(units)].filter((d) => d !== null);
  const stall = stalled(records, ctx, found.length > 0);
  if (stall !== null) found.push(stall);
  return found.length > 0 ? found : [healthy(records, ctx)];
}

function gradientRatio(recent: readonly StepRecord[], head: number): number | null {
  if (head < 1) return null;
  const logs = recent
    .map((r) => (r.gradNorm[0] ?? NaN) / (r.gradNorm[head] ?? NaN))
    // A first-block norm of exactly 0 (below f32's range) is the strongest vanishing there is, not missing data.
    .filter((x) => Number.isFinite(x) && x >= 0)
    .map(Math.log10);
  return logs.length > 0 ? 10 ** mean(logs) : null;
}

/**
 * The forward pass left f32's range at the first step, before any update could cause it: the init itself
 * makes the activations grow across depth. Clipping and the learning rate act on updates, so they cannot
 * help; what helps is less growth per block. ReZero removes it at the start (every branch begins at zero:
 * a 300-block ReLU net trained to 79% on spiral in 300 steps that way); a norm bounds what each branch adds;
 * a smaller gain shrinks it, by how much the measured growth says (see suggestedGain).
 */
function forwardOverflow(records: readonly StepRecord[], div: Divergence, ctx: Context): Diagnosis {
  const record = records.find((r) => r.nonFinite) ?? records.at(-1)!;
  const growth = actGrowth(record.actStd);
  const { depth = ctx.head, residual, norm, gain = 1 } = ctx.opts;
  const where = div.layer === null ? 'before the head' : `at ${rowName(ctx, div.layer)} of ${ctx.head}`;
  const rate = growth === null ? '' : `: the activations grow about ×${fmt(growth)} per block`;
  const finding = `The forward pass overflows at the first step, before any update${rate}, and leaves f32's range ${where}.`;
  const rezero: Candidate[] = residual === 'identity' ? [{ patch: { 'model.residual': 'rezero' }, fix: 'Start every branch at zero (ReZero): the net begins as the identity and learns how much of each block to add.' }] : [];
  const layerNorm: Candidate[] = norm === 'none' ? [{ patch: { 'model.norm': 'layer' }, fix: 'Normalize inside every block (layer norm), so no block hands on a larger signal than it got.' }] : [];
  const smaller = suggestedGain(gain, growth, depth, residual !== 'none');
  const scale: Candidate[] =
    smaller === null ? [] : [{ patch: { 'model.init.gain': smaller }, fix: `Draw smaller initial weights (model.init.gain=${smaller}), so that ${depth} blocks grow the signal about tenfold in all, not past f32's range.` }];
  // A plain stack that overflows has too large an init; a residual one adds too much per branch.
  const candidates = residual === 'none' ? [...scale, ...layerNorm] : [...rezero, ...layerNorm, ...scale];
  return make('forward-overflow', finding, div.layer === null ? [] : [div.layer], ctx, candidates);
}

/**
 * A gain under which the forward pass grows about tenfold over `depth` blocks, from the growth r per block
 * measured at `gain`. A plain block scales the signal by about r ∝ gain, so gain/r keeps it level; in a
 * residual ReLU block the positive mean of each branch adds up, and log r grows about linearly in the gain
 * (measured: ×1.7 per block at gain 1 and ×1.03 at 0.058, at depth 300), so the gain shrinks by
 * ln 10 / (depth·ln r).
 */
function suggestedGain(gain: number, growth: number | null, depth: number, residual: boolean): number | null {
  if (growth === null || growth <= 1) return null;
  const next = residual ? (gain * Math.log(10)) / (depth * Math.log(growth)) : gain / growth;
  return Number(Math.min(gain / 2, next).toPrecision(2));
}

/** Geometric mean growth of actStd per block over the finite, non-zero stretch before it overflows. */
function actGrowth(std: readonly number[]): number | null {
  const finite = std.slice(0, -1).filter((v) => Number.isFinite(v) && v > 0);
  if (finite.length < 2) return null;
  return (finite.at(-1)! / finite[0]!) ** (1 / (finite.length - 1));
}

function exploding(div: Divergence | null, ctx: Context): Diagnosis | null {
  const tooBig = ctx.ratio !== null && ctx.ratio > DIAGNOSIS_LIMITS.explodingRatio;
  if (div === null && !tooBig) return null;
  const finding =
    div !== null
      ? `At step ${div.step} the run went non-finite: ${div.what}.`
      : `The first block's gradient is ${fmt(ctx.ratio!)} times the head's: the signal grows on its way back through ${netWords(ctx)}.`;
  const layers = div !== null ? (div.layer !== null ? [div.layer] : []) : layersWhere(ctx, (g, h) => g > DIAGNOSIS_LIMITS.explodingRatio * h);
  // Batch norm fixes each layer's output scale but not the gradient's, which compounds back through a deep plain
  // stack of normalized layers (a plain ResNet-56 hands its first stage ~500× the head's gradient at step 1).
  const shortcut: Candidate[] =
    div === null && ctx.opts.norm === 'batch' && ctx.opts.residual === 'none'
      ? [{ patch: { 'model.residual': 'identity' }, fix: 'Add identity shortcuts: batch norm keeps every layer’s output in range but not the gradient, which grows back through a deep plain stack of normalized layers; a shortcut around every block carries it back unchanged.' }]
      : [];
  return make('exploding', finding, layers, ctx, [
    ...shortcut,
    { patch: { 'train.clip.mode': 'norm' }, fix: 'Clip the global gradient norm, so one oversized gradient cannot throw the weights out of range.' },
    { patch: { 'train.lr': lower(ctx.opts.lr) }, fix: `Lower the learning rate tenfold, to ${lower(ctx.opts.lr)}: the steps are overshooting.` },
  ]);
}

function vanishing(ctx: Context): Diagnosis | null {
  if (ctx.ratio === null || ctx.ratio >= DIAGNOSIS_LIMITS.vanishingRatio) return null;
  const finding = `The first block's gradient is ${fmt(ctx.ratio)} of the head's: the signal fades on its way back through ${netWords(ctx)}.`;
  const { activation } = ctx.opts;
  const candidates: Candidate[] = [];
  if (SATURATING.includes(activation)) {
    candidates.push({
      patch: { 'model.activation': 'relu', 'model.init.scheme': 'he' },
      fix: `Swap ${activation} for ReLU with He init: ReLU's slope is 1 wherever a unit is active, so the gradient is not shrunk at every layer.`,
    });
  }
  if (activation === 'relu' || activation === 'leaky_relu') {
    candidates.push({ patch: { 'model.init.scheme': 'he' }, fix: 'Use He init, which scales the weights so a ReLU layer keeps the signal the same size.' });
  }
  candidates.push(
    { patch: { 'model.residual': 'identity' }, fix: 'Add identity skip connections: each block adds to its input, so the gradient has a path around every layer.' },
    { patch: { 'model.norm': 'batch' }, fix: 'Add batch normalization, which re-centres and re-scales every layer so the signal keeps a usable size.' },
  );
  return make('vanishing', finding, layersWhere(ctx, (g, h) => g < DIAGNOSIS_LIMITS.vanishingRatio * h), ctx, candidates);
}

/**
 * Geometric mean over the recent records of layer 0's ‖∂L/∂h_t‖ at the first step BPTT reaches (T − bptt, or 0) over
 * its last step's. An exact 0 there (every path back saturated, or below f32's range) is a ratio of 0.
 */
function timeRatio(recent: readonly StepRecord[], bptt: number | null): { ratio: number; steps: number } | null {
  const pairs = recent.flatMap((r) => {
    const norms = r.timeDeltaNorm?.[0];
    if (!norms || norms.length < 2 || !(norms.at(-1)! > 0)) return [];
    const t0 = bptt === null ? 0 : Math.max(0, norms.length - bptt);
    return t0 < norms.length - 1 ? [{ ratio: norms[t0]! / norms.at(-1)!, steps: norms.length - t0 }] : [];
  });
  const ratios = pairs.map((p) => p.ratio).filter((x) => Number.isFinite(x) && x >= 0);
  if (ratios.length === 0) return null;
  const ratio = ratios.includes(0) ? 0 : 10 ** mean(ratios.map(Math.log10));
  return { ratio, steps: pairs.at(-1)!.steps };
}

/**
 * The recurrent net's gradient fades back through time (Pascanu et al. 2013). Measured at init on the adding problem,
 * width 64, T = 60: a tanh RNN keeps ~1e-15 of it, a GRU ~2e-12, an LSTM with forget bias 0 ~1e-12, 1 ~1e-4, 3 ~0.3;
 * an LSTM's cell state carries it back through the forget gate, which its bias holds open.
 */
function vanishingInTime(ctx: Context): Diagnosis | null {
  const config = ctx.opts.config!;
  const time = timeRatio(ctx.recent, config.train.bptt);
  if (time === null || time.ratio >= DIAGNOSIS_LIMITS.vanishingInTime) return null;
  const model = config.model;
  const amount = time.ratio === 0 ? 'exactly 0 (nothing of it arrives)' : `${fmt(time.ratio)} of the last step's`;
  const first = time.steps === config.data.length ? 'the first time step' : 'the first step truncated BPTT reaches';
  const finding = `The gradient at ${first} is ${amount}: it fades on its way back through ${time.steps} steps of the ${model.cell === 'rnn' ? `${model.activation} RNN` : model.cell.toUpperCase()}, so what the early inputs say hardly reaches the weights.`;
  const forget = model.init.forgetBias < 1 ? 1 : 3;
  const candidates: Candidate[] = [
    ...(model.cell !== 'lstm'
      ? [{ patch: { 'model.cell': 'lstm', 'model.init.forgetBias': 1 }, fix: 'Use an LSTM with forget bias 1: its cell state hands the gradient back through the forget gate, which the bias starts nearly open, instead of through a squashing nonlinearity at every step.' }]
      : []),
    { patch: { 'model.init.forgetBias': forget }, fix: `Raise the forget gate's initial bias to ${forget}: the more open the gate starts, the further back the cell state carries the gradient (at 60 steps, bias 3 keeps about a third of it at init, bias 1 about 1e-4).` },
    { patch: { 'model.activation': 'relu', 'model.init.scheme': 'identity' }, fix: 'Start from the identity (IRNN, Le et al. 2015): a ReLU cell whose recurrent weights begin as I passes the gradient back unchanged until training moves them.' },
  ];
  const rows = ctx.recent.at(-1)!.gradNorm.length > 2 ? [0, 1] : [];
  return make('vanishing-in-time', finding, rows, ctx, candidates);
}

function saturation(ctx: Context): Diagnosis | null {
  const worst = worstLayer(ctx, 'saturated', DIAGNOSIS_LIMITS.saturatedFraction);
  if (worst === null) return null;
  const { activation } = ctx.opts;
  const finding = `${pct(worst.value)} of the units in ${rowName(ctx, worst.layer)} sit where ${activation} is flat (${layersAre(worst.layers.length)} over half saturated), so almost no gradient passes them.`;
  return make('saturation', finding, worst.layers, ctx, [
    { patch: { 'model.norm': 'batch' }, fix: `Add batch normalization, which keeps each layer's inputs near zero, where ${activation} still has slope.` },
    { patch: { 'model.activation': 'relu', 'model.init.scheme': 'he' }, fix: 'Swap to ReLU with He init: ReLU does not flatten for large inputs.' },
    { patch: { 'train.clip.mode': 'norm' }, fix: 'Clip the global gradient norm: oversized updates are what pushes units into the flat region, and clipping keeps every update a usable size.' },
    { patch: { 'train.lr': lower(ctx.opts.lr) }, fix: `Lower the learning rate tenfold, to ${lower(ctx.opts.lr)}, so the weights do not grow into the flat region.` },
  ]);
}

function deadUnits(ctx: Context): Diagnosis | null {
  const worst = worstLayer(ctx, 'dead', DIAGNOSIS_LIMITS.deadFraction);
  if (worst === null) return null;
  const finding = `${pct(worst.value)} of the units in ${rowName(ctx, worst.layer)} output zero for every sample (${layersAre(worst.layers.length)} over half dead), so no gradient reaches their weights.`;
  return make('dead-units', finding, worst.layers, ctx, [
    { patch: { 'model.activation': 'leaky_relu' }, fix: 'Use leaky ReLU: its small negative slope lets a dead unit recover.' },
    { patch: { 'train.lr': lower(ctx.opts.lr) }, fix: `Lower the learning rate tenfold, to ${lower(ctx.opts.lr)}: large steps push units into the region where they never fire.` },
  ]);
}

function stalled(records: readonly StepRecord[], ctx: Context, explained: boolean): Diagnosis | null {
  const change = lossChange(records);
  if (change === null || change.improvement >= DIAGNOSIS_LIMITS.stallImprovement || change.late <= DIAGNOSIS_LIMITS.lossFloor) return null;
  const [early, late] = fmtPair(change.early, change.late);
  const trend = change.improvement <= -DIAGNOSIS_LIMITS.worseRise ? 'it is getting worse' : 'it has stopped improving';
  const moved = early === late ? `stayed at ${late}` : `went from ${early} to ${late}`;
  const finding = `The loss ${moved} over the last ${change.steps} steps: ${trend}.`;
  if (explained) return { kind: 'stalled', finding, fix: 'The findings above explain the stall: fix those first.', patch: {}, layers: [] };
  const lr = ctx.opts.lr;
  const candidates: Candidate[] =
    change.improvement <= -DIAGNOSIS_LIMITS.worseRise
      ? [{ patch: { 'train.lr': lower(lr) }, fix: `Lower the learning rate tenfold, to ${lower(lr)}: the steps overshoot the minimum.` }]
      : [{ patch: { 'train.lr': raise(lr) }, fix: `Raise the learning rate tenfold, to ${raise(lr)}: the gradient flows but the steps are too small to move the loss.` }];
  return make('stalled', finding, [], ctx, candidates);
}

function healthy(records: readonly StepRecord[], ctx: Context): Diagnosis {
  const change = lossChange(records);
  const parts: string[] = [];
  const time = ctx.opts.config?.model.arch === 'rnn' ? timeRatio(ctx.recent, ctx.opts.config.train.bptt) : null;
  if (time !== null) parts.push(`the gradient at the first time step is ${fmt(time.ratio)} of the last step's`);
  else if (ctx.ratio !== null) parts.push(`the first block's gradient is ${fmt(ctx.ratio)} of the head's`);
  if (change !== null) {
    parts.push(change.improvement >= 0 ? `the loss fell ${pct(change.improvement)} over the last ${change.steps} steps` : `the loss is down to ${fmt(change.late)}`);
  }
  const finding = parts.length > 0 ? `${capitalize(parts.join(' and '))}: the gradient reaches every layer.` : 'Nothing in the records points to a problem.';
  return { kind: 'healthy', finding, fix: 'Nothing to fix: train longer, or go deeper.', patch: {}, layers: [] };
}

interface LossChange {
  early: number;
  late: number;
  improvement: number;
  steps: number;
}

/** Mean loss of the first and last quarter of the run's second half, so one noisy batch cannot decide. */
function lossChange(records: readonly StepRecord[]): LossChange | null {
  const window = records.slice(Math.floor(records.length / 2));
  if (window.length < DIAGNOSIS_LIMITS.stallRecords || !window.every((r) => Number.isFinite(r.loss))) return null;
  const q = Math.max(1, Math.floor(window.length / 4));
  const early = mean(window.slice(0, q).map((r) => r.loss));
  const late = mean(window.slice(-q).map((r) => r.loss));
  return { early, late, improvement: early > 0 ? (early - late) / early : 0, steps: window.at(-1)!.step - window[0]!.step };
}

/** Blocks whose recent mean gradNorm compares with the head's as `test` says. */
function layersWhere(ctx: Context, test: (grad: number, head: number) => boolean): number[] {
  const g = layerMeans(ctx.recent, 'gradNorm');
  const h = g[ctx.head] ?? NaN;
  return g.flatMap((v, l) => (l < ctx.head && test(v, h) ? [l] : []));
}

function worstLayer(ctx: Context, key: 'saturated' | 'dead', limit: number): { layer: number; value: number; layers: number[] } | null {
  const means = layerMeans(ctx.recent, key);
  const layers = means.flatMap((v, l) => (v > limit ? [l] : []));
  if (layers.length === 0) return null;
  const layer = layers.reduce((a, b) => ((means[b] ?? 0) > (means[a] ?? 0) ? b : a));
  return { layer, value: means[layer] ?? 0, layers };
}

function layerMeans(records: readonly StepRecord[], key: 'gradNorm' | 'saturated' | 'dead'): number[] {
  const n = records.at(-1)?.[key].length ?? 0;
  return Array.from({ length: n }, (_, l) => mean(records.map((r) => r[key][l] ?? NaN).filter(Number.isFinite)));
}

/** A finding with the first of its candidate fixes that applies (src/stats/fixes.ts). */
function make(kind: DiagnosisKind, finding: string, layers: number[], ctx: Context, candidates: Candidate[]): Diagnosis {
  const chosen = firstFix(candidates, ctx.opts);
  if (chosen) return { kind, finding, ...chosen, layers };
  return { kind, finding, fix: 'The usual fixes for this are already set: try fewer blocks or a smaller initial scale.', patch: {}, layers };
}

/** What a finding calls row `layer`: the MLP's `block 3`, else the row's name in words (`layer 0 · input weights`). */
function rowName(ctx: Context, layer: number): string {
  const model = ctx.opts.config?.model;
  if (!model || model.arch === 'mlp' || layer === ctx.head) return layerName(layer, ctx.head + 1);
  return rowLabels(model)[layer]?.long ?? layerName(layer, ctx.head + 1);
}

function netWords(ctx: Context): string {
  const { activation, residual, norm, config } = ctx.opts;
  if (config?.model.arch === 'rnn') {
    const { cell, depth } = config.model;
    return `${depth} ${cell === 'rnn' ? `${activation} RNN` : cell.toUpperCase()} layer${depth > 1 ? 's' : ''} and ${config.data.length} time steps`;
  }
  const extras = [residual !== 'none' ? `${residual} skips` : '', norm !== 'none' ? `${norm} norm` : ''].filter(Boolean);
  return `${ctx.head} ${activation} layers${extras.length > 0 ? ` with ${extras.join(' and ')}` : ''}`;
}

function mean(xs: readonly number[]): number {
  return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

function lower(lr: number): number {
  return Number((lr / 10).toPrecision(3));
}

function raise(lr: number): number {
  return Math.min(10, Number((lr * 10).toPrecision(3))); // RunConfig caps train.lr at 10
}

const layersAre = (n: number): string => (n === 1 ? '1 layer is' : `${n} layers are`);
const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
