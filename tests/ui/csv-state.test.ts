import { describe, expect, it } from 'vitest';
import { withCsv } from '../../src/ui/state/csv-state.ts';
import { parseHash } from '../../src/ui/state/url-state.ts';

describe('a link to a CSV run', () => {
  const link = parseHash('#data.name=csv&data.path=points.csv&model.depth=3').state;

  it('runs as is when the page holds that file', () => {
    expect(withCsv(link, 'points.csv')).toEqual({ state: link, note: null });
  });

  it('without the file: says which file to upload, keeps every other setting, and uses the default data', () => {
    for (const held of [null, 'other.csv']) {
      const { state, note } = withCsv(link, held);
      expect(note?.field).toBe('data.path');
      expect(note?.text).toMatch(/points\.csv.*not in this page.*Upload points\.csv/);
      expect(state.config.data).toMatchObject({ name: 'spiral', path: null });
      expect(state.config.model.depth).toBe(3);
    }
  });

  it('leaves runs on other data alone', () => {
    const s = parseHash('#model.depth=3').state;
    expect(withCsv(s, null)).toEqual({ state: s, note: null });
  });
});
