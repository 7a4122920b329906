/**
 * python/gradscope_torch.py against the real CLI and real PyTorch (see python.ts for the interpreter). PyTorch's
 * import costs seconds, so each python process takes every file it can.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunLog } from '../../src/io/jsonl.ts';
import { decodeSafetensors, encodeSafetensors, type TensorInput } from '../../src/io/safetensors.ts';
import type { RunConfig } from '../../src/model/config.ts';
import { netForward, type BlockParams, type NetParams, type NetSpec } from '../../src/reference/index.ts';
import { floatDataset, makeDataset } from '../../src/train/data/index.ts';
import { ROOT, SCRIPT, gradscope, inPairs, python, requireTorch, sets } from './python.ts';
import type { CheckLine } from './python.ts';

/** makeDataset for a data set of float rows (every one but cifar10). */
const makeFloats = async (...args: Parameters<typeof makeDataset>) => floatDataset(await makeDataset(...args));

const dir = mkdtempSync(join(tmpdir(), 'gradscope-torch-'));
const SMALL = { 'model.width': 8, 'data.samples': 64, 'train.batchSize': 16 };

// Depth 20: every activation twice, every norm and residual four times, a third of them regression (teacher).
const COMBOS: [string, string, string, string][] = [
  ['relu', 'batch', 'none', 'spiral'],
  ['tanh', 'layer', 'identity', 'spiral'],
  ['sigmoid', 'none', 'rezero', 'spiral'],
  ['gelu', 'batch', 'identity', 'spiral'],
  ['leaky_relu', 'layer', 'rezero', 'circles'],
  ['linear', 'batch', 'none', 'spiral'],
  ['gelu', 'none', 'none', 'teacher'],
  ['tanh', 'batch', 'rezero', 'teacher'],
  ['relu', 'layer', 'none', 'xor'],
  ['sigmoid', 'batch', 'identity', 'teacher'],
  ['leaky_relu', 'none', 'identity', 'gaussians'],
  ['linear', 'layer', 'identity', 'teacher'],
];

const DUMPS = COMBOS.map(([a, n, r, d]) => join(dir, `${a}-${n}-${r}-${d}.safetensors`));
let dumping: Promise<void> | undefined;

/** `gradscope grads` for every combo, once for the whole file. */
function dumps(): Promise<void> {
  dumping ??= inPairs(
    COMBOS.map(([activation, norm, residual, data], i) => () =>
      gradscope(['grads', ...sets({ ...SMALL, 'model.depth': 20, 'model.activation': activation, 'model.norm': norm, 'model.residual': residual, 'data.name': data }), '--out', DUMPS[i]!]),
    ),
  ).then((runs) => runs.forEach((r) => expect(r.code, r.stderr).toBe(0)));
  return dumping;
}

/** A copy of a safetensors file with its tensors and metadata edited. */
function rewrite(from: string, to: string, edit: (tensors: TensorInput[], meta: Record<string, string>) => void): string {
  const file = decodeSafetensors(new Uint8Array(readFileSync(from)), from);
  const tensors: TensorInput[] = [...file.tensors].map(([name, t]) => ({ name, ...t }) as TensorInput);
  const meta = { ...file.metadata };
  edit(tensors, meta);
  writeFileSync(to, encodeSafetensors(tensors, meta));
  return to;
}

type Bad = 'weight' | 'key' | 'arch' | 'extras';

