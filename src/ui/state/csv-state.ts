import { defaultConfig, type RunConfig } from '../../model/config.ts';
import type { Note } from './notes.ts';
import type { PageState } from './url-state.ts';

/**
 * A link can name a CSV run (`data.name=csv&data.path=points.csv`) but cannot carry the file. When the
 * page holds no upload of that name, the run falls back to the default data set and a message says which
 * file to upload; every other setting of the link is kept.
 */
export function withCsv(state: PageState, loaded: string | null): { state: PageState; note: Note | null } {
  const path = state.config.data.name === 'csv' ? state.config.data.path : null;
  if (path === null || path === loaded) return { state, note: null };
  const fallback = defaultConfig().data;
  const swap = (c: RunConfig): RunConfig => (c.data.name === 'csv' ? { ...c, data: { ...c.data, name: fallback.name, path: null } } : c);
  const text =
    `data.path=${path}: this link trains on a CSV file that is not in this page (a link cannot carry data). ` +
    `Upload ${path} under "Your own CSV" to train on it; until then the run uses ${fallback.name}.`;
  return { state: { ...state, config: swap(state.config), compare: state.compare && swap(state.compare) }, note: { field: 'data.path', text } };
}
