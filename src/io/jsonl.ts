/**
 * The JSONL run log of DESIGN.md: one `config` line, one `step` line per logged step, one `summary`
 * line at the end. Each line is a JSON object whose `type` says which.
 *
 * JSON has no NaN or ±Infinity. A non-finite number is written as `null` (what JSON.stringify does
 * with them) and read back as NaN wherever the field is a number, so a diverged run still logs
 * valid JSON that Python's `json`, pandas and jq read. The sign of an infinity is lost; the step's
 * `nonFinite` flag and the summary's `diverged` entry keep the fact that it happened.
 *
 * Every other number is written so that pandas' `read_json(lines=True)` reads it: JavaScript prints a
 * whole float below 1e21 as digits (an exploding run's 3.7e19 as `37000000000000000000`), which pandas'
 * parser takes for an integer and refuses past int64 ("Value is too big!") or silently wraps. Whole
 * numbers beyond 2^53, where a float no longer means an exact integer anyway, are written in exponent
 * form (`3.7e+19`), which every reader takes as the float it is. Test-set metrics go in `eval` lines.
 */
import type { AdapterSummary } from '../gpu/device.ts';
import { DIAGNOSIS_KINDS, type Diagnosis, type Divergence, type RunSummary, type StepRecord } from '../stats/record.ts';

export interface ConfigLine {
  type: 'config';
  /** The resolved RunConfig. */
  config: Record<string, unknown>;
  adapter: AdapterSummary;
  version: string;
  commit?: string;
  /** ISO 8601 time the run started. */
  date?: string;
  /** The data set as built: name, task, dimensions and split sizes. */
  dataset?: Record<string, unknown>;
  /** The name and kind of each row of the per-layer arrays (`blocks.0`…`head`; `layer2.0.conv1` for a ResNet). */
  layers?: { name: string; kind: string }[];
  /** Residual nets: each residual block by name, with the row its output belongs to, in StepRecord.residualSkipNorm's order. */
  residualBlocks?: { name: string; row: number }[];
  /**
   * Plain MLPs with an init that has a σ_w² (every scheme but identity): mean-field theory's prediction for the run
   * (src/stats/theory.ts: σ_w², σ_b², the input's mean square, q1, q*, χ₁, c*, χ_c, ξ_c, 6ξ_c, ξ_∇ and the phase).
   */
  meanField?: object;
  /** The checkpoint whose weights started this run (`--load`). */
  load?: string;
  /** The checkpoint this run continues (`--resume`), and the step it continued from. */
  resume?: { path: string; step: number };
}

export type StepLine = { type: 'step' } & StepRecord;
export type SummaryLine = { type: 'summary' } & RunSummary;

/** The test set at one step, written as soon as it is measured. */
export interface EvalRecord {
  step: number;
  loss: number;
  /** null for regression. */
  accuracy: number | null;
}
export type EvalLine = { type: 'eval' } & EvalRecord;
export type RunLogLine = ConfigLine | StepLine | EvalLine | SummaryLine;

export interface RunLog {
  config: ConfigLine;
  steps: StepRecord[];
  evals: EvalRecord[];
  /** null when the run stopped before writing its summary. */
  summary: RunSummary | null;
}

export class RunLogError extends Error {
  override name = 'RunLogError';
}

/** A JSON number every reader takes as the float it is (see the file comment); null when not finite. */
function jsonNumber(x: number): string {
  if (!Number.isFinite(x)) return 'null';
  return Number.isInteger(x) && Math.abs(x) >= 2 ** 53 ? x.toExponential() : JSON.stringify(x);
}