/** Files that must not pass as they are, and one that must: each a copy of a good dump with one thing changed. */
function badFiles(): Record<Bad, string> {
  const src = DUMPS[1]!; // tanh, layer norm, identity skips
  const tensor = (t: TensorInput[], name: string) => t.find((x) => x.name === name)!;
  return {
    // One weight of 64 nudged by about a tenth of its typical size: the file's gradients no longer belong to its weights.
    weight: rewrite(src, join(dir, 'one-weight.safetensors'), (t) => {
      (tensor(t, 'blocks.7.weight').data as Float32Array)[5]! += 0.03;
    }),
    key: rewrite(src, join(dir, 'wrong-key.safetensors'), (t) => {
      tensor(t, 'blocks.3.bias').name = 'blocks.3.biases';
    }),
    arch: rewrite(src, join(dir, 'resnet.safetensors'), (_, meta) => {
      const config = JSON.parse(meta.config!) as { model: Record<string, unknown> };
      config.model.arch = 'transformer';
      meta.config = JSON.stringify(config);
    }),
    // What a resumable --save file will carry besides the weights: optimizer moments and more metadata.
    extras: rewrite(DUMPS[0]!, join(dir, 'with-optimizer.safetensors'), (t, meta) => {
      for (const p of t.filter((x) => /^(blocks|head)\./.test(x.name)).slice(0, 6)) {
        for (const s of ['momentum_buffer', 'exp_avg', 'exp_avg_sq']) t.push({ ...p, name: `optimizer.${p.name}.${s}` });
      }
      Object.assign(meta, { step: '1', sampler: '{"epoch":0}' });
    }),
  };
}

interface Checked {
  code: number;
  results: Map<string, CheckLine>;
  bad: Record<Bad, string>;
}
let checking: Promise<Checked> | undefined;

/** One `gradscope_torch.py check --json` over every dump and every bad file. */
function checkAll(): Promise<Checked> {
  checking ??= (async () => {
    await requireTorch();
    await dumps();
    const bad = badFiles();
    const check = await python([SCRIPT, 'check', '--json', ...DUMPS, ...Object.values(bad)]);
    const results = new Map<string, CheckLine>();
    for (const line of check.stdout.trim().split('\n')) {
      const r = JSON.parse(line) as CheckLine;
      results.set(r.file, r);
    }
    return { code: check.code, results, bad };
  })();
  return checking;
}

describe('gradscope_torch check: GPU gradient dumps against float64 PyTorch', () => {
  it('recomputes the loss and every gradient of 12 depth-20 configs and finds them within tolerance', async () => {
    const { results } = await checkAll();
    for (const f of DUMPS) {
      const r = results.get(f)!;
      expect(r.error, f).toBeUndefined();
      expect(r.ok, `${f}: worst ${r.worstTensor} (score ${r.score})`).toBe(true);
      expect(Object.keys(r.errors!)).toContain('blocks.19.weight');
      expect(r.errors!.loss!).toBeLessThan(1e-5);
    }
    // ReZero's blocks past the first have α = 0 at init, so their weights' gradients are exactly zero on both sides.
    expect(results.get(DUMPS[2]!)!.errors!['blocks.5.weight']).toBe(0);
    expect(results.get(DUMPS[2]!)!.errors!['blocks.5.alpha']!).toBeLessThan(1e-3);
  }, 240_000);

  it('ignores optimizer state and unknown metadata, as a resumable checkpoint carries them', async () => {
    const { results, bad } = await checkAll();
    expect(results.get(bad.extras)).toMatchObject({ ok: true });
  }, 240_000);

  it('fails (exit 1) when one weight no longer matches its gradients', async () => {
    const { results, bad, code } = await checkAll();
    expect(code).toBe(1);
    const r = results.get(bad.weight)!;
    expect(r.ok, JSON.stringify(r)).toBe(false);
    expect(r.score!).toBeGreaterThan(1);
  }, 240_000);

  it('refuses a file with a wrong key or an architecture it cannot build yet, in one line naming it', async () => {
    const { results, bad } = await checkAll();
    expect(results.get(bad.key)!.error).toMatch(/tensor blocks\.3\.biases does not belong to this network/);
    expect(results.get(bad.arch)!.error).toMatch(/model\.arch "transformer" is not supported by gradscope_torch yet \(it takes mlp, resnet, rnn\)/);
  }, 240_000);
});

