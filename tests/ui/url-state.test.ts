import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/model/config.ts';
import { parseHash, toHash } from '../../src/ui/state/url-state.ts';
import { applyAssignments } from '../../src/model/set-path.ts';
import { FIELD_GROUPS } from '../../src/ui/gs-controls/fields.ts';

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
    expect(errors[0]!.text).toMatch(/model\.width must be an integer from 1 to 4096 \(got 99999\)/);
    expect(state.config.model.depth).toBe(200);
    expect(state.config.model.activation).toBe('tanh');
    expect(state.config.model.width).toBe(defaultConfig().model.width);
  });

  it('reports an unknown key with a suggestion and an unknown preset', () => {
    expect(parseHash('#model.dpeth=3').errors[0]!.text).toMatch(/did you mean model\.depth/);
    expect(parseHash('#preset=nope').errors[0]!.text).toMatch(/unknown preset/);
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

  it('round-trips a ResNet whose fields equal the MLP defaults but not its own, in any pair order', () => {
    const resnet = applyAssignments(defaultConfig(), ['model.arch=resnet', 'model.norm=none', 'model.width=64', 'train.lr=0.01', 'train.optimizer=sgd', 'data.name=mnist']);
    const hash = toHash({ config: resnet, preset: null, play: false, compare: null });
    expect(hash).toContain('model.norm=none');
    expect(hash).toContain('train.lr=0.01');
    expect(parseHash(hash).state.config).toEqual(resnet);
    // An edited link may name the data before the architecture: the switch still does not undo it.
    expect(parseHash('#data.name=mnist&model.arch=resnet').state.config.data.name).toBe('mnist');
    // The ResNet's own defaults give a hash of one pair.
    expect(toHash({ config: applyAssignments(defaultConfig(), ['model.arch=resnet']), preset: null, play: false, compare: null })).toBe('#model.arch=resnet');
  });

  it('an rnn link loads and round-trips, train.bptt included', () => {
    const { state, errors } = parseHash('#model.arch=rnn&model.cell=rnn&model.activation=relu&model.init.scheme=identity&train.bptt=20');
    expect(errors).toEqual([]);
    expect(state.config.model).toMatchObject({ arch: 'rnn', cell: 'rnn', activation: 'relu', depth: 1, init: { scheme: 'identity' } });
    expect(state.config.train).toMatchObject({ optimizer: 'adam', bptt: 20 });
    const hash = toHash(state);
    expect(hash).toBe('#model.arch=rnn&model.cell=rnn&model.activation=relu&model.init.scheme=identity&train.bptt=20');
    expect(parseHash(hash).state.config).toEqual(state.config);
    expect(parseHash('#model.arch=rnn&train.bptt=20&train.bptt=null').state.config.train.bptt).toBeNull();
    // Named before the architecture, an rnn-only field still applies: the switch goes first.
    expect(parseHash('#train.bptt=5&model.arch=rnn').state.config.train.bptt).toBe(5);
    const bad = parseHash('#model.arch=rnn&model.depth=9&train.bptt=20');
    expect(bad.errors.map((e) => e.field)).toEqual(['model.depth']);
    expect(bad.state.config.train.bptt).toBe(20);
    const widget = (path: string) => FIELD_GROUPS.flatMap((g) => g.fields).find((f) => f.path === path)!.widget;
    expect(widget('model.arch')).toEqual({ kind: 'select', options: ['mlp', 'resnet', 'rnn'] });
    // The first Init entry is the feed-forward nets': IRNN's identity is offered only under rnn (tests/ui/rnn-controls.test.ts).
    expect(widget('model.init.scheme')).toEqual({ kind: 'select', options: ['xavier', 'xavier_uniform', 'he', 'he_uniform', 'lecun', 'orthogonal', 'pytorch', 'meanfield'] });
  });

  it('a comparison preset carries run B', () => {
    const { state } = parseHash('#preset=plain-vs-residual-100');
    expect(state.compare?.model.residual).toBe('identity');
    expect(state.config.model.residual).toBe('none');
  });

  it('run B travels in the link as b. pairs over run A, with or without a preset', () => {
    const lesson = parseHash('#preset=plain-vs-residual-100&model.depth=12').state;
    const hash = toHash(lesson);
    expect(hash).toContain('b.model.residual=identity');
    expect(parseHash(hash).state.compare).toEqual(lesson.compare);

    // A comparison no preset made (the diagnosis's fix) survives a shared link too.
    const fixed = { config: parseHash('#model.depth=30&model.activation=sigmoid').state.config, preset: null, play: false, compare: null };
    const withB = { ...fixed, compare: { ...fixed.config, model: { ...fixed.config.model, norm: 'batch' as const } } };
    const link = toHash(withB);
    expect(link).toBe('#model.depth=30&model.activation=sigmoid&b.model.norm=batch');
    expect(parseHash(link).state).toEqual(withB);

    // Stop comparing on a comparing lesson: compare=0 keeps run B off.
    const alone = { ...lesson, compare: null };
    expect(toHash(alone)).toContain('compare=0');
    expect(parseHash(toHash(alone)).state.compare).toBeNull();

    // A bad B pair names itself and leaves run A and the other pairs alone.
    const bad = parseHash('#model.depth=12&b.model.width=0&b.model.norm=layer');
    expect(bad.errors.map((e) => e.field)).toEqual(['b.model.width']);
    expect(bad.errors[0]!.text).toMatch(/^run B: model\.width must be/);
    expect(bad.state.config.model.depth).toBe(12);
    expect(bad.state.compare?.model).toMatchObject({ depth: 12, norm: 'layer' });
    expect(parseHash('#compare=maybe').errors.map((e) => e.field)).toEqual(['compare']);
  });

  it('present=1 opens the presenter view and survives the round trip', () => {
    const { state, errors } = parseHash('#preset=dying-relu&present=1');
    expect(errors).toEqual([]);
    expect(state.present).toBe(true);
    expect(toHash(state)).toBe('#preset=dying-relu&present=1');
    expect(parseHash('#preset=dying-relu').state.present).toBeUndefined();
  });

  it('a malformed %-escape is a bad pair like any other: a message naming it, and every other pair applies', () => {
    for (const bad of ['%', '%zz', '%E0%A4%A', '%FF']) {
      const { state, errors } = parseHash(`#model.width=12&model.depth=${bad}&model.activation=tanh`);
      expect(errors.map((e) => e.field)).toEqual(['model.depth']);
      expect(errors[0]!.text).toContain(`model.depth=${bad}`);
      expect(errors[0]!.text).toMatch(/%25/);
      expect(state.config.model.width).toBe(12);
      expect(state.config.model.activation).toBe('tanh');
    }
    const preset = parseHash('#preset=relu-he%&model.width=12');
    expect(preset.errors.map((e) => e.field)).toEqual(['preset']);
    expect(preset.state.preset).toBe(null);
    expect(preset.state.config.model.width).toBe(12);
    expect(parseHash('#%zz=3&model.width=12').state.config.model.width).toBe(12);
  });

  it('messages name the field they are about, one per field', () => {
    const { errors } = parseHash('#model.width=99999&model.width=0&nope=1');
    expect(errors.map((e) => e.field)).toEqual(['model.width', 'model.width', 'nope']);
  });

  it('a CSV run is written and read as data.name=csv with data.path naming the file', () => {
    const { state, errors } = parseHash('#data.name=csv&data.path=points.csv&model.depth=3');
    expect(errors).toEqual([]);
    expect(state.config.data).toMatchObject({ name: 'csv', path: 'points.csv' });
    expect(parseHash(toHash(state)).state.config).toEqual(state.config);
  });
});
