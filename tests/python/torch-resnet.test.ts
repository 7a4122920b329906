/**
 * python/gradscope_torch.py's GradscopeResNet (model.arch=resnet) against the real CLI and real PyTorch (see python.ts
 * for the interpreter). PyTorch's import costs seconds, so each python process takes every file it can.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunLog } from '../../src/io/jsonl.ts';
import { decodeSafetensors, encodeSafetensors, type TensorInput } from '../../src/io/safetensors.ts';
import type { RunConfig } from '../../src/model/config.ts';
import { floatDataset, makeDataset } from '../../src/train/data/index.ts';
import { ROOT, SCRIPT, gradscope, inPairs, python, requireTorch, sets } from './python.ts';
import type { CheckLine } from './python.ts';

/** makeDataset for a data set of float rows (every one but cifar10). */
const makeFloats = async (...args: Parameters<typeof makeDataset>) => floatDataset(await makeDataset(...args));

const dir = mkdtempSync(join(tmpdir(), 'gradscope-resnet-'));
const SMALL = { 'model.arch': 'resnet', 'data.samples': 64, 'train.batchSize': 8 };
/** The bar: every gradient within 1e-4 of float64 autograd, norm-relative, per tensor. */
const TOL = 1e-4;

// [depth, width, activation, norm, residual, data]: every residual with and without batch norm, the deepest plain
// batch-norm chain this machine affords at 32×32 (ResNet-20's layout at width 4), and MNIST's 28×28×1.
const COMBOS: [number, number, string, string, string, string][] = [
  [8, 4, 'relu', 'batch', 'identity', 'shapes'],
  [14, 8, 'tanh', 'batch', 'rezero', 'shapes'],
  [20, 4, 'relu', 'batch', 'identity', 'shapes'],
  [20, 4, 'relu', 'batch', 'none', 'shapes'],
  [20, 8, 'tanh', 'none', 'identity', 'shapes'],
  [8, 8, 'relu', 'none', 'rezero', 'shapes'],
  [14, 4, 'tanh', 'none', 'none', 'shapes'],
  [14, 4, 'relu', 'batch', 'identity', 'mnist'],
];
const NAMES = COMBOS.map((c) => `r${c.join('-')}`);
const DUMPS = NAMES.map((n) => join(dir, `${n}.safetensors`));
const RESNET20 = DUMPS[2]!; // akamaster's resnet20 (relu, batch norm, option A shortcuts) at width 4

let dumping: Promise<void> | undefined;

/** `gradscope grads` for every combo, once for the whole file. */
function dumps(): Promise<void> {
  dumping ??= inPairs(
    COMBOS.map(([depth, width, activation, norm, residual, data], i) => () =>
      gradscope(['grads', ...sets({ ...SMALL, 'model.depth': depth, 'model.width': width, 'model.activation': activation, 'model.norm': norm, 'model.residual': residual, 'data.name': data }), '--out', DUMPS[i]!]),
    ),
  ).then((runs) => runs.forEach((r, i) => expect(r.code, `${NAMES[i]}: ${r.stderr}`).toBe(0)));
  return dumping;
}

let checking: Promise<{ code: number; results: Map<string, CheckLine> }> | undefined;

/** One `gradscope_torch.py check --json --tol 1e-4` over every dump. */
function checkAll() {
  checking ??= (async () => {
    await requireTorch();
    await dumps();
    const check = await python([SCRIPT, 'check', '--json', '--tol', String(TOL), ...DUMPS]);
    const results = new Map<string, CheckLine>();
    for (const line of check.stdout.trim().split('\n')) {
      const r = JSON.parse(line) as CheckLine;
      results.set(r.file, r);
    }
    return { code: check.code, results };
  })();
  return checking;
}

