import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, parseConfigJson, resolveConfig } from '../../src/model/config.ts';
import { CONFIG_PATHS } from '../../src/model/config-schema.ts';
import { applyAssignments } from '../../src/model/set-path.ts';
import { closestMatch, editDistance } from '../../src/model/config-error.ts';

function messageOf(input: unknown): string {
  try {
    resolveConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`resolveConfig accepted ${JSON.stringify(input)}`);
}

describe('resolveConfig', () => {
  it('returns the defaults of DESIGN.md for an empty input', () => {
    expect(resolveConfig({})).toEqual(defaultConfig());
    expect(resolveConfig(undefined)).toEqual(defaultConfig());
    expect(defaultConfig().model.init).toEqual({ scheme: 'he', gain: 1, sigmaW2: 2, sigmaB2: 0, forgetBias: 0 });
    expect(defaultConfig().model.cell).toBe('lstm');
    expect(defaultConfig().train.bptt).toBeNull();
  });

  it('deep-merges a partial config over the defaults without touching the input', () => {
    const input = { model: { depth: 300, init: { scheme: 'xavier' } }, train: { clip: { mode: 'norm' } } };
    const copy = structuredClone(input);
    const config = resolveConfig(input);
    expect(config.model.depth).toBe(300);
    expect(config.model.width).toBe(64);
    expect(config.model.init).toEqual({ scheme: 'xavier', gain: 1, sigmaW2: 2, sigmaB2: 0, forgetBias: 0 });
    expect(config.train.clip).toEqual({ mode: 'norm', max: 1 });
    expect(input).toEqual(copy);
  });

  it('accepts the edges of every range', () => {
    const edges = {
      seed: 4294967295,
      data: { samples: 16, length: 1000, noise: 10, testFraction: 0.9 },
      model: { depth: 10000, width: 1, init: { gain: 100, sigmaW2: 1e-9, sigmaB2: 0 } },
      train: { lr: 10, momentum: 0.999, weightDecay: 1, batchSize: 4096, steps: 0, clip: { max: 1e6 } },
      log: { every: 1000000 },
    };
    expect(() => resolveConfig(edges)).not.toThrow();
    expect(resolveConfig({ data: { name: 'csv', path: 'points.csv' } }).data.path).toBe('points.csv');
  });

  it('takes cifar10 with a folder (the CLI) or without one (the page picks files), augmented or not, on mlp and resnet', () => {
    expect(resolveConfig({ data: { name: 'cifar10', path: 'cifar-10-batches-bin', augment: 'crop-flip' } }).data).toMatchObject({ path: 'cifar-10-batches-bin', augment: 'crop-flip' });
    expect(resolveConfig({ data: { name: 'cifar10' } }).data).toMatchObject({ path: null, augment: 'none' });
    expect(resolveConfig({ model: { arch: 'resnet' }, data: { name: 'cifar10', augment: 'crop-flip' } }).data.name).toBe('cifar10');
    expect(applyAssignments(defaultConfig(), ['data.augment=crop-flip', 'data.name=cifar10', 'data.path=/data/cifar']).data).toMatchObject({ augment: 'crop-flip', path: '/data/cifar' });
  });

  it('takes the sequence tasks with data.length from 2 to 1000 (50 by default), and leaves it to other data sets to ignore', () => {
    expect(defaultConfig().data.length).toBe(50);
    expect(resolveConfig({ data: { name: 'adding' } }).data).toMatchObject({ name: 'adding', length: 50 });
    expect(resolveConfig({ data: { name: 'order', length: 2 } }).data).toMatchObject({ name: 'order', length: 2 });
    expect(resolveConfig({ data: { name: 'adding', length: 1000, samples: 10000 } }).data.samples).toBe(10000);
    expect(resolveConfig({ data: { name: 'spiral', length: 7, samples: 100000 } }).data.length).toBe(7);
    const error = (() => {
      try {
        resolveConfig({ data: { name: 'adding', length: 0 } });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect([error?.path, error?.value, error?.allowed]).toEqual(['data.length', 0, 'an integer from 2 to 1000']);
  });

  it.each([
    [{ model: { width: 10000 } }, 'model.width must be an integer from 1 to 4096 (got 10000)'],
    [{ model: { activation: 'swish' } }, 'model.activation must be one of linear, sigmoid, tanh, relu, leaky_relu, gelu (got "swish")'],
    [{ model: { depth: 'deep' } }, 'model.depth must be a number (got "deep")'],
    [{ model: { dpeth: 3 } }, 'unknown field model.dpeth (did you mean model.depth?)'],
    [{ seed: -1 }, 'seed must be an integer from 0 to 4294967295 (got -1)'],
    [{ seed: 1.5 }, 'seed must be an integer from 0 to 4294967295 (got 1.5)'],
    [{ data: { samples: 8 } }, 'data.samples must be an integer from 16 to 100000 (got 8)'],
    [{ data: { length: 1 } }, 'data.length must be an integer from 2 to 1000 (got 1)'],
    [{ data: { name: 'adding', length: 1001 } }, 'data.length must be an integer from 2 to 1000 (got 1001)'],
    [{ data: { name: 'order', length: 20.5 } }, 'data.length must be an integer from 2 to 1000 (got 20.5)'],
    [{ data: { length: 'long' } }, 'data.length must be a number (got "long")'],
    [{ data: { lenght: 50 } }, 'unknown field data.lenght (did you mean data.length?)'],
    [{ data: { name: 'order', samples: 100000, length: 1000 } }, 'data.samples must be at most 10000 for order with data.length=1000 (got 100000); samples × length is capped at 10000000 steps: use fewer samples or a shorter data.length'],
    [{ data: { name: 'adding', path: 'a.csv' } }, 'data.path must be null unless data.name is csv or cifar10 (got "a.csv"; data.name is adding)'],
    [{ data: { noise: -0.1 } }, 'data.noise must be a number from 0 to 10 (got -0.1)'],
    [{ data: { testFraction: 0.95 } }, 'data.testFraction must be a number from 0 to 0.9 (got 0.95)'],
    [{ data: { name: 'imagenet' } }, 'data.name must be one of spiral, circles, xor, gaussians, teacher, mnist, shapes, cifar10, adding, order, csv (got "imagenet")'],
    [{ data: { name: 'cifar100' } }, 'data.name must be one of spiral, circles, xor, gaussians, teacher, mnist, shapes, cifar10, adding, order, csv (got "cifar100"; did you mean cifar10?)'],
    [{ data: { name: 'cifar10', path: '' } }, 'data.path must be the folder of the CIFAR-10 binary batches, or null when the page reads files you pick (got "")'],
    [{ data: { augment: 'crop-flip' } }, 'data.augment must be none unless data.name is cifar10 (got crop-flip; data.name is spiral)'],
    [{ data: { name: 'mnist', augment: 'crop-flip' } }, 'data.augment must be none unless data.name is cifar10 (got crop-flip; data.name is mnist)'],
    [{ data: { name: 'cifar10', augment: 'flip' } }, 'data.augment must be one of none, crop-flip (got "flip")'],
    [{ data: { name: 'csv' } }, 'data.path must be a file path when data.name is csv (got null)'],
    [{ data: { path: 'a.csv' } }, 'data.path must be null unless data.name is csv or cifar10 (got "a.csv"; data.name is spiral)'],
    [{ data: { path: 3 } }, 'data.path must be a file path (a string) or null (got 3)'],
    [{ model: { init: { gain: 0 } } }, 'model.init.gain must be a number above 0 and at most 100 (got 0)'],
    [{ model: { init: { sigmaW2: 101 } } }, 'model.init.sigmaW2 must be a number above 0 and at most 100 (got 101)'],
    [{ model: { init: { sigmaB2: -1 } } }, 'model.init.sigmaB2 must be a number from 0 to 100 (got -1)'],
    [{ model: { init: { scheme: 'kaiming' } } }, 'model.init.scheme must be one of xavier, xavier_uniform, he, he_uniform, lecun, orthogonal, pytorch, meanfield, identity (got "kaiming")'],
    [{ model: { norm: 'group' } }, 'model.norm must be one of none, batch, layer (got "group")'],
    [{ model: { residual: true } }, 'model.residual must be one of none, identity, rezero (got true)'],
    [{ train: { lr: 0 } }, 'train.lr must be a number above 0 and at most 10 (got 0)'],
    [{ train: { momentum: 1 } }, 'train.momentum must be a number at least 0 and below 1 (got 1)'],
    [{ train: { weightDecay: 2 } }, 'train.weightDecay must be a number from 0 to 1 (got 2)'],
    [{ train: { batchSize: 0 } }, 'train.batchSize must be an integer from 1 to 4096 (got 0)'],
    [{ train: { steps: 2.5 } }, 'train.steps must be an integer from 0 to 10000000 (got 2.5)'],
    [{ train: { optimizer: 'rmsprop' } }, 'train.optimizer must be one of sgd, momentum, adam, adamw (got "rmsprop")'],
    [{ train: { clip: { mode: 'global' } } }, 'train.clip.mode must be one of none, norm, value (got "global")'],
    [{ train: { clip: { max: 0 } } }, 'train.clip.max must be a number above 0 and at most 1000000 (got 0)'],
    [{ log: { every: 0 } }, 'log.every must be an integer from 1 to 1000000 (got 0)'],
  ])('rejects %j', (input, message) => {
    expect(messageOf(input)).toBe(message);
  });

  it('rejects wrong types: objects, arrays, null and strings where numbers or sections go', () => {
    expect(messageOf({ model: { depth: { layers: 3 } } })).toBe('model.depth must be a number (got {"layers":3})');
    expect(messageOf({ model: { depth: null } })).toBe('model.depth must be a number (got null)');
    expect(messageOf({ model: { width: '64' } })).toBe('model.width must be a number (got "64")');
    expect(messageOf({ model: null })).toBe('model must be an object of fields (got null)');
    expect(messageOf({ train: { clip: 'norm' } })).toBe('train.clip must be an object of fields (got "norm")');
    expect(messageOf([1, 2])).toBe('a RunConfig must be a JSON object (got [1,2])');
    expect(messageOf('{}')).toBe('a RunConfig must be a JSON object (got "{}")');
  });

  it('suggests the field a misspelt or misplaced key meant', () => {
    expect(messageOf({ trian: {} })).toBe('unknown field trian (did you mean train?)');
    expect(messageOf({ depth: 30 })).toBe('unknown field depth (did you mean model.depth?)');
    expect(messageOf({ train: { activation: 'relu' } })).toBe('unknown field train.activation (did you mean model.activation?)');
    expect(messageOf({ model: { init: { shceme: 'he' } } })).toBe('unknown field model.init.shceme (did you mean model.init.scheme?)');
    expect(messageOf({ train: { batchsize: 32 } })).toBe('unknown field train.batchsize (did you mean train.batchSize?)');
    expect(messageOf({ model: { activation: 'sigmod' } })).toBe(
      'model.activation must be one of linear, sigmoid, tanh, relu, leaky_relu, gelu (got "sigmod"; did you mean sigmoid?)',
    );
  });

  it('lists the known fields when nothing is close', () => {
    expect(messageOf({ colour: 'red' })).toBe('unknown field colour (known fields here: seed, data, model, train, log)');
    expect(messageOf(JSON.parse('{"__proto__": {"depth": 3}}'))).toMatch(/^unknown field __proto__ /);
  });

  it('carries the path, value and allowed values on the error', () => {
    try {
      resolveConfig({ model: { width: 0 } });
    } catch (e) {
      const error = e as ConfigError;
      expect([error.path, error.value, error.allowed]).toEqual(['model.width', 0, 'an integer from 1 to 4096']);
      expect(error.name).toBe('ConfigError');
    }
  });

  it('lists exactly the leaves of the default config as CONFIG_PATHS', () => {
    const leaves: string[] = [];
    const walk = (node: object, prefix: string): void => {
      for (const [key, value] of Object.entries(node)) {
        const path = prefix === '' ? key : `${prefix}.${key}`;
        if (typeof value === 'object' && value !== null) walk(value, path);
        else leaves.push(path);
      }
    };
    walk(defaultConfig(), '');
    expect(leaves).toEqual([...CONFIG_PATHS]);
  });
});

describe('parseConfigJson', () => {
  const errorOf = (text: string): string => {
    try {
      parseConfigJson(text, 'run.json');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    return 'parsed';
  };

  it('parses valid JSON', () => {
    expect(parseConfigJson('{"model": {"depth": 3}}', 'run.json')).toEqual({ model: { depth: 3 } });
  });

  it('names the file, line and column of a syntax error', () => {
    expect(errorOf('{\n  "seed": 1\n  "model": {}\n}')).toBe(
      `run.json: invalid JSON at line 3, column 3: expected ',' or '}' after a property value, found "\\""`,
    );
    expect(errorOf('{"a": }')).toBe('run.json: invalid JSON at line 1, column 7: expected a value, found "}"');
    expect(errorOf('{"a": 1,}')).toBe("run.json: invalid JSON at line 1, column 9: a trailing comma before '}' is not allowed in JSON");
    expect(errorOf('')).toBe('run.json: invalid JSON at line 1, column 1: expected a value, the text ends');
    expect(errorOf('{"a": tru}')).toBe('run.json: invalid JSON at line 1, column 7: expected a value, found tru');
    expect(errorOf("{'a': 1}")).toBe("run.json: invalid JSON at line 1, column 2: expected a property name in double quotes, found ' (JSON strings take double quotes)");
    expect(errorOf('{} // the defaults')).toBe('run.json: invalid JSON at line 1, column 4: unexpected text after the JSON value, found "/" (comments are not allowed in JSON)');
    expect(errorOf('{"a": "b\nc"}')).toBe('run.json: invalid JSON at line 1, column 9: a string holds a raw control character (write \\n, \\t, ...)');
  });
});

describe('did-you-mean', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('dpeth', 'depth')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
  it('suggests only plausible typos', () => {
    expect(closestMatch('relu6', ['relu', 'gelu'])).toBe('relu');
    expect(closestMatch('swish', ['relu', 'gelu', 'tanh'])).toBeUndefined();
  });
});

describe('model.arch', () => {
  const fails = (input: unknown): ConfigError => {
    try {
      resolveConfig(input);
    } catch (e) {
      if (e instanceof ConfigError) return e;
      throw e;
    }
    throw new Error('resolveConfig accepted it');
  };

  it('is mlp by default, and a resnet starts as ResNet-20 (16 channels, batch norm, identity shortcuts) on shapes', () => {
    expect(resolveConfig({}).model.arch).toBe('mlp');
    const c = resolveConfig({ model: { arch: 'resnet' } });
    expect([c.model.depth, c.model.width, c.model.norm, c.model.residual, c.data.name]).toEqual([20, 16, 'batch', 'identity', 'shapes']);
    expect([c.train.optimizer, c.train.lr, c.train.batchSize]).toEqual(['momentum', 0.02, 32]);
    expect(resolveConfig({ model: { arch: 'resnet' }, train: { lr: 0.1 } }).train).toMatchObject({ optimizer: 'momentum', lr: 0.1, batchSize: 32 });
    expect(resolveConfig({ model: { arch: 'resnet', residual: 'none', norm: 'none' } }).model).toMatchObject({ residual: 'none', norm: 'none' });
    const given = resolveConfig({ model: { arch: 'resnet', depth: 56, width: 8 }, data: { name: 'mnist' } });
    expect([given.model.depth, given.model.width, given.data.name]).toEqual([56, 8, 'mnist']);
  });

  it('refuses a resnet the builder cannot make, naming the field', () => {
    const depth = fails({ model: { arch: 'resnet', depth: 21 } });
    expect(depth.path).toBe('model.depth');
    expect(depth.message).toContain('6n + 2');
    expect(fails({ model: { arch: 'resnet' }, data: { name: 'spiral' } }).path).toBe('data.name');
    for (const name of ['adding', 'order']) {
      const sequences = fails({ model: { arch: 'resnet' }, data: { name } });
      expect(sequences.path).toBe('data.name');
      expect(sequences.message).toBe(`data.name must be image data (mnist, shapes, cifar10) when model.arch is resnet (got ${name}); use model.arch=mlp for ${name}`);
    }
    expect(fails({ model: { arch: 'resnet', width: 15 } }).path).toBe('model.width');
    expect(fails({ model: { arch: 'resnet', norm: 'layer' } }).path).toBe('model.norm');
    expect(fails({ model: { arch: 'cnn' } }).path).toBe('model.arch');
  });
});

describe('switching model.arch with --set, the URL or the controls', () => {
  it('brings the architecture’s defaults for the fields the same assignments leave alone, both ways', () => {
    const resnet = applyAssignments(defaultConfig(), ['model.norm=none', 'model.arch=resnet']);
    expect(resnet.model).toMatchObject({ arch: 'resnet', depth: 20, width: 16, norm: 'none', residual: 'identity' });
    expect(resnet.data.name).toBe('shapes');
    const deeper = applyAssignments(resnet, ['model.depth=56']);
    expect(deeper.model).toMatchObject({ depth: 56, norm: 'none', residual: 'identity' });
    expect(resnet.train).toMatchObject({ optimizer: 'momentum', lr: 0.02, batchSize: 32 });
    const mlp = applyAssignments(deeper, ['model.arch=mlp']);
    expect(mlp.model).toMatchObject({ arch: 'mlp', depth: 100, width: 64, norm: 'none', residual: 'none' });
    expect(mlp.train).toMatchObject({ optimizer: 'sgd', lr: 0.01, batchSize: 128 });
  });
});
