import { describe, expect, it } from 'vitest';
import { defaultConfig, resolveConfig, type ConfigPatch, type RunConfig } from '../../src/model/config.ts';
import { getField } from '../../src/model/set-path.ts';
import { FIELD_GROUPS, shownFields, type FieldControl } from '../../src/ui/gs-controls/fields.ts';
import { applyEdit, applyEdits } from '../../src/ui/state/edit.ts';
import { toHash, type PageState } from '../../src/ui/state/url-state.ts';

const page = (config: RunConfig, compare: RunConfig | null = null): PageState => ({ config, preset: null, play: false, compare });
const rnn = (patch: ConfigPatch = {}) => resolveConfig({ ...patch, model: { arch: 'rnn', ...patch.model } });

/** The fields the panel shows for a config, as `path label`, group by group. */
function shown(config: RunConfig): Record<string, string[]> {
  return Object.fromEntries(FIELD_GROUPS.map((g) => [g.title, shownFields(g, (p) => getField(config, p)).map((f) => `${f.path} ${f.label}`)]));
}

function field(config: RunConfig, path: string): FieldControl | undefined {
  return FIELD_GROUPS.flatMap((g) => shownFields(g, (p) => getField(config, p))).find((f) => f.path === path);
}

const options = (f: FieldControl | undefined) => (f?.widget.kind === 'select' ? f.widget.options : null);