/** The float64 reference network of a checkpoint's tensors (src/reference), for logits to hold PyTorch's against. */
function referenceOf(path: string): { spec: NetSpec; params: NetParams; config: RunConfig } {
  const file = decodeSafetensors(new Uint8Array(readFileSync(path)), path);
  const config = JSON.parse(file.metadata.config!) as RunConfig;
  const t = (name: string) => file.tensors.get(name) && Float64Array.from(file.tensors.get(name)!.data);
  const { depth, width, activation, norm, residual } = config.model;
  const blocks: BlockParams[] = Array.from({ length: depth }, (_, l) => {
    const b: BlockParams = { weight: t(`blocks.${l}.weight`)!, bias: t(`blocks.${l}.bias`)! };
    const [gamma, beta, mean, variance, alpha] = ['norm.weight', 'norm.bias', 'norm.running_mean', 'norm.running_var', 'alpha'].map((s) => t(`blocks.${l}.${s}`));
    Object.assign(b, gamma && { gamma, beta }, mean && { runningMean: mean, runningVar: variance }, alpha && { alpha: alpha[0] });
    return b;
  });
  const head = { weight: t('head.weight')!, bias: t('head.bias')! };
  const [inputDim, outputDim] = [file.tensors.get('blocks.0.weight')!.shape[1]!, file.tensors.get('head.weight')!.shape[0]!];
  const task = config.data.name === 'teacher' ? 'regression' : 'classification';
  return { spec: { inputDim, outputDim, width, depth, activation, norm, residual, task }, params: { blocks, head }, config };
}

const RUNS = {
  bn: { 'model.activation': 'gelu', 'model.norm': 'batch', 'model.residual': 'rezero', 'data.name': 'spiral', 'train.optimizer': 'adam' },
  ln: { 'model.activation': 'tanh', 'model.norm': 'layer', 'model.residual': 'identity', 'data.name': 'teacher' },
};
type Run = keyof typeof RUNS;
const RUN_NAMES = Object.keys(RUNS) as Run[];
const runFile = (n: Run, what: string) => join(dir, `${n}-${what}`);
const runArgs = (n: Run) => sets({ ...SMALL, 'data.samples': 256, 'model.depth': 20, ...RUNS[n] });

interface Evaluated {
  testLoss: number;
  logits: number[][];
  stateDict: string[];
  batchNorms: number;
  task: string;
}
let roundTripping: Promise<Evaluated[]> | undefined;

/** Train and --save each run, evaluate its test split in PyTorch (tests/python/eval_checkpoint.py), save it back. */
function roundTrip(): Promise<Evaluated[]> {
  roundTripping ??= (async () => {
    await requireTorch();
    const trained = await inPairs(RUN_NAMES.map((n) => () => gradscope(['train', ...runArgs(n), '--steps', '20', '--log', runFile(n, 'run.jsonl'), '--save', runFile(n, 'ck.safetensors')])));
    for (const r of trained) expect(r.code, r.stderr).toBe(0);
    for (const n of RUN_NAMES) {
      const { config } = referenceOf(runFile(n, 'ck.safetensors'));
      const { test } = await makeFloats(config.data, config.seed);
      const y: TensorInput = n === 'ln' ? { name: 'input.y', dtype: 'F32', shape: [test.n, 1], data: test.y as Float32Array } : { name: 'input.y', dtype: 'I32', shape: [test.n], data: Int32Array.from(test.y) };
      writeFileSync(runFile(n, 'test.safetensors'), encodeSafetensors([{ name: 'input.x', dtype: 'F32', shape: [test.n, test.x.length / test.n], data: test.x }, y]));
    }
    const jobs = RUN_NAMES.map((n) => ({ checkpoint: runFile(n, 'ck.safetensors'), data: runFile(n, 'test.safetensors'), out: runFile(n, 'back.safetensors') }));
    const py = await python([join(ROOT, 'tests', 'python', 'eval_checkpoint.py'), JSON.stringify(jobs)]);
    expect(py.code, py.stderr).toBe(0);
    return py.stdout.trim().split('\n').map((l) => JSON.parse(l) as Evaluated);
  })();
  return roundTripping;
}

