/**
 * The page's messages. Each belongs to a field (`model.depth`, or a topic such as `build` or `device`):
 * a new message for a field replaces the old one and moves to the end, so a field never shows twice
 * however often it is edited, and only the newest few are shown, with a count of the rest.
 */
export interface Note {
  /** The field or topic the message is about; one message per field. */
  field: string;
  text: string;
}

/** Banners shown at once; the rest are counted ("and N more"). */
export const MAX_SHOWN = 4;

/** `list` with `notes` added, newest last: one entry per field, the newest text for it. */
export function addNotes(list: readonly Note[], notes: readonly Note[]): Note[] {
  if (notes.length === 0) return list as Note[];
  const byField = new Map(list.map((n) => [n.field, n]));
  for (const n of notes) {
    byField.delete(n.field);
    byField.set(n.field, n);
  }
  return [...byField.values()];
}

export function dropNote(list: readonly Note[], field: string): Note[] {
  return list.filter((n) => n.field !== field);
}

/** The newest `max` messages, oldest of them first, and how many older ones are not shown. */
export function shownNotes(list: readonly Note[], max = MAX_SHOWN): { shown: Note[]; more: number } {
  const more = Math.max(0, list.length - max);
  return { shown: list.slice(more), more };
}

/** The field an error is about: a ConfigError's path, else `fallback`. */
export function noteFor(e: unknown, fallback: string): Note {
  const path = typeof e === 'object' && e !== null && 'path' in e && typeof e.path === 'string' && e.path ? e.path : fallback;
  return { field: path, text: e instanceof Error ? e.message : String(e) };
}
