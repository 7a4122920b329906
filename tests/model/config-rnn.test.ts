/** The RunConfig of model.arch=rnn (DESIGN.md, "rnn"): its fields, its defaults, and what it refuses. */
import { describe, expect, it } from 'vitest';
import { ARCH_DEFAULTS, archDefaults, ConfigError, defaultConfig, resolveConfig, RNN_CELLS, RNN_DATA, type RunConfig } from '../../src/model/config.ts';
import { applyAssignments, applySet, getField, toAssignments, type ConfigPath } from '../../src/model/set-path.ts';

function errorOf(input: unknown): ConfigError {
  try {
    resolveConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`resolveConfig accepted ${JSON.stringify(input)}`);
}

const rnn = (model: object = {}, rest: object = {}) => ({ ...rest, model: { arch: 'rnn', ...model } });

describe('model.arch=rnn defaults', () => {
  it('is one LSTM layer of 64 units on adding, trained with adam at 0.001, batches of 32, norm clipping at 1, full BPTT', () => {
    const want: RunConfig = defaultConfig();
    want.data.name = 'adding';
    want.model = { ...want.model, arch: 'rnn', cell: 'lstm', depth: 1, width: 64, activation: 'tanh', norm: 'none', residual: 'none' };
    want.model.init = { ...want.model.init, scheme: 'pytorch', forgetBias: 0 };
    want.train = { ...want.train, optimizer: 'adam', lr: 0.001, batchSize: 32, clip: { mode: 'norm', max: 1 }, bptt: null };
    expect(resolveConfig({ model: { arch: 'rnn' } })).toEqual(want);
  });

  it('applies defaults three levels deep only where the input is silent', () => {
    // model.init and train.clip are given, but not the keys the rnn sets: those still come from ARCH_DEFAULTS.
    const partly = resolveConfig(rnn({ init: { gain: 2 } }, { train: { clip: { max: 5 } } }));
    expect(partly.model.init).toMatchObject({ scheme: 'pytorch', gain: 2 });
    expect(partly.train.clip).toEqual({ mode: 'norm', max: 5 });
    const given = resolveConfig(rnn({ init: { scheme: 'orthogonal' } }, { train: { clip: { mode: 'value' } } }));
    expect(given.model.init.scheme).toBe('orthogonal');
    expect(given.train.clip).toEqual({ mode: 'value', max: 1 });
    expect(resolveConfig(rnn({}, { train: { clip: { mode: 'none' } } })).train.clip.mode).toBe('none');
  });

  it('every ARCH_DEFAULTS value is what resolveConfig gives that architecture', () => {
    for (const [arch, defaults] of Object.entries(ARCH_DEFAULTS)) {
      const config = resolveConfig({ model: { arch } });
      for (const [path, value] of Object.entries(defaults)) expect(getField(config, path as ConfigPath), `${arch} ${path}`).toBe(value);
    }
  });

  it('archDefaults(mlp) gives the MLP value of every field any architecture sets', () => {
    const keys = new Set(Object.values(ARCH_DEFAULTS).flatMap((d) => Object.keys(d)));
    const mlp = archDefaults('mlp');
    expect(Object.keys(mlp).sort()).toEqual([...keys].sort());
    for (const [path, value] of Object.entries(mlp)) expect(value, path).toBe(getField(defaultConfig(), path as ConfigPath));
    expect(mlp).toMatchObject({ 'model.activation': 'relu', 'model.init.scheme': 'he', 'train.clip.mode': 'none', 'train.optimizer': 'sgd' });
    expect(archDefaults('rnn')).toBe(ARCH_DEFAULTS.rnn);
  });

  it('switching to rnn and back to mlp or resnet restores their defaults exactly', () => {
    const toRnn = applyAssignments(defaultConfig(), ['model.arch=rnn']);
    expect(toRnn).toEqual(resolveConfig({ model: { arch: 'rnn' } }));
    expect(applyAssignments(toRnn, ['model.arch=mlp'])).toEqual(defaultConfig());
    const resnet = resolveConfig({ model: { arch: 'resnet' } });
    expect(applyAssignments(applyAssignments(resnet, ['model.arch=rnn']), ['model.arch=mlp'])).toEqual(defaultConfig());
    expect(applyAssignments(resnet, ['model.arch=rnn']).model).toMatchObject({ depth: 1, norm: 'none', residual: 'none' });
  });
});

