/**
 * python/gradscope_torch.py against the real CLI and real PyTorch (Debian's python3-torch; GRADSCOPE_PYTHON
 * overrides the interpreter). Without torch every test fails with the install hint: nothing is skipped.
 * PyTorch's import costs seconds, so each python process takes every file it can.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunLog } from '../../src/io/jsonl.ts';
import { decodeSafetensors, encodeSafetensors, type TensorInput } from '../../src/io/safetensors.ts';
import type { RunConfig } from '../../src/model/config.ts';
import { netForward, type BlockParams, type NetParams, type NetSpec } from '../../src/reference/index.ts';
import { makeDataset } from '../../src/train/data/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PYTHON = process.env.GRADSCOPE_PYTHON ?? '/usr/bin/python3';
const SCRIPT = join(ROOT, 'python', 'gradscope_torch.py');
const dir = mkdtempSync(join(tmpdir(), 'gradscope-torch-'));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[]): Promise<Result> {
  const env = { ...process.env, PYTHONPATH: join(ROOT, 'python') };
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 120_000, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr: stderr.replace(/^error: XDG.*\n/gm, '') });
    });
  });
}

const gradscope = (args: string[]) => run('node', [join(ROOT, 'bin', 'gradscope.js'), ...args]);
const python = (args: string[]) => run(PYTHON, args);

/** At most two CLI processes at once: the machine has two cores, and vitest runs another file beside this one. */
async function inPairs<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < jobs.length; i += 2) out.push(...(await Promise.all(jobs.slice(i, i + 2).map((j) => j()))));
  return out;
}

const sets = (pairs: Record<string, string | number>) => Object.entries(pairs).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
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

interface CheckLine {
  file: string;
  ok?: boolean;
  error?: string;
  worstTensor?: string;
  score?: number | null;
  errors?: Record<string, number | null>;
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

let probing: Promise<void> | undefined;

/** Every test awaits this first, so a machine without torch fails each test with the fix instead of skipping it. */
function requireTorch(): Promise<void> {
  probing ??= python(['-c', 'import torch, numpy']).then((probe) => {
    if (probe.code === 0) return;
    const why = probe.stderr.trim().split('\n').at(-1) ?? `exit ${probe.code}`;
    throw new Error(`${PYTHON} cannot import torch and numpy (${why}): sudo apt-get install python3-torch python3-numpy, or set GRADSCOPE_PYTHON to a python3 that has them`);
  });
  return probing;
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
      config.model.arch = 'resnet';
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
    expect(results.get(bad.arch)!.error).toMatch(/model\.arch "resnet" is not supported by gradscope_torch yet \(it takes mlp\)/);
  }, 240_000);
});

describe('gradscope_files: safetensors with numpy only', () => {
  /** A file laid out by hand (not by either encoder), so reader and writer are checked against the format itself. */
  function handMade(tensors: [string, string, number[], ArrayBufferView][]): Uint8Array {
    let offset = 0;
    const header: Record<string, unknown> = { __metadata__: { note: 'by hand' } };
    for (const [name, dtype, shape, data] of tensors) header[name] = { dtype, shape, data_offsets: [offset, (offset += data.byteLength)] };
    const json = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + json.length + offset);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    let at = 8 + json.length;
    for (const [, , , data] of tensors) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
      at += data.byteLength;
    }
    return out;
  }

  it('reads F64, F16, BF16, I64, I16, I8, U8 and BOOL, and writes back what it read', async () => {
    await requireTorch();
    const path = join(dir, 'dtypes.safetensors');
    writeFileSync(path, handMade([
      ['f64', 'F64', [2], new Float64Array([1.5, -2.25])],
      ['f16', 'F16', [2], new Uint16Array([0x3c00, 0xc000])], // 1, -2
      ['bf16', 'BF16', [1, 2], new Uint16Array([0x3f80, 0xc020])], // 1, -2.5
      ['i64', 'I64', [2], new BigInt64Array([3n, -4n])],
      ['i16', 'I16', [1], new Int16Array([-300])],
      ['i8', 'I8', [2], new Int8Array([-1, 5])],
      ['u8', 'U8', [3], new Uint8Array([0, 7, 255])],
      ['bool', 'BOOL', [2], new Uint8Array([1, 0])],
    ]));
    const code = `import json, sys; from gradscope_files import read_safetensors, write_safetensors
t, m = read_safetensors(sys.argv[1]); write_safetensors(sys.argv[1] + ".back", t, m); b, n = read_safetensors(sys.argv[1] + ".back")
print(json.dumps([{k: [str(v.dtype), v.tolist()] for k, v in d.items()} for d in (t, b)] + [m, n]))`;
    const r = await python(['-c', code, path]);
    expect(r.code, r.stderr).toBe(0);
    const [read, back, meta, metaBack] = JSON.parse(r.stdout);
    const want = {
      f64: ['float64', [1.5, -2.25]], f16: ['float16', [1, -2]], bf16: ['float32', [[1, -2.5]]], i64: ['int64', [3, -4]],
      i16: ['int16', [-300]], i8: ['int8', [-1, 5]], u8: ['uint8', [0, 7, 255]], bool: ['bool', [true, false]],
    };
    expect(read).toEqual(want);
    expect(back).toEqual({ ...want, bf16: ['float32', [[1, -2.5]]] }); // written back as F32: numpy has no bfloat16
    expect(meta).toEqual({ note: 'by hand' });
    expect(metaBack).toEqual(meta);
  });
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

