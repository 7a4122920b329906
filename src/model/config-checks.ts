/**
 * The checks between fields of a RunConfig whose every field is already valid on its own: what one field
 * allows given another (data.path given data.name, a ResNet's depth, an RNN's data and init, ...).
 */
import { ConfigError, describeValue } from './config-error.ts';
import { AUGMENTABLE_DATA, IMAGE_DATA, INIT_SCHEMES, MAX_SEQUENCE_STEPS, PATH_DATA, RNN_DATA, SEQUENCE_DATA } from './config-schema.ts';
import type { DataConfig, RunConfig } from './config-types.ts';

/** The most stacked layers of model.arch=rnn. */
export const MAX_RNN_DEPTH = 8;

export function checkCrossFields(config: RunConfig): void {
  const { name, path } = config.data;
  if (name === 'csv' && (path === null || path.trim() === '')) {
    const allowed = 'a file path when data.name is csv';
    throw new ConfigError('data.path', path, allowed, `data.path must be ${allowed} (got ${describeValue(path)})`);
  }
  if (name === 'cifar10' && path !== null && path.trim() === '') {
    const allowed = 'the folder of the CIFAR-10 binary batches, or null when the page reads files you pick';
    throw new ConfigError('data.path', path, allowed, `data.path must be ${allowed} (got "")`);
  }
  if (!(PATH_DATA as readonly string[]).includes(name) && path !== null) {
    const allowed = `null unless data.name is ${PATH_DATA.join(' or ')}`;
    throw new ConfigError('data.path', path, allowed, `data.path must be ${allowed} (got ${describeValue(path)}; data.name is ${name})`);
  }
  const augment = config.data.augment;
  if (augment !== 'none' && !(AUGMENTABLE_DATA as readonly string[]).includes(name)) {
    const allowed = `none unless data.name is ${AUGMENTABLE_DATA.join(' or ')}`;
    throw new ConfigError('data.augment', augment, allowed, `data.augment must be ${allowed} (got ${augment}; data.name is ${name})`);
  }
  checkSequenceSize(config.data);
  checkRecurrentOnly(config);
  if (config.model.arch === 'resnet') checkResnet(config);
  if (config.model.arch === 'rnn') checkRnn(config);
}

/** Sequence data is drawn whole on the host: data.samples × data.length is capped so it cannot ask for gigabytes. */
function checkSequenceSize({ name, samples, length }: DataConfig): void {
  if (!(SEQUENCE_DATA as readonly string[]).includes(name) || samples * length <= MAX_SEQUENCE_STEPS) return;
  const most = Math.floor(MAX_SEQUENCE_STEPS / length);
  const allowed = `at most ${most} for ${name} with data.length=${length}`;
  const why = `samples × length is capped at ${MAX_SEQUENCE_STEPS} steps: use fewer samples or a shorter data.length`;
  throw new ConfigError('data.samples', samples, allowed, `data.samples must be ${allowed} (got ${samples}); ${why}`);
}

/** A CIFAR ResNet reads images, has 6n + 2 weight layers, and pads channels by width/2 on each side (option A). */
function checkResnet(config: RunConfig): void {
  const { depth, width, norm } = config.model;
  if (!(IMAGE_DATA as readonly string[]).includes(config.data.name)) {
    const allowed = `image data (${IMAGE_DATA.join(', ')}) when model.arch is resnet`;
    throw new ConfigError('data.name', config.data.name, allowed, `data.name must be ${allowed} (got ${config.data.name}); use model.arch=mlp for ${config.data.name}`);
  }
  if (depth < 8 || (depth - 2) % 6 !== 0) {
    const allowed = '6n + 2 for a resnet: 8, 14, 20, 32, 44, 56, 110, …';
    throw new ConfigError('model.depth', depth, allowed, `model.depth must be ${allowed} (got ${depth}); ResNet-20 is model.depth=20`);
  }
  if (width % 2 !== 0) {
    const allowed = 'even for a resnet (its shortcuts pad width/2 zero channels on each side)';
    throw new ConfigError('model.width', width, allowed, `model.width must be ${allowed} (got ${width}); He et al. use 16`);
  }
  if (norm === 'layer') {
    const allowed = 'batch or none for a resnet';
    throw new ConfigError('model.norm', norm, allowed, `model.norm must be ${allowed} (got layer)`);
  }
}

