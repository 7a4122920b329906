import type { RunConfig } from '../../model/config.ts';
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
 * Leaving the csv data set clears data.path, which must be null for every other set (in the page cifar10's is
 * null too: its files are picked, not named); leaving cifar10 turns data.augment off, which only cifar10 takes.
 */
function switching(c: RunConfig, assignments: readonly string[]): readonly string[] {
  const name = assignments.find((a) => a.startsWith('data.name='));
  const sets = (path: string) => assignments.some((a) => a.startsWith(`${path}=`));
  const out = [...assignments];
  if (name && name !== 'data.name=csv' && !sets('data.path') && c.data.path !== null) out.unshift('data.path=null');
  if (name && name !== 'data.name=cifar10' && !sets('data.augment') && c.data.augment !== 'none') out.unshift('data.augment=none');
  return out;
}
