/**
 * python/gradscope_torch.py's GradscopeRNN (model.arch=rnn) against the real CLI and real PyTorch (see python.ts for
 * the interpreter): `gradscope grads` dumps of every cell, checked tensor by tensor against float64 autograd of
 * nn.RNN / nn.LSTM / nn.GRU + nn.Linear loaded by the dump's names with strict=True. PyTorch's import costs seconds,
 * so one `check` process takes every dump, beside one tests/python/rnn_load.py process for the loading tests.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunLog } from '../../src/io/jsonl.ts';
import { decodeSafetensors, encodeSafetensors, type TensorInput } from '../../src/io/safetensors.ts';
import type { RunConfig } from '../../src/model/config.ts';
import { rnnForwardBackward, rnnParamShapes, type RnnCell, type RnnSpec } from '../../src/reference/index.ts';
import { floatDataset, makeDataset } from '../../src/train/data/index.ts';
import { ROOT, SCRIPT, gradscope, inPairs, python, requireTorch, sets } from './python.ts';
import type { CheckLine, Result } from './python.ts';

/** makeDataset for a data set of float rows (every one but cifar10). */
const makeFloats = async (...args: Parameters<typeof makeDataset>) => floatDataset(await makeDataset(...args));

const dir = mkdtempSync(join(tmpdir(), 'gradscope-rnn-'));
const B = 3;
const SMALL = { 'model.arch': 'rnn', 'data.samples': 64, 'train.batchSize': B };
/** The bar: every gradient within 1e-4 of float64 autograd, norm-relative, per tensor. */
const TOL = 1e-4;
/** Features per time step, and T where the data fixes it (mnist is read as 28 rows of 28 pixels). */
const DATA: Record<string, { channels: number; length?: number; task: string }> = {
  adding: { channels: 2, task: 'regression' },
  order: { channels: 6, task: 'classification' },
  mnist: { channels: 28, length: 28, task: 'classification' },
};

interface Combo {
  cell: RnnCell;
  act: 'tanh' | 'relu';
  depth: number;
  width: number;
  data: keyof typeof DATA;
  /** data.length (ignored by mnist: 28). */
  T: number;
  bptt: number | null;
  init?: string;
  forgetBias?: number;
}
// Every cell at depth 1 and 2 and on every data set; cell rnn with tanh and with relu (IRNN's identity init on
// sequential MNIST); widths 5, 7 and 12; the shortest sequence the CLI takes (T = 2), 9, 17 and mnist's 28; truncation
// to 16 (T − 1), 7, 4 and 1 steps, one per cell at least. Each dump is a CLI process (~3 s of CPU): the file takes about
// 45 s of CPU in all, over two cores; minutes of wall time when other runs share them, hence the long timeouts.
const COMBOS: Combo[] = [
  { cell: 'rnn', act: 'tanh', depth: 1, width: 5, data: 'adding', T: 17, bptt: null },
  { cell: 'rnn', act: 'relu', depth: 2, width: 7, data: 'order', T: 2, bptt: null },
  { cell: 'rnn', act: 'relu', depth: 1, width: 12, data: 'mnist', T: 28, bptt: null, init: 'identity' },
  { cell: 'rnn', act: 'tanh', depth: 2, width: 5, data: 'order', T: 17, bptt: 16, init: 'orthogonal' },
  { cell: 'lstm', act: 'tanh', depth: 2, width: 5, data: 'adding', T: 2, bptt: null },
  { cell: 'lstm', act: 'tanh', depth: 1, width: 7, data: 'order', T: 17, bptt: null, forgetBias: 1 },
  { cell: 'lstm', act: 'tanh', depth: 2, width: 12, data: 'mnist', T: 28, bptt: 7 },
  { cell: 'gru', act: 'tanh', depth: 1, width: 5, data: 'mnist', T: 28, bptt: null },
  { cell: 'gru', act: 'tanh', depth: 2, width: 7, data: 'order', T: 17, bptt: 4 },
  { cell: 'gru', act: 'tanh', depth: 2, width: 12, data: 'adding', T: 9, bptt: 1, init: 'orthogonal' },
];
const NAMES = COMBOS.map((c) => `${c.cell}${c.cell === 'rnn' ? `-${c.act}` : ''}-d${c.depth}-w${c.width}-${c.data}-T${c.T}${c.bptt === null ? '' : `-bptt${c.bptt}`}`);
const DUMPS = NAMES.map((n) => join(dir, `${n}.safetensors`));
const pick = (name: string) => DUMPS[NAMES.indexOf(name)]!;
const LSTM_T2 = pick('lstm-d2-w5-adding-T2'); // the T = 1 files below take its weights and the first step of its batch
const LSTM_ORDER = pick('lstm-d1-w7-order-T17');
const GRU_BPTT = pick('gru-d2-w7-order-T17-bptt4');
const RNN_RELU = pick('rnn-relu-d1-w12-mnist-T28');