describe('the controls of a recurrent net', () => {
  it('offer the cell, stacked layers, hidden units, BPTT and the forget-gate bias for an LSTM, and hide norm and residual', () => {
    expect(shown(rnn())).toEqual({
      Network: ['model.arch Architecture', 'model.cell Cell', 'model.depth Layers', 'model.width Hidden units', 'model.init.scheme Init', 'model.init.forgetBias Forget-gate bias'],
      Training: ['train.optimizer Optimizer', 'train.lr Learning rate', 'train.weightDecay Weight decay', 'train.steps Steps', 'train.batchSize Batch size', 'train.clip.mode Clipping', 'train.clip.max Clip at', 'train.bptt BPTT steps'],
      Data: ['data.name Data set', 'data.length Steps in time', 'data.samples Samples', 'data.testFraction Test fraction', 'seed Seed'],
    });
    expect(options(field(rnn(), 'model.depth'))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(options(field(rnn(), 'data.name'))).toEqual(['adding', 'order', 'mnist']);
    expect(options(field(rnn(), 'model.init.scheme'))).toEqual(['pytorch', 'orthogonal']);
    expect(field(rnn(), 'train.bptt')?.widget).toEqual({ kind: 'int-or-null', min: 1, max: 1000, emptyLabel: 'full' });
  });

  it('give the plain cell its nonlinearity (tanh or relu) and IRNN’s identity init, and no forget gate', () => {
    const c = rnn({ model: { cell: 'rnn' } });
    expect(options(field(c, 'model.activation'))).toEqual(['tanh', 'relu']);
    expect(field(c, 'model.activation')?.label).toBe('Nonlinearity');
    expect(options(field(c, 'model.init.scheme'))).toEqual(['pytorch', 'orthogonal', 'identity']);
    expect(field(c, 'model.init.forgetBias')).toBeUndefined();
    expect(field(rnn({ model: { cell: 'gru' } }), 'model.activation')).toBeUndefined();
    // Orthogonal and identity take a gain; PyTorch's U(±1/√H) does not.
    expect(field(rnn({ model: { init: { scheme: 'orthogonal' } } }), 'model.init.gain')).toBeDefined();
    expect(field(rnn(), 'model.init.gain')).toBeUndefined();
  });

  it('read sequential MNIST at its 28 rows: no steps-in-time field', () => {
    expect(field(rnn({ data: { name: 'mnist' } }), 'data.length')).toBeUndefined();
  });

  it('leave the MLP’s and the ResNet’s panels as they were', () => {
    const mlp = shown(defaultConfig());
    expect(mlp.Network).toEqual(['model.arch Architecture', 'model.depth Depth', 'model.width Width', 'model.activation Activation', 'model.norm Normalization', 'model.residual Residual', 'model.init.scheme Init', 'model.init.gain Gain']);
    expect(mlp.Training).not.toContain('train.bptt BPTT steps');
    expect(shown(resolveConfig({ model: { arch: 'resnet' } })).Network).toEqual([
      'model.arch Architecture', 'model.depth Depth', 'model.width Channels', 'model.activation Activation', 'model.norm Normalization', 'model.residual Residual', 'model.init.scheme Init', 'model.init.gain Gain',
    ]);
  });

  it('every option a shown menu offers applies, for each cell and from each architecture', () => {
    const starts = [
      defaultConfig(), resolveConfig({ model: { arch: 'resnet' } }), rnn(), rnn({ model: { cell: 'rnn', activation: 'relu', init: { scheme: 'identity' } } }),
      rnn({ model: { cell: 'lstm', init: { forgetBias: 2 } }, train: { bptt: 5 } }), rnn({ model: { cell: 'gru', depth: 3 } }),
    ];
    for (const c of starts) {
      for (const f of FIELD_GROUPS.flatMap((g) => shownFields(g, (p) => getField(c, p)))) {
        for (const o of options(f) ?? []) {
          if (f.path === 'data.name' && ['csv', 'cifar10'].includes(o)) continue; // applied with their files
          const r = applyEdit(page(c), f.path, o);
          expect(r.ok ? 'ok' : r.error.text, `${c.model.arch}/${c.model.cell}: ${f.path}=${o}`).toBe('ok');
        }
      }
    }
  });
});

describe('switching to and from a recurrent net', () => {
  it('brings the rnn defaults from the MLP, and a link that names only the architecture', () => {
    const r = applyEdit(page(defaultConfig()), 'model.arch', 'rnn');
    expect(r.ok && r.state.config.model).toMatchObject({ arch: 'rnn', cell: 'lstm', depth: 1, width: 64, activation: 'tanh', init: { scheme: 'pytorch' } });
    expect(r.ok && r.state.config.data.name).toBe('adding');
    expect(r.ok && toHash(r.state)).toBe('#model.arch=rnn');
  });

  it('returns the rnn-only fields to their defaults on the way back, so the MLP is the one the link says', () => {
    const from = rnn({ model: { cell: 'gru', depth: 2 }, train: { bptt: 5 } });
    const r = applyEdit(page(from), 'model.arch', 'mlp');
    expect(r.ok && r.state.config).toEqual(resolveConfig({ data: { length: from.data.length } }));
    const lstm = applyEdit(page(rnn({ model: { init: { forgetBias: 1 } } })), 'model.arch', 'resnet');
    expect(lstm.ok && lstm.state.config.model.init.forgetBias).toBe(0);
  });

  it('changes the cell with the fields that depend on it: forget bias, identity init, nonlinearity', () => {
    const lstm = applyEdit(page(rnn({ model: { init: { forgetBias: 1 } } })), 'model.cell', 'gru');
    expect(lstm.ok && lstm.state.config.model.init.forgetBias).toBe(0);
    const irnn = applyEdit(page(rnn({ model: { cell: 'rnn', activation: 'relu', init: { scheme: 'identity' } } })), 'model.cell', 'lstm');
    expect(irnn.ok && irnn.state.config.model.init.scheme).toBe('pytorch');
    const gelu = applyEdit(page(rnn({ model: { cell: 'gru', activation: 'gelu' } })), 'model.cell', 'rnn');
    expect(gelu.ok && gelu.state.config.model.activation).toBe('tanh');
    // What the edit names itself is kept, and refused if it does not fit.
    expect(applyEdits(page(rnn()), ['model.cell=gru', 'model.init.forgetBias=1']).ok).toBe(false);
  });

  it('leaves CIFAR-10’s augmentation and a CSV’s path behind', () => {
    const cifar = resolveConfig({ model: { arch: 'resnet' }, data: { name: 'cifar10', augment: 'crop-flip' } });
    const r = applyEdit(page(cifar), 'model.arch', 'rnn');
    expect(r.ok && r.state.config.data).toMatchObject({ name: 'adding', augment: 'none', path: null });
    const csv = applyEdit(page(resolveConfig({ data: { name: 'csv', path: 'points.csv' } })), 'model.arch', 'rnn');
    expect(csv.ok && csv.state.config.data).toMatchObject({ name: 'adding', path: null });
  });

  it('takes BPTT as a number or, left empty, as full backpropagation through time', () => {
    const r = applyEdit(page(rnn()), 'train.bptt', '10');
    expect(r.ok && r.rebuild && r.state.config.train.bptt).toBe(10);
    const full = r.ok ? applyEdit(r.state, 'train.bptt', 'null') : r;
    expect(full.ok && full.state.config.train.bptt).toBeNull();
  });

  it('switches both runs of a comparison', () => {
    const r = applyEdit(page(defaultConfig(), resolveConfig({ model: { residual: 'identity' } })), 'model.arch', 'rnn');
    expect(r.ok && [r.state.config.model.arch, r.state.compare?.model.arch, r.state.compare?.model.residual]).toEqual(['rnn', 'rnn', 'none']);
  });
});