describe('gradscope_torch check: resnet gradient dumps against float64 PyTorch', () => {
  it('recomputes the loss and every gradient of 8 resnet configs, each tensor within 1e-4', async () => {
    const { code, results } = await checkAll();
    const worst: string[] = [];
    for (const [i, f] of DUMPS.entries()) {
      const r = results.get(f)!;
      expect(r.error, f).toBeUndefined();
      expect(r.ok, `${f}: worst ${r.worstTensor} (score ${r.score})`).toBe(true);
      // The bar itself, not the module's ratio rule: no tensor here needs float32 PyTorch's error as an excuse.
      for (const [name, err] of Object.entries(r.errors!)) expect(err, `${NAMES[i]} ${name}`).toBeLessThanOrEqual(TOL);
      const [depth] = COMBOS[i]!;
      expect(Object.keys(r.errors!)).toContain(`layer3.${(depth - 2) / 6 - 1}.conv2.weight`);
      expect(Object.keys(r.errors!)).toContain('linear.bias');
      expect(r.errors!.loss!).toBeLessThan(1e-6);
      worst.push(`${NAMES[i]} ${r.worstTensor} ${r.errors![r.worstTensor!]!.toExponential(1)}`);
    }
    expect(code).toBe(0);
    console.log(`worst per config (tol ${TOL}):\n  ${worst.join('\n  ')}`);
  }, 120_000);

  it("checks ReZero's α and its blocks' exactly-zero gradients (α = 0 at init)", async () => {
    const { results } = await checkAll();
    const r = results.get(DUMPS[1]!)!; // depth 14, batch norm, rezero
    for (const name of ['layer1.0.conv1.weight', 'layer2.1.bn2.weight', 'layer3.0.conv2.weight']) expect(r.errors![name], name).toBe(0);
    expect(r.errors!['layer3.1.alpha']!).toBeLessThan(TOL);
    expect(Object.keys(r.errors!).filter((k) => k.endsWith('.alpha'))).toHaveLength(6);
  }, 120_000);

  it('dumps the very images of the training split, NCHW, with their labels', async () => {
    await dumps();
    for (const [i, f] of DUMPS.entries()) {
      const file = decodeSafetensors(new Uint8Array(readFileSync(f)), f);
      const config = JSON.parse(file.metadata.config!) as RunConfig;
      const { train, image } = await makeFloats(config.data, config.seed);
      const { channels: C, height: H, width: W } = image!;
      const x = file.tensors.get('input.x')!;
      const y = file.tensors.get('input.y')!.data as Int32Array;
      expect(x.shape, NAMES[i]).toEqual([8, C, H, W]);
      expect([C, H, W]).toEqual(COMBOS[i]![5] === 'mnist' ? [1, 28, 28] : [3, 32, 32]);
      const rows = new Map<string, number>();
      for (let n = 0; n < train.n; n++) rows.set(train.x.subarray(n * H * W * C, (n + 1) * H * W * C).join(), n);
      for (let b = 0; b < 8; b++) {
        const nhwc = new Float32Array(H * W * C);
        for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) nhwc[p * C + c] = x.data[(b * C + c) * H * W + p] as number;
        const n = rows.get(nhwc.join());
        expect(n, `${NAMES[i]}: sample ${b} of input.x, read as NCHW, is no training image`).toBeDefined();
        expect(y[b]).toBe(train.y[n!]);
      }
    }
  }, 120_000);
});

/** akamaster/pytorch_resnet_cifar10's resnet.py state_dict names, in its order, less its num_batches_tracked. */
function akamasterKeys(depth: number): string[] {
  const bn = (p: string) => ['weight', 'bias', 'running_mean', 'running_var'].map((s) => `${p}.${s}`);
  const keys = ['conv1.weight', ...bn('bn1')];
  for (let s = 1; s <= 3; s++) {
    for (let i = 0; i < (depth - 2) / 6; i++) keys.push(`layer${s}.${i}.conv1.weight`, ...bn(`layer${s}.${i}.bn1`), `layer${s}.${i}.conv2.weight`, ...bn(`layer${s}.${i}.bn2`));
  }
  return [...keys, 'linear.weight', 'linear.bias'];
}

const RUNS = {
  identity: { 'model.activation': 'relu', 'model.norm': 'batch', 'model.residual': 'identity', 'model.depth': 8, 'model.width': 4 },
  rezero: { 'model.activation': 'tanh', 'model.norm': 'batch', 'model.residual': 'rezero', 'model.depth': 8, 'model.width': 4, 'train.optimizer': 'adam' },
};
type Run = keyof typeof RUNS;
const RUN_NAMES = Object.keys(RUNS) as Run[];
const runFile = (n: Run, what: string) => join(dir, `${n}-${what}`);