const comboSets = (c: Combo) =>
  sets({
    ...SMALL,
    'model.cell': c.cell,
    'model.activation': c.act,
    'model.depth': c.depth,
    'model.width': c.width,
    'data.name': c.data,
    ...(c.data === 'mnist' ? {} : { 'data.length': c.T }),
    ...(c.bptt === null ? {} : { 'train.bptt': c.bptt }),
    ...(c.init ? { 'model.init.scheme': c.init } : {}),
    ...(c.forgetBias ? { 'model.init.forgetBias': c.forgetBias } : {}),
  });

/** An LSTM run with truncation, trained for a few steps and saved, for the loading tests. */
const RUN = sets({ ...SMALL, 'model.cell': 'lstm', 'model.depth': 2, 'model.width': 7, 'data.length': 9, 'train.bptt': 3, 'train.batchSize': 8 });
const runFile = (what: string) => join(dir, `run-${what}`);

/** The param names PyTorch's nn.RNN/LSTM/GRU(num_layers=depth) + nn.Linear head give, in named_parameters order. */
const paramNames = (depth: number) => [
  ...Array.from({ length: depth }, (_, k) => ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].map((w) => `rnn.${w}_l${k}`)).flat(),
  'head.weight',
  'head.bias',
];

const readFile = (f: string) => decodeSafetensors(new Uint8Array(readFileSync(f)), f);
const configOf = (f: string) => JSON.parse(readFile(f).metadata.config!) as RunConfig;

/** A copy of a safetensors file with its tensors and config edited. */
function variant(from: string, to: string, edit: { config?: (c: RunConfig) => void; tensors?: (t: Map<string, TensorInput>) => void }): string {
  const file = readFile(from);
  const config = JSON.parse(file.metadata.config!) as RunConfig;
  edit.config?.(config);
  const tensors = new Map([...file.tensors].map(([name, t]) => [name, { name, ...t } as TensorInput]));
  edit.tensors?.(tensors);
  writeFileSync(to, encodeSafetensors([...tensors.values()], { ...file.metadata, config: JSON.stringify(config) }));
  return to;
}

/** Swaps gate blocks a and b (of G, each H rows) of every recurrent weight and bias, and of its gradient. */
function swapGates(t: Map<string, TensorInput>, G: number, a: number, b: number): void {
  for (const [name, { shape, data }] of t) {
    if (!/^(grad\.)?rnn\./.test(name)) continue;
    const block = (shape[0]! / G) * (shape[1] ?? 1);
    const rowsA = data.slice(a * block, (a + 1) * block);
    data.copyWithin(a * block, b * block, (b + 1) * block);
    data.set(rowsA, b * block);
  }
}

/**
 * T = 1 dumps, which the CLI cannot make (data.length ≥ 2): the weights and the first step of the depth-2 LSTM dump's
 * batch, with src/reference/rnn.ts's float64 gradients. weight_hh's gradient is exactly zero there (h_0 = 0), so its
 * check is the module's absolute bound: ‖g‖ over the whole gradient's norm. `nudged` adds 1e-9 to every entry of
 * grad.rnn.weight_hh_l0 (passes, with a finite error); `wrong` sets grad.rnn.weight_hh_l1 to 1e-2 of the gradient's
 * norm (fails).
 */
