import type { RunConfig } from '../../model/config.ts';
import { applyAssignments } from '../../model/set-path.ts';
import { HOT_FIELDS } from '../gs-controls/fields.ts';
import type { PageState } from './url-state.ts';

export type EditResult =
  | { ok: true; state: PageState; rebuild: boolean }
  | { ok: false; error: string };

/**
 * Apply one `path=value` edit to the page state (both runs when comparing). A bad value is refused with
 * the validator's one-line message and the state is left as it was. Learning rate, momentum, weight decay
 * and the clip threshold change in place; anything else rebuilds the network.
 */
export function applyEdit(state: PageState, path: string, value: string): EditResult {
  const assignment = `${path}=${value}`;
  try {
    const config = applyAssignments(state.config, switching(state.config, path, value, assignment));
    const compare = state.compare ? applyAssignments(state.compare, switching(state.compare, path, value, assignment)) : null;
    return { ok: true, state: { ...state, config, compare }, rebuild: !HOT_FIELDS.has(path) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Leaving the csv data set clears data.path, which must be null for every other set. */
function switching(c: RunConfig, path: string, value: string, assignment: string): string[] {
  if (path === 'data.name' && value !== 'csv' && c.data.path !== null) return ['data.path=null', assignment];
  return [assignment];
}
