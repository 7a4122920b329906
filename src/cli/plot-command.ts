/**
 * `gradscope plot FILE.jsonl [FILE2 …] --x PATH --y PATH --value FIELD [--out phase.svg|phase.png] [--theory]`: the
 * phase diagram of one or more sweep files (or their `cat`), coloured by a summary field, with ξ_c and 6ξ_c of the
 * mean-field theory over it on request.
 */
import { parseSweepLog, SweepLogError, type SweepRun } from '../io/sweep-log.ts';
import { plotSweep, type SweepPlot } from '../io/sweep-plot.ts';
import { sceneSvg } from '../stats/phase-diagram.ts';
import { UsageError } from './errors.ts';
import { checkOutputPaths, replaceFile } from './output-file.ts';
import { scenePng } from './png.ts';
import { flagValue, readUserFile } from './run-config.ts';

/** A sweep file is two lines a run: a million runs is under a gigabyte. */
const SWEEP_LIMIT = { bytes: 1 << 30, hint: 'a sweep file holds two lines a run: is it the right file?' };

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
  let plot: SweepPlot;
  try {
    plot = plotSweep(read.runs, { x, y, value, theory: flags.has('theory'), unfinished: read.unfinished });
  } catch (e) {
    if (e instanceof SweepLogError) throw new UsageError(e.message.startsWith('no finished runs') ? `${files.join(', ')}: ${e.message}` : e.message);
    throw e;
  }
  const { scene, note } = plot;
  if (out === undefined) {
    process.stdout.write(sceneSvg(scene));
  } else {
    replaceFile(out, /\.png$/i.test(out) ? scenePng(scene) : sceneSvg(scene), '--out');
  }
  process.stderr.write(`${out ?? 'stdout'}: ${note}\n`);
  return 0;
}
