import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/model/config-error.ts';
import { addNotes, dropNote, noteFor, shownNotes } from '../../src/ui/state/notes.ts';

describe('page messages', () => {
  it('one per field: a newer message for a field replaces the older and moves to the end', () => {
    let list = addNotes([], [{ field: 'model.width', text: 'w1' }, { field: 'model.depth', text: 'd1' }]);
    list = addNotes(list, [{ field: 'model.width', text: 'w2' }]);
    expect(list).toEqual([{ field: 'model.depth', text: 'd1' }, { field: 'model.width', text: 'w2' }]);
    expect(dropNote(list, 'model.depth').map((n) => n.field)).toEqual(['model.width']);
  });

  it('1,000 edits of the same field leave one message', () => {
    let list = addNotes([], []);
    for (let i = 0; i < 1000; i++) list = addNotes(list, [{ field: 'model.depth', text: `refused ${i}` }]);
    expect(list).toEqual([{ field: 'model.depth', text: 'refused 999' }]);
  });

  it('10,000 messages show the newest few and count the rest', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ field: `x${i}`, text: `unknown field x${i}` }));
    const { shown, more } = shownNotes(addNotes([], many));
    expect(shown.map((n) => n.field)).toEqual(['x9996', 'x9997', 'x9998', 'x9999']);
    expect(more).toBe(9996);
  });

  it('an error names its field when it is a ConfigError', () => {
    expect(noteFor(new ConfigError('model.depth', 0, 'x', 'model.depth must be …'), 'build')).toEqual({ field: 'model.depth', text: 'model.depth must be …' });
    expect(noteFor(new Error('too big'), 'build').field).toBe('build');
  });
});