describe('gradscope_torch model: a train --save checkpoint in PyTorch and back', () => {
  const RUNS = {
    bn: { 'model.activation': 'gelu', 'model.norm': 'batch', 'model.residual': 'rezero', 'data.name': 'spiral', 'train.optimizer': 'adam' },
    ln: { 'model.activation': 'tanh', 'model.norm': 'layer', 'model.residual': 'identity', 'data.name': 'teacher' },
  };

  it('loads strictly, matches the GPU test loss and the float64 logits in eval mode, and saves a file gradscope loads', async () => {
    await requireTorch();
    const names = Object.keys(RUNS) as (keyof typeof RUNS)[];
    const path = (n: string, what: string) => join(dir, `${n}-${what}`);
    const trained = await inPairs(names.map((n) => () =>
      gradscope(['train', ...sets({ ...SMALL, 'data.samples': 256, 'model.depth': 20, ...RUNS[n] }), '--steps', '20', '--log', path(n, 'run.jsonl'), '--save', path(n, 'ck.safetensors')])));
    for (const r of trained) expect(r.code, r.stderr).toBe(0);
    const refs = names.map((n) => referenceOf(path(n, 'ck.safetensors')));
    refs.forEach(({ config }, i) => {
      const { test } = makeDataset(config.data, config.seed);
      const d = config.data.name === 'teacher' ? { dtype: 'F32' as const, shape: [test.n, 1], data: test.y as Float32Array } : { dtype: 'I32' as const, shape: [test.n], data: Int32Array.from(test.y) };
      const x = { name: 'input.x', dtype: 'F32' as const, shape: [test.n, test.x.length / test.n], data: test.x };
      writeFileSync(path(names[i]!, 'test.safetensors'), encodeSafetensors([x, { name: 'input.y', ...d }]));
    });
    const jobs = names.map((n) => ({ checkpoint: path(n, 'ck.safetensors'), data: path(n, 'test.safetensors'), out: path(n, 'back.safetensors') }));
    const py = await python([join(ROOT, 'tests', 'python', 'eval_checkpoint.py'), JSON.stringify(jobs)]);
    expect(py.code, py.stderr).toBe(0);
    const outs = py.stdout.trim().split('\n').map((l) => JSON.parse(l) as { testLoss: number; logits: number[][]; stateDict: string[]; batchNorms: number; task: string });
    const reloads = await inPairs(names.map((n) => () => gradscope(['train', ...sets({ ...SMALL, 'data.samples': 256, 'model.depth': 20, ...RUNS[n] }), '--steps', '0', '--load', path(n, 'back.safetensors'), '--log', path(n, 'back.jsonl')])));
    names.forEach((n, i) => {
      const out = outs[i]!;
      const file = decodeSafetensors(new Uint8Array(readFileSync(path(n, 'ck.safetensors'))));
      // state_dict names are exactly gradscope's: no num_batches_tracked, nothing missing.
      expect([...out.stateDict].sort()).toEqual([...file.tensors.keys()].sort());
      expect(out.batchNorms).toBe(n === 'bn' ? 20 : 0);
      expect(out.task).toBe(n === 'bn' ? 'classification' : 'regression');
      const gpuLoss = parseRunLog(readFileSync(path(n, 'run.jsonl'), 'utf8')).summary!.testLoss!;
      expect(Math.abs(out.testLoss - gpuLoss) / gpuLoss, `${n}: torch ${out.testLoss} vs GPU ${gpuLoss}`).toBeLessThan(1e-4);
      const { spec, params, config } = refs[i]!;
      const { test } = makeDataset(config.data, config.seed);
      const want = netForward(spec, params, test.x.subarray(0, 8 * spec.inputDim), 8, { train: false }).logits;
      const got = out.logits.flat();
      const worst = Math.max(...got.map((v, j) => Math.abs(v - want[j]!) / (1e-6 + Math.abs(want[j]!))));
      expect(worst, `${n}: torch logits vs src/reference`).toBeLessThan(1e-9);
      // Back in gradscope, the module PyTorch saved evaluates to the very same test loss.
      expect(reloads[i]!.code, reloads[i]!.stderr).toBe(0);
      expect(parseRunLog(readFileSync(path(n, 'back.jsonl'), 'utf8')).summary!.testLoss).toBe(gpuLoss);
    });
  }, 180_000);

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
