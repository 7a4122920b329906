/**
 * `gradscope plot FILE.jsonl [FILE2 …] --x PATH --y PATH --value FIELD [--out phase.svg|phase.png] [--theory]`: the
 * phase diagram of one or more sweep files (or their `cat`), coloured by a summary field, with ξ_c and 6ξ_c of the
 * mean-field theory over it on request.
 */
import { parseSweepLog, SweepLogError, type SweepRun } from '../io/sweep-log.ts';
import { shortText, closestMatch } from '../model/config-error.ts';
import { ACTIVATIONS, CONFIG_PATHS, isConfigPath, suggestPath } from '../model/config-schema.ts';
import type { ActivationName } from '../model/config.ts';
import { meanFieldCurves, phaseDiagram, phaseScene, sceneSvg, xDataRange, type AxisValue, type PhaseDiagram, type TheoryCurve } from '../stats/phase-diagram.ts';
import { UsageError } from './errors.ts';
import { checkOutputPaths, replaceFile } from './output-file.ts';
import { scenePng } from './png.ts';
import { flagValue, readUserFile } from './run-config.ts';

/** A sweep file is two lines a run: a million runs is under a gigabyte. */
const SWEEP_LIMIT = { bytes: 1 << 30, hint: 'a sweep file holds two lines a run: is it the right file?' };

/** Summary fields that are not a number to plot. */
const NOT_VALUES = new Set(['diverged', 'diagnosis', 'interrupted']);

function readRuns(files: readonly string[]): { runs: SweepRun[]; unfinished: number } {
  const runs: SweepRun[] = [];
  let unfinished = 0;
  for (const file of files) {
    try {
      const log = parseSweepLog(readUserFile(file, 'gradscope plot', SWEEP_LIMIT).toString('utf8'), file);
      runs.push(...log.runs);
      unfinished += log.unfinished;
    } catch (e) {
      if (e instanceof SweepLogError) throw new UsageError(e.message);
      throw e;
    }
  }
  return { runs, unfinished };
}