/** JSON.stringify, but with numbers written by jsonNumber; undefined fields are left out as it does. */
export function toJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return jsonNumber(value);
  if (typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => toJson(v)).join(',')}]`;
  const fields = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
  return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
}

export function configLine(line: Omit<ConfigLine, 'type'>): string {
  return toJson({ type: 'config', ...line });
}

export function stepLine(record: StepRecord): string {
  return toJson({ type: 'step', ...record });
}

export function evalLine(record: EvalRecord): string {
  return toJson({ type: 'eval', ...record });
}

export function summaryLine(summary: RunSummary): string {
  return toJson({ type: 'summary', ...summary });
}

/** Read a whole log back. Blank lines are skipped; anything else malformed throws with its line number. */
export function parseRunLog(text: string, source = 'run log'): RunLog {
  let config: ConfigLine | null = null;
  const steps: StepRecord[] = [];
  const evals: EvalRecord[] = [];
  let summary: RunSummary | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const r = new Reader(`${source} line ${i + 1}`, parseObject(raw, `${source} line ${i + 1}`));
    const type = r.obj['type'];
    if (summary !== null) r.fail(`a ${String(type)} line after the summary`);
    if (type === 'config') {
      if (config !== null) r.fail('a second config line');
      config = readConfig(r);
    } else if (config === null) {
      r.fail('the log must start with a config line');
    } else if (type === 'step') {
      steps.push(readStep(r));
    } else if (type === 'eval') {
      evals.push({ step: r.num('step'), loss: r.num('loss'), accuracy: r.numOrNull('accuracy') });
    } else if (type === 'summary') {
      summary = readSummary(r);
    } else {
      r.fail(`type must be "config", "step", "eval" or "summary" (got ${JSON.stringify(type)})`);
    }
  }
  if (config === null) throw new RunLogError(`${source}: no config line`);
  return { config, steps, evals, summary };
}

function parseObject(raw: string, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    throw new RunLogError(`${where}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RunLogError(`${where}: not a JSON object`);
  return value as Record<string, unknown>;
}

/** Typed field access with errors that name the line and the field. */
class Reader {
  constructor(
    readonly where: string,
    readonly obj: Record<string, unknown>,
  ) {}

  fail(what: string): never {
    throw new RunLogError(`${this.where}: ${what}`);
  }

  /** A number; null (a non-finite number when written) reads as NaN. */
  num(key: string): number {
    const v = this.obj[key];
    if (v === null) return NaN;
    if (typeof v !== 'number') this.fail(`"${key}" must be a number (got ${JSON.stringify(v)})`);
    return v;
  }

  numOrNull(key: string): number | null {
    return this.obj[key] === null ? null : this.num(key);
  }

  nums(key: string): number[] {
    const v = this.obj[key];
    if (!Array.isArray(v) || !v.every((x) => x === null || typeof x === 'number')) this.fail(`"${key}" must be a list of numbers`);
    return (v as (number | null)[]).map((x) => x ?? NaN);
  }

  str(key: string): string {
    const v = this.obj[key];
    if (typeof v !== 'string') this.fail(`"${key}" must be a string (got ${JSON.stringify(v)})`);
    return v;
  }

  object(key: string): Record<string, unknown> {
    const v = this.obj[key];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(`"${key}" must be an object`);
    return v as Record<string, unknown>;
  }

  nested(key: string): Reader {
    return new Reader(`${this.where}: ${key}`, this.object(key));
  }
}

function readConfig(r: Reader): ConfigLine {
  const a = r.nested('adapter');
  const line: ConfigLine = {
    type: 'config',
    config: r.object('config'),
    adapter: { vendor: a.str('vendor'), architecture: a.str('architecture'), device: a.str('device'), description: a.str('description') },
    version: r.str('version'),
  };
  if (r.obj['commit'] !== undefined) line.commit = r.str('commit');
  if (r.obj['date'] !== undefined) line.date = r.str('date');
  if (r.obj['dataset'] !== undefined) line.dataset = r.object('dataset');
  if (r.obj['layers'] !== undefined) {
    const layers = r.obj['layers'];
    if (!Array.isArray(layers) || !layers.every((l) => typeof l?.name === 'string' && typeof l?.kind === 'string')) r.fail('"layers" must be a list of {name, kind}');
    line.layers = layers as { name: string; kind: string }[];
  }
  if (r.obj['load'] !== undefined) line.load = r.str('load');
  if (r.obj['resume'] !== undefined) {
    const resume = r.nested('resume');
    line.resume = { path: resume.str('path'), step: resume.num('step') };
  }
  return line;
}

