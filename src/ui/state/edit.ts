import { ARCHS, archDefaults, defaultConfig, type ArchName, type RunConfig } from '../../model/config.ts';
import { applyAssignments } from '../../model/set-path.ts';
import { HOT_FIELDS } from '../gs-controls/fields.ts';
import { noteFor, type Note } from './notes.ts';
import type { PageState } from './url-state.ts';

export type EditResult =
  | { ok: true; state: PageState; rebuild: boolean }
  | { ok: false; error: Note };

/**
 * Apply `path=value` edits to the page state at once (both runs when comparing), so fields that only
 * make sense together (data.name=csv with data.path) can change together. A bad value is refused with
 * the validator's one-line message and the state is left as it was. Learning rate, momentum, weight
 * decay and the clip threshold change in place; anything else rebuilds the network.
 */
export function applyEdits(state: PageState, assignments: readonly string[]): EditResult {
  const paths = assignments.map((a) => a.slice(0, Math.max(0, a.indexOf('='))));
  try {
    const config = applyAssignments(state.config, switching(state.config, assignments));
    const compare = state.compare ? applyAssignments(state.compare, switching(state.compare, assignments)) : null;
    return { ok: true, state: { ...state, config, compare }, rebuild: paths.some((p) => !HOT_FIELDS.has(p)) };
  } catch (e) {
    return { ok: false, error: noteFor(e, paths[0] ?? 'edit') };
  }
}

/** One `path=value` edit. */
export function applyEdit(state: PageState, path: string, value: string): EditResult {
  return applyEdits(state, [`${path}=${value}`]);
}

/**
 * The fields an edit must take along so the result is valid: leaving the csv data set clears data.path, which must
 * be null for every other set (in the page cifar10's is null too: its files are picked, not named); leaving cifar10
 * turns data.augment off, which only cifar10 takes. A switch of architecture brings its own data set, so it leaves
 * them as well. The recurrent fields follow the cell: a forget-gate bias only for an LSTM, identity init (IRNN) only
 * for the plain cell, whose nonlinearity is tanh or relu; leaving rnn returns its own fields to their defaults.
 */
function switching(c: RunConfig, assignments: readonly string[]): readonly string[] {
  const value = (path: string) => assignments.filter((a) => a.startsWith(`${path}=`)).at(-1)?.slice(path.length + 1);
  const sets = (path: string) => value(path) !== undefined;
  const arch = value('model.arch') ?? c.model.arch;
  const known = (ARCHS as readonly string[]).includes(arch);
  const switched = known && arch !== c.model.arch;
  const name = value('data.name') ?? (switched ? archDefaults(arch as ArchName)['data.name'] : undefined);
  const out: string[] = [];
  const unless = (path: string, needed: boolean, assignment: string) => {
    if (needed && !sets(path)) out.push(assignment);
  };
  unless('data.path', name !== undefined && name !== 'csv' && c.data.path !== null, 'data.path=null');
  unless('data.augment', name !== undefined && name !== 'cifar10' && c.data.augment !== 'none', 'data.augment=none');
  const cell = value('model.cell') ?? c.model.cell;
  const lstm = arch === 'rnn' && cell === 'lstm';
  unless('model.init.forgetBias', !lstm && c.model.init.forgetBias !== 0, 'model.init.forgetBias=0');
  if (arch === 'rnn' && !switched) {
    unless('model.init.scheme', cell !== 'rnn' && c.model.init.scheme === 'identity', 'model.init.scheme=pytorch');
    unless('model.activation', cell === 'rnn' && !['tanh', 'relu'].includes(c.model.activation), 'model.activation=tanh');
  }
  if (known && arch !== 'rnn') {
    const d = defaultConfig();
    unless('train.bptt', c.train.bptt !== null, 'train.bptt=null');
    unless('model.cell', c.model.cell !== d.model.cell, `model.cell=${d.model.cell}`);
  }
  return [...out, ...assignments];
}
