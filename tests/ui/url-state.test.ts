import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/model/config.ts';
import { parseHash, toHash } from '../../src/ui/state/url-state.ts';

describe('URL hash state', () => {
  it('reads settings, preset and play', () => {
    const { state, errors } = parseHash('#model.depth=200&model.activation=sigmoid&play=1');
    expect(errors).toEqual([]);
    expect(state.config.model.depth).toBe(200);
    expect(state.config.model.activation).toBe('sigmoid');
    expect(state.play).toBe(true);
  });

  it('reports a bad value by name and keeps every other setting', () => {
    const { state, errors } = parseHash('#model.depth=200&model.width=99999&model.activation=tanh');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/model\.width must be an integer from 1 to 4096 \(got 99999\)/);
    expect(state.config.model.depth).toBe(200);
    expect(state.config.model.activation).toBe('tanh');
    expect(state.config.model.width).toBe(defaultConfig().model.width);
  });

  it('reports an unknown key with a suggestion and an unknown preset', () => {
    expect(parseHash('#model.dpeth=3').errors[0]).toMatch(/did you mean model\.depth/);
    expect(parseHash('#preset=nope').errors[0]).toMatch(/unknown preset/);
  });

  it('applies a preset, then the pairs on top, and writes back a link that reproduces the state', () => {
    const { state } = parseHash('#preset=sigmoid-deep&train.lr=0.05');
    expect(state.preset).toBe('sigmoid-deep');
    expect(state.config.model.activation).toBe('sigmoid');
    expect(state.config.train.lr).toBe(0.05);
    const hash = toHash(state);
    expect(hash).toMatch(/^#preset=sigmoid-deep/);
    expect(parseHash(hash).state.config).toEqual(state.config);
  });

  it('round-trips arbitrary settings, and the defaults give an empty hash', () => {
    expect(toHash({ config: defaultConfig(), preset: null, play: false, compare: null })).toBe('');
    const { state } = parseHash('#seed=7&model.norm=layer&train.clip.mode=norm&train.clip.max=0.5&data.name=circles');
    expect(parseHash(toHash(state)).state.config).toEqual(state.config);
  });

  it('a comparison preset carries run B', () => {
    const { state } = parseHash('#preset=plain-vs-residual-100');
    expect(state.compare?.model.residual).toBe('identity');
    expect(state.config.model.residual).toBe('none');
  });
});