const PER_LAYER = ['gradNorm', 'deltaNorm', 'weightNorm', 'updateRatio', 'actMean', 'actStd', 'saturated', 'dead'] as const;

function readStep(r: Reader): StepRecord {
  const nonFinite = r.obj['nonFinite'];
  if (typeof nonFinite !== 'boolean') r.fail('"nonFinite" must be true or false');
  const layers = Object.fromEntries(PER_LAYER.map((k) => [k, r.nums(k)])) as Record<(typeof PER_LAYER)[number], number[]>;
  const depth = layers.gradNorm.length;
  for (const k of PER_LAYER) {
    if (layers[k].length !== depth) r.fail(`"${k}" has ${layers[k].length} entries but "gradNorm" has ${depth}`);
  }
  return {
    step: r.num('step'),
    loss: r.num('loss'),
    accuracy: r.numOrNull('accuracy'),
    gradNormTotal: r.num('gradNormTotal'),
    clipScale: r.num('clipScale'),
    nonFinite,
    stepMs: r.num('stepMs'),
    ...layers,
  };
}

function readSummary(r: Reader): RunSummary {
  const diverged = r.obj['diverged'] === null ? null : readDivergence(r.nested('diverged'));
  const list = r.obj['diagnosis'];
  if (!Array.isArray(list)) r.fail('"diagnosis" must be a list');
  const interrupted = r.obj['interrupted'];
  if (interrupted !== undefined && typeof interrupted !== 'boolean') r.fail('"interrupted" must be true or false');
  return {
    steps: r.num('steps'),
    ...(interrupted === true ? { interrupted } : {}),
    finalLoss: r.numOrNull('finalLoss'),
    finalAccuracy: r.numOrNull('finalAccuracy'),
    testLoss: r.numOrNull('testLoss'),
    testAccuracy: r.numOrNull('testAccuracy'),
    ...(r.obj['trainLoss'] !== undefined ? { trainLoss: r.numOrNull('trainLoss') } : {}),
    ...(r.obj['trainAccuracy'] !== undefined ? { trainAccuracy: r.numOrNull('trainAccuracy') } : {}),
    diverged,
    diagnosis: list.map((d, i) => readDiagnosis(new Reader(`${r.where}: diagnosis[${i}]`, asObject(d, r)))),
    stepsPerSecond: r.num('stepsPerSecond'),
  };
}

function asObject(v: unknown, r: Reader): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return r.fail('each diagnosis must be an object');
  return v as Record<string, unknown>;
}

const PHASES: readonly string[] = ['weights', 'forward', 'loss', 'backward', 'update'];

function readDivergence(r: Reader): Divergence {
  const d: Divergence = { step: r.num('step'), layer: r.numOrNull('layer'), what: r.str('what') };
  const phase = r.obj['phase'];
  if (phase !== undefined) {
    if (typeof phase !== 'string' || !PHASES.includes(phase)) r.fail(`"phase" must be one of ${PHASES.join(', ')}`);
    d.phase = phase as Divergence['phase'] & string;
  }
  return d;
}

const KINDS: readonly string[] = DIAGNOSIS_KINDS;

function readDiagnosis(r: Reader): Diagnosis {
  const kind = r.str('kind');
  if (!KINDS.includes(kind)) r.fail(`"kind" must be one of ${KINDS.join(', ')} (got ${JSON.stringify(kind)})`);
  const patch = r.object('patch');
  for (const [k, v] of Object.entries(patch)) {
    if (typeof v !== 'string' && typeof v !== 'number') r.fail(`patch "${k}" must be a string or a number`);
  }
  return {
    kind: kind as Diagnosis['kind'],
    finding: r.str('finding'),
    fix: r.str('fix'),
    patch: patch as Record<string, string | number>,
    layers: r.nums('layers'),
  };
}
