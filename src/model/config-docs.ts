/**
 * One line per RunConfig field, for `gradscope COMMAND --help` and tooltips. Typed against the schema
 * (a field added to FIELDS without a line here does not compile), so the help cannot drift from it.
 */
import type { ConfigPath } from './config-schema.ts';

export const FIELD_DOCS = {
  seed: 'drives init, data and shuffling: the same seed gives the same run',
  'data.name': 'the data set; csv reads data.path, mnist is the shipped 3,000-digit subset, shapes is 32×32 RGB images of ten shapes made from the seed, cifar10 is your own copy of CIFAR-10 (binary version) read from data.path; adding is the adding problem (regress the sum of the two marked values in a sequence; predicting 1 scores MSE ≈ 0.167); order is the temporal order problem (which of X and Y came first and second among distractors: 4 classes, chance 25%); model.arch=rnn reads adding, order, and mnist as 28 time steps of one 28-pixel row each',
  'data.samples': 'samples generated (synthetic sets; mnist takes the first this many digits; csv and cifar10 use every sample of their files)',
  'data.length': 'adding, order: T, the time steps of every sequence (an rnn reads them one at a time, an MLP all T at once; other data sets ignore it)',
  'data.noise': 'noise added to the synthetic sets (adding and order have none)',
  'data.testFraction': 'share of the samples held out as the test set (cifar10 keeps its own split: the data_batch files train, test_batch.bin tests)',
  'data.path': 'csv: the file (numeric columns, the last one the label); cifar10: the folder of data_batch_1..5.bin and test_batch.bin, or a file in it (the page picks the files instead)',
  'data.augment': 'cifar10 only: crop-flip pads each training image by 4 zero pixels, crops a random 32×32 window and flips it left-right half the time, drawn anew every step on the GPU (the test set is never augmented)',
  'model.arch': 'mlp: the canonical deep MLP; resnet: the CIFAR ResNets of He et al. 2016 on image data (mnist, shapes, cifar10), by default ResNet-20 (16 channels, batch norm, identity shortcuts) on shapes, trained with momentum at lr 0.02 on batches of 32; rnn: a recurrent net through time (nn.RNN, nn.LSTM or nn.GRU, see model.cell) on sequences (adding, order, mnist row by row), by default one LSTM layer of 64 units on adding, trained with adam at lr 0.001 on batches of 32, the gradient norm clipped at 1',
  'model.cell': 'model.arch=rnn only: rnn is nn.RNN (its nonlinearity is model.activation, tanh or relu), lstm is nn.LSTM (gates i, f, g, o), gru is nn.GRU (gates r, z, n)',
  'model.depth': 'mlp: hidden blocks (the layers between input and head); resnet: weight layers, 6n + 2 (20, 32, 44, 56, 110, …); rnn: stacked recurrent layers, 1 to 8',
  'model.width': 'mlp: units per hidden block; resnet: channels of the first stage (16 in He et al.), doubled in each later stage; rnn: hidden units H of every layer',
  'model.activation': 'φ, applied in every block (rnn: the nonlinearity of model.cell=rnn, tanh or relu; lstm and gru ignore it)',
  'model.norm': 'normalization before φ in every block (rnn: none only)',
  'model.residual': 'skip connections: h = h_prev + α·φ(...) from the second block on (resnet: around every basic block; none gives the plain nets of Fig. 6); rezero learns α from 0; rnn: none only',
  'model.init.scheme': "weight init, with PyTorch's formulas (meanfield: W ~ N(0, σ_w²/fan_in), b ~ N(0, σ_b²)); model.arch=rnn takes pytorch (U(±1/√H), the nn default), orthogonal (orthogonal recurrent weights) or, with model.cell=rnn, identity (IRNN, Le et al. 2015: recurrent weights W_hh = I, the others small)",
  'model.init.gain': 'multiplies the init scale; with identity skips, ≈1/√depth keeps the forward pass bounded',
  'model.init.sigmaW2': 'meanfield only: σ_w²',
  'model.init.sigmaB2': 'meanfield only: σ_b²',
  'model.init.forgetBias': "model.arch=rnn with model.cell=lstm only: added to the forget gate's bias b_f of every LSTM layer at init (0 is PyTorch's; Jozefowicz et al. 2015 recommend 1)",
  'train.optimizer': "the update rule, as torch.optim's",
  'train.lr': 'learning rate',
  'train.momentum': 'momentum only: μ',
  'train.weightDecay': 'L2 penalty (sgd, momentum, adam) or decoupled decay (adamw)',
  'train.batchSize': 'samples per step',
  'train.steps': 'the run ends after this many steps in all (a resumed run continues to it)',
  'train.clip.mode': 'clip the gradient before the update: by global L2 norm, or each entry by value',
  'train.clip.max': 'the clipping threshold τ',
  'train.bptt': 'model.arch=rnn only: the gradient flows back through only the last this many time steps (truncated backpropagation through time; the hidden state before them is held constant); null is full backpropagation through time',
  'log.every': 'record statistics every this many steps (the last step always)',
} as const satisfies Record<ConfigPath, string>;