describe('model.arch=rnn accepts', () => {
  it.each(RNN_CELLS.map((c) => [c]))('cell %s, orthogonal or pytorch init, 1 to 8 layers, on each of its data sets', (cell) => {
    for (const name of RNN_DATA) {
      const config = resolveConfig(rnn({ cell, depth: 8, init: { scheme: 'orthogonal' } }, { data: { name } }));
      expect([config.model.cell, config.model.depth, config.data.name]).toEqual([cell, 8, name]);
    }
    expect(resolveConfig(rnn({ cell, depth: 1 })).model.init.scheme).toBe('pytorch');
  });

  it('tanh or relu for cell rnn, with identity init; lstm and gru take any model.activation, which they ignore', () => {
    expect(resolveConfig(rnn({ cell: 'rnn', activation: 'relu', init: { scheme: 'identity' } })).model.init.scheme).toBe('identity');
    expect(resolveConfig(rnn({ cell: 'rnn', activation: 'tanh', init: { scheme: 'identity' } })).model.activation).toBe('tanh');
    expect(resolveConfig(rnn({ cell: 'lstm', activation: 'gelu' })).model.activation).toBe('gelu');
    expect(resolveConfig(rnn({ cell: 'gru', activation: 'sigmoid' })).model.activation).toBe('sigmoid');
  });

  it('an LSTM forget-gate bias from -10 to 10, and train.bptt from 1 to 1000 or null', () => {
    for (const forgetBias of [-10, 1, 10]) expect(resolveConfig(rnn({ init: { forgetBias } })).model.init.forgetBias).toBe(forgetBias);
    for (const bptt of [1, 20, 1000, null]) expect(resolveConfig(rnn({}, { train: { bptt } })).train.bptt).toBe(bptt);
  });

  it('model.cell is read only by rnn: other architectures take any cell', () => {
    expect(resolveConfig({ model: { cell: 'gru' } }).model).toMatchObject({ arch: 'mlp', cell: 'gru' });
    expect(resolveConfig({ model: { arch: 'resnet', cell: 'rnn' } }).model.cell).toBe('rnn');
  });
});

describe('model.arch=rnn refuses', () => {
  it.each([
    [rnn({ cell: 'lstn' }), 'model.cell', 'model.cell must be one of rnn, lstm, gru (got "lstn"; did you mean lstm?)'],
    [rnn({}, { data: { name: 'spiral' } }), 'data.name', 'data.name must be adding, order, or mnist (read as 28 rows of 28 pixels) when model.arch is rnn (got spiral); use model.arch=mlp for spiral'],
    [rnn({}, { data: { name: 'shapes' } }), 'data.name', 'data.name must be adding, order, or mnist (read as 28 rows of 28 pixels) when model.arch is rnn (got shapes); use model.arch=resnet for shapes'],
    [rnn({ norm: 'layer' }), 'model.norm', 'model.norm must be none for an rnn (got layer): nn.RNN, nn.LSTM and nn.GRU have no normalization; set model.norm=none'],
    [rnn({ residual: 'identity' }), 'model.residual', 'model.residual must be none for an rnn (got identity): stacked recurrent layers have no skip connections; set model.residual=none'],
    [rnn({ depth: 9 }), 'model.depth', 'model.depth must be an integer from 1 to 8 (stacked layers) when model.arch is rnn (got 9); it is num_layers of nn.RNN, nn.LSTM and nn.GRU, and 1 or 2 is usual'],
    [rnn({ cell: 'rnn', activation: 'gelu' }), 'model.activation', "model.activation must be tanh or relu when model.cell is rnn (got gelu): they are nn.RNN's nonlinearities; lstm and gru ignore model.activation"],
    [rnn({ init: { scheme: 'he' } }), 'model.init.scheme', 'model.init.scheme must be pytorch or orthogonal when model.arch is rnn and model.cell is lstm (got he): pytorch is U(±1/√H), the nn default; orthogonal makes the recurrent weights orthogonal'],
    [rnn({ cell: 'rnn', init: { scheme: 'xavier' } }), 'model.init.scheme', 'model.init.scheme must be pytorch, orthogonal or identity when model.arch is rnn (got xavier): pytorch is U(±1/√H), the nn default; orthogonal makes the recurrent weights orthogonal; identity sets them to I (IRNN)'],
    [rnn({ cell: 'gru', init: { scheme: 'identity' } }), 'model.init.scheme', 'model.init.scheme must be pytorch or orthogonal when model.arch is rnn and model.cell is gru (got identity): identity (IRNN, Le et al. 2015) is for model.cell=rnn'],
    [rnn({ cell: 'gru', init: { forgetBias: 1 } }), 'model.init.forgetBias', 'model.init.forgetBias must be 0 unless model.arch is rnn and model.cell is lstm (got 1; model.cell is gru): only an LSTM has a forget gate; set model.init.forgetBias=0, or use model.arch=rnn with model.cell=lstm'],
    [rnn({ init: { forgetBias: 10.5 } }), 'model.init.forgetBias', 'model.init.forgetBias must be a number from -10 to 10 (got 10.5)'],
    [rnn({ init: { forgetBias: Number.NaN } }), 'model.init.forgetBias', 'model.init.forgetBias must be a number from -10 to 10 (got NaN)'],
    [rnn({}, { train: { bptt: 0 } }), 'train.bptt', 'train.bptt must be an integer from 1 to 1000, or null (got 0)'],
    [rnn({}, { train: { bptt: 1001 } }), 'train.bptt', 'train.bptt must be an integer from 1 to 1000, or null (got 1001)'],
    [rnn({}, { train: { bptt: 2.5 } }), 'train.bptt', 'train.bptt must be an integer from 1 to 1000, or null (got 2.5)'],
    [rnn({}, { train: { bptt: 'full' } }), 'train.bptt', 'train.bptt must be an integer from 1 to 1000, or null (got "full")'],
  ])('%j: %s', (input, path, message) => {
    const error = errorOf(input);
    expect(error.path).toBe(path);
    expect(error.message).toBe(message);
  });

  it('also refuses batch norm, csv data, sigmoid for cell rnn and identity for lstm, each by its field', () => {
    expect(errorOf(rnn({ norm: 'batch' })).path).toBe('model.norm');
    expect(errorOf(rnn({}, { data: { name: 'csv', path: 'a.csv' } })).message).toMatch(/use model\.arch=mlp for csv$/);
    expect(errorOf(rnn({ cell: 'rnn', activation: 'sigmoid' })).path).toBe('model.activation');
    expect(errorOf(rnn({ cell: 'lstm', init: { scheme: 'identity' } })).path).toBe('model.init.scheme');
  });
});