const gpuTestLoss = (n: Run, log: string) => parseRunLog(readFileSync(runFile(n, log), 'utf8')).summary!.testLoss!;

describe('gradscope_torch model: a train --save checkpoint in PyTorch and back', () => {
  it("loads strictly into a module whose state_dict has exactly the file's names (no num_batches_tracked)", async () => {
    const outs = await roundTrip();
    RUN_NAMES.forEach((n, i) => {
      const file = decodeSafetensors(new Uint8Array(readFileSync(runFile(n, 'ck.safetensors'))));
      // A training checkpoint also carries the optimizer's moments for --resume; the weights are the rest.
      const weights = [...file.tensors.keys()].filter((k) => !k.startsWith('optimizer.'));
      expect([...outs[i]!.stateDict].sort()).toEqual(weights.sort());
      expect(outs[i]!.batchNorms).toBe(n === 'bn' ? 20 : 0); // gradscope_torch.BatchNorm1d, an nn.BatchNorm1d
      expect(outs[i]!.task).toBe(n === 'bn' ? 'classification' : 'regression');
    });
  }, 180_000);

  it("in eval mode gives the GPU run's test loss and the float64 reference's logits", async () => {
    const outs = await roundTrip();
    for (const [i, n] of RUN_NAMES.entries()) {
      const gpu = gpuTestLoss(n, 'run.jsonl');
      expect(Math.abs(outs[i]!.testLoss - gpu) / gpu, `${n}: torch ${outs[i]!.testLoss} vs GPU ${gpu}`).toBeLessThan(1e-4);
      const { spec, params, config } = referenceOf(runFile(n, 'ck.safetensors'));
      const { test } = await makeFloats(config.data, config.seed);
      const want = netForward(spec, params, test.x.subarray(0, 8 * spec.inputDim), 8, { train: false }).logits;
      const worst = Math.max(...outs[i]!.logits.flat().map((v, j) => Math.abs(v - want[j]!) / (1e-6 + Math.abs(want[j]!))));
      expect(worst, `${n}: torch logits vs src/reference`).toBeLessThan(1e-9);
    }
  }, 180_000);

  it('saves a file gradscope loads back to the very same test loss', async () => {
    await roundTrip();
    const reloads = await inPairs(RUN_NAMES.map((n) => () => gradscope(['train', ...runArgs(n), '--steps', '0', '--load', runFile(n, 'back.safetensors'), '--log', runFile(n, 'back.jsonl')])));
    RUN_NAMES.forEach((n, i) => {
      expect(reloads[i]!.code, reloads[i]!.stderr).toBe(0);
      expect(gpuTestLoss(n, 'back.jsonl')).toBe(gpuTestLoss(n, 'run.jsonl'));
    });
  }, 180_000);
});

describe('gradscope_torch model command', () => {
  it('prints the module and what it loaded; bad input is one line and exit 1, never a traceback', async () => {
    await requireTorch();
    await dumps();
    const grads = DUMPS[0]!; // relu, batch norm, no skips
    const notSafetensors = join(dir, 'notes.txt');
    writeFileSync(notSafetensors, 'this is not a checkpoint\n');
    const [good, bad, missing] = await Promise.all([python([SCRIPT, 'model', grads]), python([SCRIPT, 'model', notSafetensors]), python([SCRIPT, 'model', join(dir, 'absent.safetensors')])]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/\(19\): Block\(\s+in_features=8, out_features=8, bias=True\s/);
    expect(good.stdout).toMatch(/BatchNorm1d\(8, eps=1e-05, momentum=0\.1/);
    expect(good.stdout).toMatch(/loaded 82 tensors from .* strictly \(classification; ignored 85 that are not weights; 40 batch norm buffers at their initial values/);
    for (const r of [bad, missing]) {
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/Traceback/);
    }
    expect(bad.stderr).toMatch(/notes\.txt is not a safetensors file \(header length \d+ but only 17 bytes follow\)/);
    expect(missing.stderr).toMatch(/No such file or directory/);
  }, 120_000);
});
