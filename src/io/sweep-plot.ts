/**
 * A sweep's phase diagram, from its runs to a scene (src/stats/phase-diagram.ts) that the CLI writes as SVG or PNG
 * and the page shows: the axes are config key.paths read from each run's config line, the colour a numeric summary
 * field, and on request mean-field theory's ξ_c and 6ξ_c over a σ_w² × depth diagram of plain MLPs. Pure; a bad
 * request throws a SweepLogError that names the flag or run and what would do.
 */
import { closestMatch, shortText } from '../model/config-error.ts';
import { ACTIVATIONS, CONFIG_PATHS, isConfigPath, suggestPath } from '../model/config-schema.ts';
import type { ActivationName } from '../model/config-types.ts';
import { meanFieldCurves, phaseDiagram, phaseScene, xDataRange, type AxisValue, type PhaseDiagram, type Scene, type TheoryCurve } from '../stats/phase-diagram.ts';
import { SweepLogError, type SweepRun } from './sweep-log.ts';

/** Summary fields that are not a number to plot. */
const NOT_VALUES = new Set(['diverged', 'diagnosis', 'interrupted']);

/** A config field of a run, from its config line. */
export function configField(run: SweepRun, path: string): unknown {
  let node: unknown = run.config;
  for (const key of path.split('.')) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

/** How to read a run's value on an axis: a config field, from its config line. */
function axisOf(runs: readonly SweepRun[], flag: 'x' | 'y', path: string): (run: SweepRun) => AxisValue {
  if (!isConfigPath(path)) {
    const gridKeys = gridPaths(runs);
    // `sigmaW2` for model.init.sigmaW2: the leaf of a grid key first, then a near spelling of one, then of any field.
    const guess = [...gridKeys, ...CONFIG_PATHS].find((k) => k.endsWith(`.${path}`)) ?? closestMatch(path, gridKeys) ?? suggestPath(path);
    throw new SweepLogError(`--${flag} must be a config key.path (got ${JSON.stringify(shortText(path))}${guess ? `; did you mean ${guess}?` : ''}); the grid of these runs is over ${gridKeys.join(', ')}`);
  }
  return (run) => {
    const v = configField(run, path);
    if (typeof v !== 'number' && typeof v !== 'string') throw new SweepLogError(`${run.where}: the run's config has no ${path} to put on --${flag} (got ${JSON.stringify(v)})`);
    return v;
  };
}

/** The key.paths the runs' grids are over, in the order they first appear. */
export function gridPaths(runs: readonly SweepRun[]): string[] {
  return [...new Set(runs.flatMap((r) => Object.keys(r.grid)))];
}

/** The numeric summary fields these runs have (a field that is null in every run still counts: diverged runs). */
export function valueFields(runs: readonly SweepRun[]): string[] {
  const fields = new Set<string>();
  for (const r of runs) for (const [k, v] of Object.entries(r.summary)) if (!NOT_VALUES.has(k) && (typeof v === 'number' || v === null)) fields.add(k);
  return [...fields];
}

/** Why the theory does not apply to these runs on these axes, or null when it does. */
export function theoryRefusal(runs: readonly SweepRun[], x: string, y: string): string | null {
  if (x !== 'model.init.sigmaW2' || y !== 'model.depth') return `give --x model.init.sigmaW2 --y model.depth (got --x ${x} --y ${y})`;
  const need: [string, unknown][] = [['model.arch', 'mlp'], ['model.norm', 'none'], ['model.residual', 'none'], ['model.init.scheme', 'meanfield']];
  for (const [path, want] of need) {
    const other = runs.find((r) => configField(r, path) !== want);
    if (other) return `${other.where} has ${path}=${String(configField(other, path))} (needs ${String(want)})`;
  }
  const kinds = new Set(runs.map((r) => JSON.stringify([configField(r, 'model.activation'), configField(r, 'model.init.sigmaB2')])));
  if (kinds.size > 1) return `the runs mix activations or σ_b² (${[...kinds].join(', ')}); plot one [activation, σ_b²] at a time`;
  if (!(ACTIVATIONS as readonly unknown[]).includes(configField(runs[0]!, 'model.activation')) || typeof configField(runs[0]!, 'model.init.sigmaB2') !== 'number') {
    return `${runs[0]!.where} has no usable model.activation and model.init.sigmaB2`;
  }
  return null;
}

/** ξ_c and 6ξ_c over σ_w² × depth, for what the theory describes: plain MLPs with the mean-field init. */
function theory(runs: readonly SweepRun[], x: string, y: string, d: PhaseDiagram): TheoryCurve[] {
  const why = (what: string): SweepLogError => new SweepLogError(`--theory draws ξ_c(σ_w²) and 6ξ_c(σ_w²) for plain MLPs with init meanfield: ${what}`);
  const refusal = theoryRefusal(runs, x, y);
  if (refusal) throw why(refusal);
  const range = xDataRange(d);
  if (!range) throw why('the runs need at least two σ_w² values');
  const activation = configField(runs[0]!, 'model.activation') as ActivationName;
  return meanFieldCurves({ activation, sigmaB2: configField(runs[0]!, 'model.init.sigmaB2') as number }, range);
}

export interface SweepPlot {
  scene: Scene;
  diagram: PhaseDiagram;
  /** `10 × 13 cells from 130 runs (4 diverged, 0 cells without a run)`. */
  note: string;
}

/** The phase diagram of finished runs (interrupted ones are left out and counted in the note). */
export function plotSweep(all: readonly SweepRun[], opts: { x: string; y: string; value: string; theory: boolean; unfinished?: number }): SweepPlot {
  const runs = all.filter((r) => r.summary['interrupted'] !== true);
  if (runs.length === 0) throw new SweepLogError('no finished runs to plot');
  const xOf = axisOf(runs, 'x', opts.x);
  const yOf = axisOf(runs, 'y', opts.y);
  const fields = valueFields(runs);
  if (!fields.includes(opts.value)) throw new SweepLogError(`--value ${shortText(opts.value)}: the runs' summaries have no such number; they have ${fields.join(', ')}`);
  const points = runs.map((r) => {
    const v = r.summary[opts.value];
    return { x: xOf(r), y: yOf(r), value: typeof v === 'number' ? v : null, diverged: r.summary['diverged'] !== null && r.summary['diverged'] !== undefined };
  });
  const diagram = phaseDiagram(points, { x: opts.x, y: opts.y, value: opts.value });
  const scene = phaseScene(diagram, opts.theory ? theory(runs, opts.x, opts.y, diagram) : []);
  const skipped = all.length - runs.length + (opts.unfinished ?? 0);
  const note = `${diagram.x.values.length} × ${diagram.y.values.length} cells from ${runs.length} runs (${points.filter((p) => p.diverged).length} diverged, ${diagram.cells.filter((c) => c.runs === 0).length} cells without a run${skipped ? `, ${skipped} unfinished runs left out` : ''})`;
  return { scene, diagram, note };
}
