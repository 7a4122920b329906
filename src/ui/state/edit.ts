import { ARCHS, defaultConfig, type RunConfig } from '../../model/config.ts';
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
 * The fields an edit must take along so the result is valid (a switch of architecture resets what only one
 * architecture or data set takes by itself: see applyAssignments). Leaving the csv data set clears data.path, which
 * must be null for every other set (in the page cifar10's is null too: its files are picked, not named); leaving
 * cifar10 turns data.augment off, which only cifar10 takes. Within rnn the recurrent fields follow the cell: a
 * forget-gate bias only for an LSTM, identity init (IRNN) only for the plain cell, whose nonlinearity is tanh or
 * relu. Off rnn, model.cell stays at its default, so a link of another architecture does not carry it.
 */
function switching(c: RunConfig, assignments: readonly string[]): readonly string[] {
  const value = (path: string) => assignments.filter((a) => a.startsWith(`${path}=`)).at(-1)?.slice(path.length + 1);
  const out: string[] = [];
  const unless = (path: string, needed: boolean, assignment: string) => {
    if (needed && value(path) === undefined) out.push(assignment);
  };
  const name = value('data.name');
  unless('data.path', name !== undefined && name !== 'csv' && c.data.path !== null, 'data.path=null');
  unless('data.augment', name !== undefined && name !== 'cifar10' && c.data.augment !== 'none', 'data.augment=none');
  const arch = value('model.arch') ?? c.model.arch;
  if (arch === 'rnn' && c.model.arch === 'rnn') {
    const cell = value('model.cell') ?? c.model.cell;
    unless('model.init.forgetBias', cell !== 'lstm' && c.model.init.forgetBias !== 0, 'model.init.forgetBias=0');
    unless('model.init.scheme', cell !== 'rnn' && c.model.init.scheme === 'identity', 'model.init.scheme=pytorch');
    unless('model.activation', cell === 'rnn' && !['tanh', 'relu'].includes(c.model.activation), 'model.activation=tanh');
  } else if ((ARCHS as readonly string[]).includes(arch) && arch !== 'rnn') {
    const cell = defaultConfig().model.cell;
    unless('model.cell', c.model.cell !== cell, `model.cell=${cell}`);
  }
  return [...out, ...assignments];
}