describe('fields only a recurrent net reads, elsewhere', () => {
  it.each([
    [{ train: { bptt: 20 } }, 'train.bptt', 'train.bptt must be null unless model.arch is rnn (got 20; model.arch is mlp): only a recurrent net backpropagates through time; set train.bptt=null'],
    [{ model: { arch: 'resnet' }, train: { bptt: 1 } }, 'train.bptt', 'train.bptt must be null unless model.arch is rnn (got 1; model.arch is resnet): only a recurrent net backpropagates through time; set train.bptt=null'],
    [{ model: { init: { forgetBias: 1 } } }, 'model.init.forgetBias', 'model.init.forgetBias must be 0 unless model.arch is rnn and model.cell is lstm (got 1; model.arch is mlp): only an LSTM has a forget gate; set model.init.forgetBias=0, or use model.arch=rnn with model.cell=lstm'],
    [{ model: { init: { scheme: 'identity' } } }, 'model.init.scheme', 'model.init.scheme must be one of xavier, xavier_uniform, he, he_uniform, lecun, orthogonal, pytorch, meanfield when model.arch is mlp (got identity): identity (IRNN, Le et al. 2015) sets the recurrent weights to I, so it needs model.arch=rnn with model.cell=rnn'],
    [{ model: { arch: 'resnet', init: { scheme: 'identity' } } }, 'model.init.scheme', 'model.init.scheme must be one of xavier, xavier_uniform, he, he_uniform, lecun, orthogonal, pytorch, meanfield when model.arch is resnet (got identity): identity (IRNN, Le et al. 2015) sets the recurrent weights to I, so it needs model.arch=rnn with model.cell=rnn'],
  ])('%j is refused: %s', (input, path, message) => {
    const error = errorOf(input);
    expect([error.path, error.message]).toEqual([path, message]);
  });

  it('carries the value and what is allowed on the error', () => {
    const error = errorOf({ train: { bptt: 20 } });
    expect([error.value, error.allowed]).toEqual([20, 'null unless model.arch is rnn']);
  });

  it('switching away from rnn drops its truncation, but a truncation named with the switch is refused by name', () => {
    const truncated = resolveConfig(rnn({}, { train: { bptt: 20 } }));
    expect(applySet(truncated, 'model.arch=mlp')).toEqual(defaultConfig());
    expect(() => applyAssignments(truncated, ['model.arch=mlp', 'train.bptt=20'])).toThrow(/^train\.bptt must be null unless model\.arch is rnn/);
  });
});

describe('--set and the URL for the rnn fields', () => {
  it('train.bptt=null and train.bptt=20 both parse; an empty or quoted value is refused', () => {
    const base = resolveConfig(rnn());
    const truncated = applySet(base, 'train.bptt=20');
    expect(truncated.train.bptt).toBe(20);
    expect(applySet(truncated, 'train.bptt=null').train.bptt).toBeNull();
    expect(() => applySet(base, 'train.bptt=')).toThrow('train.bptt must be an integer from 1 to 1000, or null (got "")');
    expect(() => applySet(base, 'train.bptt="20"')).toThrow('train.bptt must be an integer from 1 to 1000, or null (got "20")');
    expect(applyAssignments(defaultConfig(), ['train.bptt=5', 'model.arch=rnn', 'model.cell=lstm', 'model.init.forgetBias=1']).model.init.forgetBias).toBe(1);
  });

  it('an rnn config is written as the fields that differ from the rnn defaults, and read back exactly', () => {
    expect(toAssignments(resolveConfig(rnn()))).toEqual(['model.arch=rnn']);
    const irnn = resolveConfig(rnn({ cell: 'rnn', depth: 2, activation: 'relu', init: { scheme: 'identity' } }, { data: { name: 'mnist' }, train: { bptt: 14 } }));
    expect(toAssignments(irnn)).toEqual(['data.name=mnist', 'model.arch=rnn', 'model.cell=rnn', 'model.depth=2', 'model.activation=relu', 'model.init.scheme=identity', 'train.bptt=14']);
    expect(applyAssignments(defaultConfig(), toAssignments(irnn))).toEqual(irnn);
  });
});
