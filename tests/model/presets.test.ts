import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig } from '../../src/model/config.ts';
import { mergePatches, PRESETS, presetByName, presetRuns } from '../../src/model/presets.ts';

const NAMES = [
  'sigmoid-deep', 'relu-he', 'bad-init-explodes', 'clip-rescues', 'plain-vs-residual-100',
  'batchnorm-rescues-sigmoid', 'dying-relu', 'pre-norm-gelu', 'rezero-deep', 'plain-vs-resnet-56', 'plain-20-vs-56',
  'resnet-20-vs-56', 'rnn-vs-lstm-adding', 'irnn-adding', 'rnn-clipping',
];

function sentences(text: string): number {
  return text.split(/(?<=[.!?])\s+(?=[A-Z(])/).length;
}

describe('presets', () => {
  it('are the lessons, in order, with unique names', () => {
    expect(PRESETS.map((p) => p.name)).toEqual(NAMES);
  });

  it.each(PRESETS.map((p) => [p.name, p]))('%s resolves and reads as documented', (_, preset) => {
    const { a, b } = presetRuns(preset);
    // Small enough to run in a tab: an MLP of 32–64 units on batches of 64–128, a ResNet of 8 channels on 16, a
    // recurrent net of 32–64 units on 32 sequences.
    const sizes = { resnet: [[8, 8], [16, 16]], rnn: [[32, 64], [32, 32]], mlp: [[32, 64], [64, 128]] } as const;
    const [width, batch] = sizes[a.model.arch];
    expect(a.model.width).toBeGreaterThanOrEqual(width[0]!);
    expect(a.model.width).toBeLessThanOrEqual(width[1]!);
    expect(a.train.batchSize).toBeGreaterThanOrEqual(batch[0]!);
    expect(a.train.batchSize).toBeLessThanOrEqual(batch[1]!);
    expect(b === null).toBe(preset.compare === undefined);
    expect(sentences(preset.explanation)).toBeGreaterThanOrEqual(2);
    expect(sentences(preset.explanation)).toBeLessThanOrEqual(4);
    expect(sentences(preset.lookFor)).toBe(1);
    expect(preset.title.length).toBeGreaterThan(0);
  });

  it('set up each phenomenon the way its lesson says', () => {
    const run = (name: string) => presetRuns(presetByName(name)).a;
    expect(run('sigmoid-deep').model).toMatchObject({ activation: 'sigmoid', depth: 30, init: { scheme: 'xavier' } });
    expect(run('relu-he').model).toMatchObject({ activation: 'relu', depth: 30, init: { scheme: 'he' } });
    expect(run('bad-init-explodes').model.init).toMatchObject({ scheme: 'meanfield', sigmaW2: 4 });
    expect(run('clip-rescues').model).toEqual(run('bad-init-explodes').model);
    expect(run('clip-rescues').train.clip.mode).toBe('norm');
    expect(run('batchnorm-rescues-sigmoid').model).toEqual({ ...run('sigmoid-deep').model, norm: 'batch' });
    expect(run('pre-norm-gelu').model).toMatchObject({ norm: 'layer', residual: 'identity', activation: 'gelu' });
    expect(run('rezero-deep').model.residual).toBe('rezero');
    expect(run('rezero-deep').model.depth).toBeGreaterThanOrEqual(200);
  });

  it('compares plain and residual at depth 100, run B a patch over run A', () => {
    const { a, b } = presetRuns(presetByName('plain-vs-residual-100'));
    expect([a.model.depth, a.model.residual]).toEqual([100, 'none']);
    expect(b?.model).toMatchObject({ depth: 100, residual: 'identity', activation: 'relu', init: { scheme: 'he', gain: 0.1 } });
    expect(b?.train).toEqual(a.train);
  });

  it('compares He et al.’s plain and residual 56-layer nets with batch norm on shapes, nothing else changed', () => {
    const { a, b } = presetRuns(presetByName('plain-vs-resnet-56'));
    expect(a.model).toMatchObject({ arch: 'resnet', depth: 56, residual: 'none', norm: 'batch', activation: 'relu' });
    expect(a.data.name).toBe('shapes');
    expect(b).toEqual({ ...a, model: { ...a.model, residual: 'identity' } });
  });

  it('reproduces He et al.’s Fig. 6 as two pairs, 20 against 56 layers, plain and residual, nothing else changed', () => {
    for (const [name, residual] of [['plain-20-vs-56', 'none'], ['resnet-20-vs-56', 'identity']] as const) {
      const { a, b } = presetRuns(presetByName(name));
      expect(a.model).toMatchObject({ arch: 'resnet', depth: 20, residual, norm: 'batch', width: 8 });
      expect([a.data.name, a.train.steps]).toEqual(['mnist', 300]);
      expect(b).toEqual({ ...a, model: { ...a.model, depth: 56 } });
    }
  });

  it('compares a tanh RNN with an LSTM (forget bias 1) on adding at 50 steps, and clipping on an exploding RNN, nothing else changed', () => {
    const lstm = presetRuns(presetByName('rnn-vs-lstm-adding'));
    expect(lstm.a.model).toMatchObject({ arch: 'rnn', cell: 'rnn', activation: 'tanh' });
    expect([lstm.a.data.name, lstm.a.data.length]).toEqual(['adding', 50]);
    expect(lstm.b).toEqual({ ...lstm.a, model: { ...lstm.a.model, cell: 'lstm', init: { ...lstm.a.model.init, forgetBias: 1 } } });
    const irnn = presetRuns(presetByName('irnn-adding'));
    expect(irnn.b?.model).toMatchObject({ cell: 'rnn', activation: 'relu', init: { scheme: 'identity', gain: 1 } });
    expect(irnn.b?.data).toEqual(irnn.a.data);
    const clip = presetRuns(presetByName('rnn-clipping'));
    expect(clip.a.model.init).toMatchObject({ scheme: 'orthogonal', gain: 2 });
    expect(clip.a.train.clip.mode).toBe('none');
    expect(clip.b).toEqual({ ...clip.a, train: { ...clip.a.train, clip: { mode: 'norm', max: 1 } } });
  });

  it('names the closest preset for a typo', () => {
    const messageOf = (name: string): string => {
      try {
        presetByName(name);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).path).toBe('preset');
        return (e as Error).message;
      }
      return 'found';
    };
    expect(messageOf('sigmoid-dep')).toBe('unknown preset "sigmoid-dep" (did you mean sigmoid-deep?)');
    expect(messageOf('banana')).toBe(`unknown preset "banana" (presets: ${NAMES.join(', ')})`);
    expect(messageOf('relu-he')).toBe('found');
  });
});

describe('mergePatches', () => {
  it('merges section by section without touching either side', () => {
    const base = { model: { depth: 3, init: { scheme: 'he' as const, gain: 2 } } };
    const patch = { model: { init: { gain: 0.5 } }, seed: 4 };
    expect(mergePatches(base, patch)).toEqual({ seed: 4, model: { depth: 3, init: { scheme: 'he', gain: 0.5 } } });
    expect(base.model.init.gain).toBe(2);
    expect(mergePatches({}, {})).toEqual({});
    expect(defaultConfig().model.init.gain).toBe(1);
  });
});
