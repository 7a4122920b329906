// Every WGSL file, imported as text (Vite's ?raw; the CLI registers a loader that does the same).
import activationFnsWgsl from '../../shaders/activation_fns.wgsl?raw';
import activationWgsl from '../../shaders/activation.wgsl?raw';
import convWgsl from '../../shaders/conv.wgsl?raw';
import dataWgsl from '../../shaders/data.wgsl?raw';
import gemmFnsWgsl from '../../shaders/gemm_fns.wgsl?raw';
import linearWgsl from '../../shaders/linear.wgsl?raw';
import lossWgsl from '../../shaders/loss.wgsl?raw';
import matmulWgsl from '../../shaders/matmul.wgsl?raw';
import normWgsl from '../../shaders/norm.wgsl?raw';
import optimizerWgsl from '../../shaders/optimizer.wgsl?raw';
import peakWgsl from '../../shaders/peak.wgsl?raw';
import poolWgsl from '../../shaders/pool.wgsl?raw';
import reduceWgsl from '../../shaders/reduce.wgsl?raw';
import rnnWgsl from '../../shaders/rnn.wgsl?raw';
import rowNormsWgsl from '../../shaders/row_norms.wgsl?raw';
import rowSumsWgsl from '../../shaders/row_sums.wgsl?raw';
import segmentsFnsWgsl from '../../shaders/segments_fns.wgsl?raw';
import shortcutWgsl from '../../shaders/shortcut.wgsl?raw';
import statsWgsl from '../../shaders/stats.wgsl?raw';
import sumsqFnsWgsl from '../../shaders/sumsq_fns.wgsl?raw';
import { composeShader, type WgslFile } from '../gpu/kernel.ts';

const file = (name: string, code: string): WgslFile => ({ file: `shaders/${name}`, code });

export const activationFns = file('activation_fns.wgsl', activationFnsWgsl);
export const sumsqFns = file('sumsq_fns.wgsl', sumsqFnsWgsl);
export const segmentsFns = file('segments_fns.wgsl', segmentsFnsWgsl);
export const gemmFns = file('gemm_fns.wgsl', gemmFnsWgsl);
const rowSums = file('row_sums.wgsl', rowSumsWgsl);
const rowNorms = file('row_norms.wgsl', rowNormsWgsl);

export const SHADERS = {
  activation: composeShader(file('activation.wgsl', activationWgsl), activationFns),
  data: composeShader(file('data.wgsl', dataWgsl)),
  linear: composeShader(file('linear.wgsl', linearWgsl), activationFns, sumsqFns),
  loss: composeShader(file('loss.wgsl', lossWgsl)),
  matmul: composeShader(file('matmul.wgsl', matmulWgsl), activationFns, gemmFns, rowSums),
  /** The logged weight gradient: matmul with row_norms.wgsl's ninth binding. */
  matmulNorms: composeShader(file('matmul.wgsl', matmulWgsl), activationFns, sumsqFns, gemmFns, rowNorms),
  conv: composeShader(file('conv.wgsl', convWgsl), activationFns, gemmFns, rowSums),
  norm: composeShader(file('norm.wgsl', normWgsl)),
  optimizer: composeShader(file('optimizer.wgsl', optimizerWgsl), sumsqFns, segmentsFns),
  peak: composeShader(file('peak.wgsl', peakWgsl)),
  pool: composeShader(file('pool.wgsl', poolWgsl)),
  reduce: composeShader(file('reduce.wgsl', reduceWgsl), sumsqFns, segmentsFns),
  rnn: composeShader(file('rnn.wgsl', rnnWgsl), activationFns, sumsqFns, gemmFns, rowSums),
  shortcut: composeShader(file('shortcut.wgsl', shortcutWgsl)),
  stats: composeShader(file('stats.wgsl', statsWgsl), activationFns),
} as const;