function t1Dumps(): Record<'exact' | 'nudged' | 'wrong', string> {
  const file = readFile(LSTM_T2);
  const config = JSON.parse(file.metadata.config!) as RunConfig;
  config.data.length = 1;
  const H = config.model.width;
  const spec: RnnSpec = { cell: 'lstm', inputSize: 2, hidden: H, depth: 2, outputs: 1, task: 'regression' };
  const params = new Map(rnnParamShapes(spec).map(({ name }) => [name, Float64Array.from(file.tensors.get(name)!.data)]));
  const x2 = file.tensors.get('input.x')!;
  const x = new Float32Array(B * 2);
  for (let b = 0; b < B; b++) x.set(x2.data.subarray(b * 2 * 2, b * 2 * 2 + 2), b * 2);
  const y = file.tensors.get('input.y')!;
  const r = rnnForwardBackward(spec, params, { x: Float64Array.from(x), y: y.data, batch: B, length: 1 });
  const total = Math.sqrt([...r.grads.values()].reduce((s, g) => s + g.reduce((a, v) => a + v * v, 0), 0));
  const write = (what: string, edit: (grads: Map<string, Float32Array>) => void) => {
    const grads = new Map([...r.grads].map(([n, g]) => [n, Float32Array.from(g)]));
    expect(grads.get('rnn.weight_hh_l0')!.every((v) => v === 0)).toBe(true);
    edit(grads);
    const tensors: TensorInput[] = [
      ...rnnParamShapes(spec).map(({ name, shape }) => ({ name, dtype: 'F32' as const, shape, data: file.tensors.get(name)!.data })),
      ...rnnParamShapes(spec).map(({ name, shape }) => ({ name: `grad.${name}`, dtype: 'F32' as const, shape, data: grads.get(name)! })),
      { name: 'input.x', dtype: 'F32', shape: [B, 1, 2], data: x },
      { name: 'input.y', dtype: 'F32', shape: [B, 1], data: y.data },
      { name: 'loss', dtype: 'F32', shape: [1], data: Float32Array.of(r.loss) },
    ];
    const f = join(dir, `t1-${what}.safetensors`);
    writeFileSync(f, encodeSafetensors(tensors, { config: JSON.stringify(config) }));
    return f;
  };
  return {
    exact: write('exact', () => {}),
    nudged: write('nudged', (g) => g.get('rnn.weight_hh_l0')!.fill(1e-9)),
    wrong: write('wrong', (g) => (g.get('rnn.weight_hh_l1')![0] = 1e-2 * total)),
  };
}

/** Dumps that must fail: the truncated GRU read as full BPTT and as bptt 5, nn.RNN relu read as tanh, gates swapped. */
function wrongDumps(): Record<'full' | 'bptt5' | 'tanh' | 'lstmGates' | 'gruGates', string> {
  return {
    full: variant(GRU_BPTT, join(dir, 'bad-full.safetensors'), { config: (c) => void (c.train.bptt = null) }),
    bptt5: variant(GRU_BPTT, join(dir, 'bad-bptt5.safetensors'), { config: (c) => void (c.train.bptt = 5) }),
    tanh: variant(RNN_RELU, join(dir, 'bad-tanh.safetensors'), { config: (c) => void (c.model.activation = 'tanh') }),
    // What a dump would hold if the engine kept LSTM gates as f, i, g, o (GRU z, r, n) under PyTorch's names.
    lstmGates: variant(LSTM_ORDER, join(dir, 'bad-lstm-gates.safetensors'), { tensors: (t) => swapGates(t, 4, 0, 1) }),
    gruGates: variant(GRU_BPTT, join(dir, 'bad-gru-gates.safetensors'), { tensors: (t) => swapGates(t, 3, 0, 1) }),
  };
}

interface Loaded {
  module: string;
  isRNN: boolean;
  recurrent: string | null;
  stateDict: string[];
  parameters: string[];
  fileTensors: string[];
  spec: { cell: string; activation: string; length: number | null; bptt: number | null; dIn: number; dOut: number; task: string };
  testLoss?: number;
  gradLogitsDiff?: number;
}

/** Files the module must refuse, each in one line naming what is wrong. */
function badFiles(): Record<'flat' | 'gelu' | 'cell' | 'width', string> {
  return {
    flat: variant(LSTM_T2, join(dir, 'flat-x.safetensors'), { tensors: (t) => void (t.get('input.x')!.shape = [B, 2 * 2]) }),
    gelu: variant(RNN_RELU, join(dir, 'gelu.safetensors'), { config: (c) => void (c.model.activation = 'gelu') }),
    cell: variant(RNN_RELU, join(dir, 'cell.safetensors'), { config: (c) => void ((c.model as { cell: string }).cell = 'mgu') }),
    width: variant(RNN_RELU, join(dir, 'width.safetensors'), { config: (c) => void (c.model.width = 13) }),
  };
}

