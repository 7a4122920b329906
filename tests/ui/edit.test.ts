import { describe, expect, it } from 'vitest';
import { defaultConfig, resolveConfig } from '../../src/model/config.ts';
import { applyEdit, applyEdits } from '../../src/ui/state/edit.ts';

const state = { config: defaultConfig(), preset: null, play: false, compare: null };

describe('editing the run from the page', () => {
  it('rebuilds for structural fields, not for the learning rate', () => {
    const depth = applyEdit(state, 'model.depth', '300');
    expect(depth.ok && depth.rebuild && depth.state.config.model.depth).toBe(300);
    const lr = applyEdit(state, 'train.lr', '0.1');
    expect(lr.ok && !lr.rebuild && lr.state.config.train.lr).toBe(0.1);
  });
  it('refuses a bad value with the field named and keeps the state', () => {
    const r = applyEdit(state, 'model.depth', '20000');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.text).toMatch(/model\.depth must be an integer from 1 to 10000 \(got 20000\)/);
  });
  it('applies an edit to both runs of a comparison', () => {
    const compare = resolveConfig({ model: { residual: 'identity' } });
    const r = applyEdit({ ...state, compare }, 'model.depth', '50');
    expect(r.ok && r.state.compare?.model.depth).toBe(50);
    expect(r.ok && r.state.compare?.model.residual).toBe('identity');
  });
  it('an upload sets data.name and data.path together (either alone is refused), and leaving csv clears the path', () => {
    expect(applyEdit(state, 'data.name', 'csv').ok).toBe(false);
    const r = applyEdits(state, ['data.name=csv', 'data.path=points.csv']);
    expect(r.ok && r.rebuild && r.state.config.data).toMatchObject({ name: 'csv', path: 'points.csv' });
    const back = r.ok ? applyEdit(r.state, 'data.name', 'circles') : r;
    expect(back.ok && back.state.config.data).toMatchObject({ name: 'circles', path: null });
  });
});