interface Loaded {
  module: string;
  isResNet: boolean;
  stateDict: string[];
  parameters: string[];
  fileTensors: string[];
  batchNorms: number;
  image: number[];
  testLoss?: number;
  logits?: number[][];
}
let loading: Promise<{ dumps: Loaded[]; runs: Loaded[] }> | undefined;

/** Every dump, and each run's `train --save` checkpoint with its test split, through tests/python/resnet_load.py. */
function loadAll() {
  loading ??= (async () => {
    await requireTorch();
    await dumps();
    const trained = await inPairs(RUN_NAMES.map((n) => () => gradscope(['train', ...sets({ ...SMALL, 'data.name': 'shapes', ...RUNS[n] }), '--steps', '3', '--log', runFile(n, 'run.jsonl'), '--save', runFile(n, 'ck.safetensors')])));
    trained.forEach((r, i) => expect(r.code, `${RUN_NAMES[i]}: ${r.stderr}`).toBe(0));
    for (const n of RUN_NAMES) {
      const config = JSON.parse(decodeSafetensors(new Uint8Array(readFileSync(runFile(n, 'ck.safetensors')))).metadata.config!) as RunConfig;
      const { test, image } = await makeFloats(config.data, config.seed);
      const { channels: C, height: H, width: W } = image!;
      const nchw = new Float32Array(test.x.length);
      for (let s = 0; s < test.n; s++) for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) nchw[(s * C + c) * H * W + p] = test.x[(s * H * W + p) * C + c]!;
      const x: TensorInput = { name: 'input.x', dtype: 'F32', shape: [test.n, C, H, W], data: nchw };
      writeFileSync(runFile(n, 'test.safetensors'), encodeSafetensors([x, { name: 'input.y', dtype: 'I32', shape: [test.n], data: Int32Array.from(test.y) }]));
    }
    const jobs = [...DUMPS.map((file) => ({ file })), ...RUN_NAMES.map((n) => ({ file: runFile(n, 'ck.safetensors'), data: runFile(n, 'test.safetensors') }))];
    const py = await python([join(ROOT, 'tests', 'python', 'resnet_load.py'), JSON.stringify(jobs)]);
    expect(py.code, py.stderr).toBe(0);
    const out = py.stdout.trim().split('\n').map((l) => JSON.parse(l) as Loaded);
    return { dumps: out.slice(0, DUMPS.length), runs: out.slice(DUMPS.length) };
  })();
  return loading;
}

const isRunningStat = (k: string) => /\.running_(mean|var)$/.test(k);

describe('gradscope_torch load_model: resnet files in PyTorch', () => {
  it("loads every dump strictly into a GradscopeResNet whose parameters are the file's weights", async () => {
    const { dumps: loaded } = await loadAll();
    loaded.forEach((m, i) => {
      const [, , , norm, residual, data] = COMBOS[i]!;
      const weights = m.fileTensors.filter((k) => !/^(grad|input)\.|^loss$/.test(k));
      expect(m.isResNet, NAMES[i]).toBe(true);
      expect([...m.parameters].sort(), NAMES[i]).toEqual(weights.filter((k) => !isRunningStat(k)).sort());
      // A grads dump may leave out batch norm's running buffers (they are at their initial values): the rest is the file's.
      expect(m.stateDict.filter((k) => !isRunningStat(k) || weights.includes(k)).sort(), NAMES[i]).toEqual(weights.sort());
      expect(m.stateDict.some(isRunningStat)).toBe(norm === 'batch');
      expect(m.stateDict.filter((k) => k.endsWith('.alpha')).length > 0).toBe(residual === 'rezero');
      expect(m.image).toEqual(data === 'mnist' ? [1, 28, 28] : [3, 32, 32]);
      expect(m.stateDict.some((k) => k.includes('num_batches_tracked'))).toBe(false);
    });
  }, 120_000);

  it("names ResNet-20's state_dict as akamaster's resnet20() does, without num_batches_tracked", async () => {
    const { dumps: loaded } = await loadAll();
    const want = akamasterKeys(20);
    expect(want).toHaveLength(116 - 19); // resnet20(): 116 keys, 19 of them num_batches_tracked (one per BatchNorm2d)
    expect(loaded[DUMPS.indexOf(RESNET20)]!.stateDict).toEqual(want);
    expect(loaded[DUMPS.indexOf(RESNET20)]!.batchNorms).toBe(19);
    expect(loaded[DUMPS.indexOf(DUMPS[7]!)]!.stateDict).toEqual(akamasterKeys(14)); // mnist, depth 14
  }, 120_000);

  it("loads a train --save checkpoint strictly, with exactly the file's names, and gives the GPU run's test loss in eval mode", async () => {
    const { runs } = await loadAll();
    for (const [i, n] of RUN_NAMES.entries()) {
      const m = runs[i]!;
      const weights = m.fileTensors.filter((k) => !k.startsWith('optimizer.'));
      expect([...m.stateDict].sort(), n).toEqual(weights.sort());
      expect(m.stateDict.filter((k) => !k.endsWith('.alpha'))).toEqual(akamasterKeys(8));
      const gpu = parseRunLog(readFileSync(runFile(n, 'run.jsonl'), 'utf8')).summary!.testLoss!;
      expect(Math.abs(m.testLoss! - gpu) / gpu, `${n}: torch ${m.testLoss} vs GPU ${gpu}`).toBeLessThan(1e-4);
    }
  }, 120_000);
});