/** A config field of a run, from its config line. */
function configField(run: SweepRun, path: string): unknown {
  let node: unknown = run.config;
  for (const key of path.split('.')) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

/** How to read a run's value on an axis: a config field, from its config line. */
function axisOf(runs: readonly SweepRun[], flag: 'x' | 'y', path: string): (run: SweepRun) => AxisValue {
  if (!isConfigPath(path)) {
    const gridKeys = [...new Set(runs.flatMap((r) => Object.keys(r.grid)))];
    // `sigmaW2` for model.init.sigmaW2: the leaf of a grid key first, then a near spelling of one, then of any field.
    const guess = [...gridKeys, ...CONFIG_PATHS].find((k) => k.endsWith(`.${path}`)) ?? closestMatch(path, gridKeys) ?? suggestPath(path);
    throw new UsageError(`--${flag} must be a config key.path (got ${JSON.stringify(shortText(path))}${guess ? `; did you mean ${guess}?` : ''}); the grid of these runs is over ${gridKeys.join(', ')}`);
  }
  return (run) => {
    const v = configField(run, path);
    if (typeof v !== 'number' && typeof v !== 'string') throw new UsageError(`${run.where}: the run's config has no ${path} to put on --${flag} (got ${JSON.stringify(v)})`);
    return v;
  };
}

/** The numeric summary fields these runs have (a field that is null in every run still counts: diverged runs). */
function valueFields(runs: readonly SweepRun[]): string[] {
  const fields = new Set<string>();
  for (const r of runs) for (const [k, v] of Object.entries(r.summary)) if (!NOT_VALUES.has(k) && (typeof v === 'number' || v === null)) fields.add(k);
  return [...fields];
}

/** ξ_c and 6ξ_c over σ_w² × depth, for what the theory describes: plain MLPs with the mean-field init. */
function theory(runs: readonly SweepRun[], x: string, y: string, d: PhaseDiagram): TheoryCurve[] {
  const why = (what: string): UsageError => new UsageError(`--theory draws ξ_c(σ_w²) and 6ξ_c(σ_w²) for plain MLPs with init meanfield: ${what}`);
  if (x !== 'model.init.sigmaW2' || y !== 'model.depth') throw why(`give --x model.init.sigmaW2 --y model.depth (got --x ${x} --y ${y})`);
  const need: [string, unknown][] = [['model.arch', 'mlp'], ['model.norm', 'none'], ['model.residual', 'none'], ['model.init.scheme', 'meanfield']];
  for (const [path, want] of need) {
    const other = runs.find((r) => configField(r, path) !== want);
    if (other) throw why(`${other.where} has ${path}=${String(configField(other, path))} (needs ${String(want)})`);
  }
  const kinds = new Set(runs.map((r) => JSON.stringify([configField(r, 'model.activation'), configField(r, 'model.init.sigmaB2')])));
  if (kinds.size > 1) throw why(`the runs mix activations or σ_b² (${[...kinds].join(', ')}); plot one [activation, σ_b²] at a time`);
  const activation = configField(runs[0]!, 'model.activation');
  const sigmaB2 = configField(runs[0]!, 'model.init.sigmaB2');
  if (!(ACTIVATIONS as readonly unknown[]).includes(activation) || typeof sigmaB2 !== 'number') throw why(`${runs[0]!.where} has no usable model.activation and model.init.sigmaB2`);
  const range = xDataRange(d);
  if (!range) throw why('the runs need at least two σ_w² values');
  return meanFieldCurves({ activation: activation as ActivationName, sigmaB2 }, range);
}

export async function plotCommand(files: readonly string[], flags: Map<string, string[]>): Promise<number> {
  if (files.length === 0) throw new UsageError('gradscope plot needs one or more sweep files: gradscope plot sweep.jsonl --x PATH --y PATH --value FIELD');
  const out = flagValue(flags, 'out', 'a file path ending in .svg or .png');
  if (out !== undefined && !/\.(svg|png)$/i.test(out)) throw new UsageError(`--out ${out}: the format comes from the extension: end it in .svg or .png`);
  checkOutputPaths([{ flag: '--out', path: out }]);
  const [x, y, value] = (['x', 'y', 'value'] as const).map((f) => {
    const v = flagValue(flags, f, f === 'value' ? 'a summary field' : 'a config key.path');
    if (v === undefined) throw new UsageError(`gradscope plot needs --${f} (e.g. --x model.init.sigmaW2 --y model.depth --value testAccuracy)`);
    return v.trim();
  }) as [string, string, string];
  const read = readRuns(files);
  const runs = read.runs.filter((r) => r.summary['interrupted'] !== true);
  if (runs.length === 0) throw new UsageError(`${files.join(', ')}: no finished runs to plot`);
  const xOf = axisOf(runs, 'x', x);
  const yOf = axisOf(runs, 'y', y);
  const fields = valueFields(runs);
  if (!fields.includes(value)) throw new UsageError(`--value ${shortText(value)}: the runs' summaries have no such number; they have ${fields.join(', ')}`);
  const points = runs.map((r) => {
    const v = r.summary[value];
    return { x: xOf(r), y: yOf(r), value: typeof v === 'number' ? v : null, diverged: r.summary['diverged'] !== null && r.summary['diverged'] !== undefined };
  });
  const d = phaseDiagram(points, { x, y, value });
  const scene = phaseScene(d, flags.has('theory') ? theory(runs, x, y, d) : []);
  const skipped = read.runs.length - runs.length + read.unfinished;
  const note = `${d.x.values.length} × ${d.y.values.length} cells from ${runs.length} runs (${points.filter((p) => p.diverged).length} diverged, ${d.cells.filter((c) => c.runs === 0).length} cells without a run${skipped ? `, ${skipped} unfinished runs left out` : ''})`;
  if (out === undefined) {
    process.stdout.write(sceneSvg(scene));
  } else {
    replaceFile(out, /\.png$/i.test(out) ? scenePng(scene) : sceneSvg(scene), '--out');
  }
  process.stderr.write(`${out ?? 'stdout'}: ${note}\n`);
  return 0;
}