/** Fields only a recurrent net reads are refused elsewhere rather than ignored, so a config never claims what did not run. */
function checkRecurrentOnly({ model, train }: RunConfig): void {
  const { arch, cell } = model;
  const { scheme, forgetBias } = model.init;
  const lstm = arch === 'rnn' && cell === 'lstm';
  if (forgetBias !== 0 && !lstm) {
    const allowed = '0 unless model.arch is rnn and model.cell is lstm';
    const context = arch === 'rnn' ? `model.cell is ${cell}` : `model.arch is ${arch}`;
    const message = `model.init.forgetBias must be ${allowed} (got ${forgetBias}; ${context}): only an LSTM has a forget gate; set model.init.forgetBias=0, or use model.arch=rnn with model.cell=lstm`;
    throw new ConfigError('model.init.forgetBias', forgetBias, allowed, message);
  }
  if (train.bptt !== null && arch !== 'rnn') {
    const allowed = 'null unless model.arch is rnn';
    const message = `train.bptt must be ${allowed} (got ${train.bptt}; model.arch is ${arch}): only a recurrent net backpropagates through time; set train.bptt=null`;
    throw new ConfigError('train.bptt', train.bptt, allowed, message);
  }
  if (scheme === 'identity' && arch !== 'rnn') {
    const allowed = `one of ${INIT_SCHEMES.filter((s) => s !== 'identity').join(', ')} when model.arch is ${arch}`;
    const message = `model.init.scheme must be ${allowed} (got identity): identity (IRNN, Le et al. 2015) sets the recurrent weights to I, so it needs model.arch=rnn with model.cell=rnn`;
    throw new ConfigError('model.init.scheme', scheme, allowed, message);
  }
}

/** nn.RNN, nn.LSTM or nn.GRU, stacked 1 to 8 deep, reading sequences, with the inits DESIGN.md gives for them. */
function checkRnn(config: RunConfig): void {
  const { cell, depth, activation, norm, residual } = config.model;
  const name = config.data.name;
  if (!(RNN_DATA as readonly string[]).includes(name)) {
    const allowed = 'adding, order, or mnist (read as 28 rows of 28 pixels) when model.arch is rnn';
    const other = (IMAGE_DATA as readonly string[]).includes(name) ? 'resnet' : 'mlp';
    throw new ConfigError('data.name', name, allowed, `data.name must be ${allowed} (got ${name}); use model.arch=${other} for ${name}`);
  }
  if (norm !== 'none') {
    const allowed = 'none for an rnn';
    throw new ConfigError('model.norm', norm, allowed, `model.norm must be ${allowed} (got ${norm}): nn.RNN, nn.LSTM and nn.GRU have no normalization; set model.norm=none`);
  }
  if (residual !== 'none') {
    const allowed = 'none for an rnn';
    throw new ConfigError('model.residual', residual, allowed, `model.residual must be ${allowed} (got ${residual}): stacked recurrent layers have no skip connections; set model.residual=none`);
  }
  if (depth > MAX_RNN_DEPTH) {
    const allowed = `an integer from 1 to ${MAX_RNN_DEPTH} (stacked layers) when model.arch is rnn`;
    throw new ConfigError('model.depth', depth, allowed, `model.depth must be ${allowed} (got ${depth}); it is num_layers of nn.RNN, nn.LSTM and nn.GRU, and 1 or 2 is usual`);
  }
  if (cell === 'rnn' && activation !== 'tanh' && activation !== 'relu') {
    const allowed = 'tanh or relu when model.cell is rnn';
    const message = `model.activation must be ${allowed} (got ${activation}): they are nn.RNN's nonlinearities; lstm and gru ignore model.activation`;
    throw new ConfigError('model.activation', activation, allowed, message);
  }
  checkRnnInit(config);
}

function checkRnnInit({ model }: RunConfig): void {
  const { cell, init } = model;
  const schemes = cell === 'rnn' ? ['pytorch', 'orthogonal', 'identity'] : ['pytorch', 'orthogonal'];
  if (schemes.includes(init.scheme)) return;
  const allowed = `${schemes.slice(0, -1).join(', ')} or ${schemes.at(-1)!} when model.arch is rnn${cell === 'rnn' ? '' : ` and model.cell is ${cell}`}`;
  const why =
    init.scheme === 'identity'
      ? 'identity (IRNN, Le et al. 2015) is for model.cell=rnn'
      : `pytorch is U(±1/√H), the nn default; orthogonal makes the recurrent weights orthogonal${cell === 'rnn' ? '; identity sets them to I (IRNN)' : ''}`;
  throw new ConfigError('model.init.scheme', init.scheme, allowed, `model.init.scheme must be ${allowed} (got ${init.scheme}): ${why}`);
}