interface Everything {
  t1: ReturnType<typeof t1Dumps>;
  wrong: ReturnType<typeof wrongDumps>;
  bad: ReturnType<typeof badFiles>;
  check: Result;
  results: Map<string, CheckLine>;
  loaded: Loaded[];
  /** `gradscope_torch.py model` of the truncated GRU dump, and of the dump whose input.x is flat. */
  model: { good: Result; flat: Result };
}
let running: Promise<Everything> | undefined;

/**
 * Every dump and the checkpoint (two CLI processes at a time), then the python processes side by side: one
 * `gradscope_torch.py check --json --tol 1e-4` over every file, rnn_load.py over every dump and the checkpoint, and
 * two of the `model` command.
 */
function everything(): Promise<Everything> {
  running ??= (async () => {
    await requireTorch();
    const jobs = [
      ...COMBOS.map((c, i) => () => gradscope(['grads', ...comboSets(c), '--out', DUMPS[i]!])),
      () => gradscope(['train', ...RUN, '--steps', '3', '--log', runFile('run.jsonl'), '--save', runFile('ck.safetensors')]),
    ];
    const runs = await inPairs(jobs);
    runs.forEach((r, i) => expect(r.code, `${NAMES[i] ?? 'train'}: ${r.stderr}`).toBe(0));
    const config = configOf(runFile('ck.safetensors'));
    const { test } = await makeFloats(config.data, config.seed);
    const T = config.data.length;
    writeFileSync(
      runFile('test.safetensors'),
      encodeSafetensors([
        { name: 'input.x', dtype: 'F32', shape: [test.n, T, 2], data: test.x as Float32Array },
        { name: 'input.y', dtype: 'F32', shape: [test.n, 1], data: test.y as Float32Array },
      ]),
    );
    const t1 = t1Dumps();
    const wrong = wrongDumps();
    const bad = badFiles();
    const loadJobs = [...DUMPS.map((file) => ({ file })), { file: runFile('ck.safetensors'), data: runFile('test.safetensors'), out: runFile('back.safetensors') }];
    const [check, load, good, flat] = await Promise.all([
      python([SCRIPT, 'check', '--json', '--tol', String(TOL), ...DUMPS, ...Object.values(t1), ...Object.values(wrong), ...Object.values(bad)]),
      python([join(ROOT, 'tests', 'python', 'rnn_load.py'), JSON.stringify(loadJobs)]),
      python([SCRIPT, 'model', GRU_BPTT]),
      python([SCRIPT, 'model', bad.flat]),
    ]);
    expect(load.code, load.stderr).toBe(0);
    const results = new Map<string, CheckLine>();
    for (const line of check.stdout.trim().split('\n')) {
      const r = JSON.parse(line) as CheckLine;
      results.set(r.file, r);
    }
    return { t1, wrong, bad, check, results, loaded: load.stdout.trim().split('\n').map((l) => JSON.parse(l) as Loaded), model: { good, flat } };
  })();
  return running;
}

