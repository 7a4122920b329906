import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, resolveConfig } from '../../src/model/config.ts';
import type { RunConfig } from '../../src/model/config.ts';
import { applyAssignments, applySet, CONFIG_PATHS, getField, toAssignments } from '../../src/model/set-path.ts';

function setError(assignment: string, config: RunConfig = defaultConfig()): string {
  try {
    applySet(config, assignment);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`applySet accepted ${assignment}`);
}

describe('applySet', () => {
  it('parses the value by the field’s type', () => {
    const base = defaultConfig();
    expect(applySet(base, 'model.depth=300').model.depth).toBe(300);
    expect(applySet(base, 'train.lr=1e-3').train.lr).toBe(0.001);
    expect(applySet(base, 'model.activation=sigmoid').model.activation).toBe('sigmoid');
    expect(applySet(base, 'train.clip.mode=norm').train.clip.mode).toBe('norm');
    expect(applySet(base, ' seed = 42 ').seed).toBe(42);
    expect(applySet(base, 'model.activation="tanh"').model.activation).toBe('tanh');
    expect(applySet(base, 'data.path=null').data.path).toBeNull();
    // train.bptt is an integer or null.
    const truncated = applyAssignments(base, ['model.arch=rnn', 'train.bptt=20']);
    expect(truncated.train.bptt).toBe(20);
    expect(applySet(truncated, 'train.bptt=null').train.bptt).toBeNull();
  });

  it('switching architecture resets the fields only the old one (or its data) accepted, unless named', () => {
    const lstm = applyAssignments(defaultConfig(), ['model.arch=rnn', 'train.bptt=20', 'model.init.forgetBias=1']);
    const mlp = applySet(lstm, 'model.arch=mlp');
    expect([mlp.train.bptt, mlp.model.init.forgetBias, mlp.data.name]).toEqual([null, 0, 'spiral']);
    const cifar = resolveConfig({ model: { arch: 'resnet' }, data: { name: 'cifar10', path: '/data/cifar', augment: 'crop-flip' } });
    const rnn = applySet(cifar, 'model.arch=rnn');
    expect([rnn.data.name, rnn.data.path, rnn.data.augment]).toEqual(['adding', null, 'none']);
    expect(applyAssignments(lstm, ['model.arch=resnet', 'data.name=cifar10', 'data.path=/c']).data.path).toBe('/c');
  });

  it('never mutates the config it is given', () => {
    const base = defaultConfig();
    const next = applySet(base, 'model.init.gain=2');
    expect(base).toEqual(defaultConfig());
    expect(next.model.init.gain).toBe(2);
    expect(next.model).not.toBe(base.model);
  });

  it('rejects malformed assignments', () => {
    expect(setError('model.depth')).toBe('model.depth has no value: write model.depth=VALUE');
    expect(setError('=3')).toBe('"=3" names no field: write key.path=VALUE, e.g. model.depth=300');
    expect(setError('model.dpeth=3')).toBe('unknown field model.dpeth (did you mean model.depth?)');
    expect(setError('depth=3')).toBe('unknown field depth (did you mean model.depth?)');
    expect(setError('lr=0.1')).toBe('unknown field lr (did you mean train.lr?)');
    expect(setError('train.clip=norm')).toBe('train.clip is a group of fields, not one: set one of train.clip.mode, train.clip.max');
  });

  it('rejects values the field does not allow, with the resolveConfig message', () => {
    expect(setError('model.depth=deep')).toBe('model.depth must be a number (got "deep")');
    expect(setError('model.depth=')).toBe('model.depth must be a number (got "")');
    expect(setError('model.width=10000')).toBe('model.width must be an integer from 1 to 4096 (got 10000)');
    expect(setError('model.depth=3.5')).toBe('model.depth must be an integer from 1 to 10000 (got 3.5)');
    expect(setError('model.activation=swish')).toBe('model.activation must be one of linear, sigmoid, tanh, relu, leaky_relu, gelu (got "swish")');
    expect(setError('data.path=points.csv')).toBe('data.path must be null unless data.name is csv or cifar10 (got "points.csv"; data.name is spiral)');
  });

  it('checks pairs given together once, in any order', () => {
    const config = applyAssignments(defaultConfig(), ['data.path=points.csv', 'data.name=csv']);
    expect(config.data).toMatchObject({ name: 'csv', path: 'points.csv' });
    expect(setError('data.name=csv')).toBe('data.path must be a file path when data.name is csv (got null)');
  });
});

describe('toAssignments', () => {
  it('is empty for the defaults and lists changed fields in CONFIG_PATHS order', () => {
    expect(toAssignments(defaultConfig())).toEqual([]);
    const config = resolveConfig({ train: { lr: 0.1 }, model: { activation: 'gelu', init: { scheme: 'orthogonal' } }, seed: 3 });
    expect(toAssignments(config)).toEqual(['seed=3', 'model.activation=gelu', 'model.init.scheme=orthogonal', 'train.lr=0.1']);
  });

  it('round-trips through applyAssignments', () => {
    const configs = [
      resolveConfig({ seed: 4294967295, data: { name: 'csv', path: 'my data.csv', noise: 0.3 }, model: { depth: 7, residual: 'rezero' } }),
      resolveConfig({ train: { lr: 1 / 3, momentum: 0.95, clip: { mode: 'value', max: 0.25 } }, log: { every: 10 } }),
      resolveConfig({ model: { init: { scheme: 'meanfield', sigmaW2: 1.7, sigmaB2: 0.05 } } }),
      resolveConfig({ data: { name: 'order', length: 200, samples: 500 } }),
      resolveConfig({ model: { arch: 'rnn', cell: 'gru', width: 32, init: { scheme: 'orthogonal' } }, data: { name: 'order' }, train: { bptt: 10, clip: { mode: 'none' } } }),
      resolveConfig({ model: { arch: 'rnn', init: { forgetBias: 1 } }, train: { lr: 0.01 } }),
    ];
    for (const config of configs) {
      expect(applyAssignments(defaultConfig(), toAssignments(config))).toEqual(config);
    }
  });
});

describe('CONFIG_PATHS', () => {
  it('names every leaf, each readable with getField', () => {
    expect(CONFIG_PATHS).toContain('train.clip.max');
    expect(CONFIG_PATHS).toEqual(expect.arrayContaining(['model.cell', 'model.init.forgetBias', 'train.bptt']));
    expect(CONFIG_PATHS).toHaveLength(30);
    for (const path of CONFIG_PATHS) expect(getField(defaultConfig(), path)).not.toBeUndefined();
  });
});