/** A copy of a safetensors file with its config edited. */
function withConfig(from: string, to: string, edit: (config: RunConfig) => void): string {
  const file = decodeSafetensors(new Uint8Array(readFileSync(from)), from);
  const config = JSON.parse(file.metadata.config!) as RunConfig;
  edit(config);
  writeFileSync(to, encodeSafetensors([...file.tensors].map(([name, t]) => ({ name, ...t }) as TensorInput), { ...file.metadata, config: JSON.stringify(config) }));
  return to;
}

describe('gradscope_torch model command on resnet files', () => {
  it('prints the module and what it loaded; a resnet it cannot build is one line and exit 1', async () => {
    await loadAll(); // the checkpoints
    const ck = runFile('identity', 'ck.safetensors');
    const noImage = withConfig(ck, join(dir, 'csv-resnet.safetensors'), (c) => void (c.data.name = 'csv'));
    const layerNorm = withConfig(ck, join(dir, 'layer-resnet.safetensors'), (c) => void (c.model.norm = 'layer'));
    const badDepth = withConfig(ck, join(dir, 'depth-resnet.safetensors'), (c) => void (c.model.depth = 9));
    const [good, ...bad] = await Promise.all([RESNET20, noImage, layerNorm, badDepth].map((f) => python([SCRIPT, 'model', f])));
    expect(good!.code, good!.stderr).toBe(0);
    expect(good!.stdout).toMatch(/^GradscopeResNet\(/);
    expect(good!.stdout).toMatch(/\(conv1\): Conv2d\(3, 4, kernel_size=\(3, 3\), stride=\(1, 1\), padding=\(1, 1\), bias=False\)/);
    expect(good!.stdout).toMatch(/\(layer3\): Sequential\(\s+\(0\): BasicBlock\(\s+residual=identity\s+\(conv1\): Conv2d\(8, 16, kernel_size=\(3, 3\), stride=\(2, 2\)/);
    expect(good!.stdout).toMatch(/\(shortcut\): ShortcutA\(stride=2, pad_channels=4\)/);
    expect(good!.stdout).toMatch(/BatchNorm2d\(16, eps=1e-05, momentum=0\.1/);
    expect(good!.stdout).toMatch(/\(linear\): Linear\(in_features=16, out_features=10, bias=True\)/);
    expect(good!.stdout).toMatch(/loaded 59 tensors from .* strictly \(classification; ignored 62 that are not weights; 38 batch norm buffers at their initial values/);
    for (const r of bad) {
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/Traceback/);
    }
    expect(bad[0]!.stderr).toMatch(/data\.name "csv" is not image data gradscope_torch knows the shape of \(mnist 28×28×1, shapes 32×32×3, cifar10 32×32×3\)/);
    expect(bad[1]!.stderr).toMatch(/model\.norm "layer" is not supported by a resnet \(it takes none, batch\)/);
    expect(bad[2]!.stderr).toMatch(/model\.depth 9 is not a resnet depth \(6n \+ 2/);
  }, 120_000);
});