describe('gradscope_torch check: rnn gradient dumps against float64 PyTorch', () => {
  it(`recomputes the loss and every gradient of ${COMBOS.length} rnn configs, each tensor within 1e-4`, async () => {
    const { check, results } = await everything();
    const worst: string[] = [];
    const worstPerCell = new Map<string, number>();
    for (const [i, f] of DUMPS.entries()) {
      const r = results.get(f)!;
      expect(r, NAMES[i]).toBeDefined();
      expect(r.error, NAMES[i]).toBeUndefined();
      expect(r.ok, `${NAMES[i]}: worst ${r.worstTensor} (score ${r.score})`).toBe(true);
      expect(Object.keys(r.errors!), NAMES[i]).toEqual(['loss', ...paramNames(COMBOS[i]!.depth)]);
      // The bar itself, not the module's ratio rule: no tensor here needs float32 PyTorch's error as an excuse.
      for (const [name, err] of Object.entries(r.errors!)) {
        expect(err, `${NAMES[i]} ${name}`).not.toBeNull();
        expect(err, `${NAMES[i]} ${name}`).toBeLessThanOrEqual(TOL);
      }
      expect(r.errors!.loss!).toBeLessThan(1e-6);
      const w = r.worstTensor!;
      const cell = COMBOS[i]!.cell === 'rnn' ? `rnn-${COMBOS[i]!.act}` : COMBOS[i]!.cell;
      worstPerCell.set(cell, Math.max(worstPerCell.get(cell) ?? 0, r.errors![w]!));
      worst.push(`${NAMES[i]} ${w} ${r.errors![w]!.toExponential(1)}`);
    }
    expect(check.code, 'the deliberately wrong dumps (next tests) make the whole check exit 1').toBe(1);
    console.log(`worst per config (tol ${TOL}):\n  ${worst.join('\n  ')}\nworst per cell: ${[...worstPerCell].map(([c, e]) => `${c} ${e.toExponential(1)}`).join(', ')}`);
  }, 240_000);

  it('fails a truncated dump read as full BPTT or another truncation, relu read as tanh, and swapped gate orders', async () => {
    const { results, wrong } = await everything();
    for (const [what, f] of Object.entries(wrong)) {
      const r = results.get(f)!;
      expect(r.error, what).toBeUndefined();
      expect(r.ok, what).toBe(false);
      const off = Object.entries(r.errors!).filter(([, e]) => e === null || e > 1e-3).map(([n]) => n);
      expect(off.length, `${what}: tensors off by over 1e-3`).toBeGreaterThan(0);
      if (what === 'full' || what === 'bptt5') {
        // Only what flows back through time differs: the loss and the head are the same forward pass.
        expect(off.every((n) => n.startsWith('rnn.')), `${what}: ${off.join(', ')}`).toBe(true);
        expect(off).toContain('rnn.weight_hh_l0');
      }
    }
  }, 240_000);

  it("checks T = 1's exactly-zero weight_hh gradient against the whole gradient's norm", async () => {
    const { results, t1 } = await everything();
    const exact = results.get(t1.exact)!;
    expect(exact.ok, `worst ${exact.worstTensor}`).toBe(true);
    expect(exact.errors!['rnn.weight_hh_l0']).toBe(0);
    expect(exact.errors!['rnn.weight_hh_l1']).toBe(0);
    for (const [name, err] of Object.entries(exact.errors!)) expect(err, name).toBeLessThanOrEqual(TOL);
    const nudged = results.get(t1.nudged)!;
    expect(nudged.ok).toBe(true);
    expect(nudged.errors!['rnn.weight_hh_l0']!).toBeGreaterThan(0);
    expect(nudged.errors!['rnn.weight_hh_l0']!).toBeLessThan(1e-6);
    const wrong = results.get(t1.wrong)!;
    expect(wrong.ok).toBe(false);
    expect(wrong.worstTensor).toBe('rnn.weight_hh_l1');
    expect(wrong.errors!['rnn.weight_hh_l1']!).toBeCloseTo(1e-2, 4);
  }, 240_000);

  it('dumps the batch as [B, T, in] sequences of the training split, with their labels', async () => {
    await everything();
    for (const [i, f] of DUMPS.entries()) {
      const c = COMBOS[i]!;
      const file = readFile(f);
      const config = JSON.parse(file.metadata.config!) as RunConfig;
      const { channels, length = c.T, task } = DATA[c.data]!;
      const x = file.tensors.get('input.x')!;
      const y = file.tensors.get('input.y')!;
      expect(x.shape, NAMES[i]).toEqual([B, length, channels]);
      expect(y.dtype, NAMES[i]).toBe(task === 'regression' ? 'F32' : 'I32');
      expect(y.shape, NAMES[i]).toEqual(task === 'regression' ? [B, 1] : [B]);
      expect(config.model.arch).toBe('rnn');
      expect(config.train.bptt).toBe(c.bptt);
      const { train } = await makeFloats(config.data, config.seed);
      const row = length * channels;
      const rows = new Map<string, number>();
      for (let n = 0; n < train.n; n++) rows.set(train.x.subarray(n * row, (n + 1) * row).join(), n);
      for (let b = 0; b < B; b++) {
        const n = rows.get(x.data.subarray(b * row, (b + 1) * row).join());
        expect(n, `${NAMES[i]}: sample ${b} of input.x is no training sequence`).toBeDefined();
        expect(y.data[b], `${NAMES[i]}: label of sample ${b}`).toBe(train.y[n!]);
      }
    }
  }, 240_000);
});

describe('gradscope_torch load_model: rnn files in PyTorch', () => {
  it("loads every dump strictly into a GradscopeRNN whose parameters are exactly the file's weights", async () => {
    const { loaded } = await everything();
    COMBOS.forEach((c, i) => {
      const m = loaded[i]!;
      expect(m.module, NAMES[i]).toBe('GradscopeRNN');
      expect(m.isRNN).toBe(true);
      expect(m.recurrent).toBe({ rnn: 'RNN', lstm: 'LSTM', gru: 'GRU' }[c.cell]);
      expect(m.stateDict, NAMES[i]).toEqual(paramNames(c.depth));
      expect(m.parameters, NAMES[i]).toEqual(paramNames(c.depth));
      expect(m.fileTensors.filter((k) => !/^(grad|input)\.|^loss$/.test(k))).toEqual(paramNames(c.depth));
      const { channels, length = c.T, task } = DATA[c.data]!;
      expect(m.spec, NAMES[i]).toEqual({ cell: c.cell, activation: c.cell === 'rnn' ? c.act : 'tanh', length, bptt: c.bptt, dIn: channels, dOut: c.data === 'adding' ? 1 : c.data === 'order' ? 4 : 10, task });
    });
  }, 240_000);

  it("gives a train --save checkpoint's GPU test loss in eval mode, and saves a file gradscope loads back to the same loss", async () => {
    const { loaded } = await everything();
    const m = loaded[DUMPS.length]!;
    const weights = m.fileTensors.filter((k) => !k.startsWith('optimizer.'));
    expect(m.stateDict).toEqual(weights);
    expect(m.spec).toMatchObject({ cell: 'lstm', length: 9, bptt: 3, task: 'regression' });
    expect(m.gradLogitsDiff).toBe(0);
    const gpu = parseRunLog(readFileSync(runFile('run.jsonl'), 'utf8')).summary!.testLoss!;
    expect(Math.abs(m.testLoss! - gpu) / gpu, `torch ${m.testLoss} vs GPU ${gpu}`).toBeLessThan(1e-4);
    const back = await gradscope(['train', ...RUN, '--steps', '0', '--load', runFile('back.safetensors'), '--log', runFile('back.jsonl')]);
    expect(back.code, back.stderr).toBe(0);
    expect(parseRunLog(readFileSync(runFile('back.jsonl'), 'utf8')).summary!.testLoss).toBe(gpu);
  }, 240_000);
});

describe('gradscope_torch model command on rnn files', () => {
  it('prints the module and what it loaded; an rnn it cannot build is one line (exit 1 from model, an error line from check)', async () => {
    const { model, results, bad } = await everything();
    const { good, flat } = model;
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/^GradscopeRNN\(\n\s+bptt=4\n\s+\(rnn\): GRU\(6, 7, num_layers=2, batch_first=True\)\n\s+\(head\): Linear\(in_features=7, out_features=4, bias=True\)/);
    expect(good.stdout).toMatch(/loaded 10 tensors from .* strictly \(classification; ignored 13 that are not weights\)/);
    expect(flat.code, flat.stdout).toBe(1);
    expect(flat.stderr.trim().split('\n')).toHaveLength(1);
    expect(flat.stderr).not.toMatch(/Traceback/);
    const error = (f: string) => results.get(f)!.error;
    for (const f of Object.values(bad)) expect(error(f)?.startsWith(`${f}: `), `${f}: ${error(f)}`).toBe(true);
    expect(flat.stderr).toMatch(/input\.x has shape \[3, 4\]; an rnn's batch is sequences, \[B, T, 2\]/);
    expect(error(bad.flat)).toMatch(/input\.x has shape \[3, 4\]; an rnn's batch is sequences, \[B, T, 2\]/);
    expect(error(bad.gelu)).toMatch(/model\.activation "gelu" is not supported by an rnn with model\.cell rnn \(nn\.RNN's nonlinearities\) \(it takes tanh, relu\)/);
    expect(error(bad.cell)).toMatch(/model\.cell "mgu" is not supported by an rnn \(it takes rnn, lstm, gru\)/);
    expect(error(bad.width)).toMatch(/rnn\.weight_ih_l0 has shape \[12, 28\], but model\.cell rnn with model\.width 13 needs G·H = 1·13 = 13 rows/);
  }, 240_000);
});
