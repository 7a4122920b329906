/**
 * The command line's grammar: every command's flags in one typed table, the parser that reads argv
 * against it, and (help.ts) the help generated from the same table, so the two cannot disagree.
 */
import { closestMatch, shortText } from '../model/config-error.ts';
import { UsageError } from './errors.ts';

export interface FlagSpec {
  name: string;
  /** Placeholder for the value (`FILE`); absent for a switch that takes none. */
  value?: string;
  /** What happens when the flag is not given, in words. */
  default?: string;
  help: string;
  /** Each use counts (--set); for other flags the last one wins. */
  repeat?: boolean;
}

export type CommandName = 'train' | 'grads' | 'bench' | 'presets' | 'sweep' | 'plot';

export interface CommandSpec {
  name: CommandName;
  summary: string;
  /** A positional argument, for commands that take one; `many`: one or more are required (plot's files). */
  positional?: { name: string; help: string; many?: boolean };
  flags: readonly FlagSpec[];
  /** Whether --help lists every --set field. */
  settings: boolean;
}

const CONFIG: readonly FlagSpec[] = [
  { name: 'config', value: 'FILE.json', default: 'the defaults', help: 'a RunConfig file (JSON; any subset of its fields)' },
  { name: 'preset', value: 'NAME', default: 'none', help: 'start from a lesson (gradscope presets lists them)' },
  { name: 'set', value: 'key.path=VALUE', help: 'change one field, after --config or --preset (the list below)', repeat: true },
];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'train',
    summary: 'train a network and report its per-layer gradients',
    settings: true,
    flags: [
      ...CONFIG,
      { name: 'steps', value: 'N', default: 'train.steps', help: 'total steps of the run (same as --set train.steps=N)' },
      { name: 'every', value: 'K', default: 'log.every', help: 'log every K-th step (same as --set log.every=K)' },
      { name: 'log', value: 'FILE.jsonl', default: 'no log', help: 'JSONL run log, streamed into FILE.partial and renamed to FILE when the run ends' },
      { name: 'save', value: 'FILE.safetensors', default: 'no checkpoint', help: 'weights, optimizer state and position at the end (also on Ctrl-C), for --load or --resume' },
      { name: 'load', value: 'FILE.safetensors', default: 'fresh init', help: 'start from these weights (a new run: step 0, fresh optimizer)' },
      { name: 'resume', value: 'FILE.safetensors', default: 'none', help: 'continue a --save checkpoint bit for bit: its config, weights, optimizer state, step and data order' },
    ],
  },
  {
    name: 'grads',
    summary: 'write every parameter and its gradient at initialisation, with the batch and the loss',
    settings: true,
    flags: [...CONFIG, { name: 'out', value: 'FILE.safetensors', default: 'required', help: 'where to write them' }],
  },
  {
    name: 'bench',
    summary: 'kernel benchmarks, each checked against the float64 reference before it is timed',
    settings: false,
    flags: [
      { name: 'filter', value: 'REGEX', default: 'every benchmark', help: 'run only the benchmarks whose name matches' },
      { name: 'json', default: 'a table', help: 'print one JSON object on stdout (progress goes to stderr)' },
      { name: 'quick', default: 'the full suite', help: 'leave out the slow cases (the largest matmuls, the convolutions, depth-1,000 steps, the ResNet and LSTM steps, the TF.js peers at 1,024 and of the LSTM): a first look' },
      { name: 'tune', default: 'off', help: 'pick the fastest matmul tiling per shape on this adapter; train and grads then use it' },
      { name: 'kernel', value: 'FILE.wgsl', default: 'none', help: 'time your own WGSL matmul beside ours (contract: src/bench/custom-kernel.ts)' },
    ],
  },
  {
    name: 'sweep',
    summary: 'train a grid of configs on one device: per run a config line and a summary line (JSONL)',
    settings: true,
    flags: [
      ...CONFIG,
      {
        name: 'grid',
        value: 'key.path=V1,V2,…|key.path=A:B:N',
        help: 'an axis of the grid: listed values, or N evenly spaced from A to B inclusive (an integer field refuses a fractional spacing); the runs are the product of the axes, the first --grid varying slowest',
        repeat: true,
      },
      { name: 'steps', value: 'N', default: 'train.steps', help: 'steps of every run (same as --set train.steps=N)' },
      { name: 'every', value: 'K', default: 'log.every', help: 'record statistics every K-th step, for the diagnosis (same as --set log.every=K)' },
      { name: 'shard', value: 'I/N', default: '1/1', help: 'run only the runs k with k mod N = I − 1 (Slurm array, Kubernetes indexed job, CI matrix); cat the N files for the whole sweep' },
      { name: 'out', value: 'FILE.jsonl', default: 'required', help: 'per run a config line and a summary line, each with "run" and "grid"; streamed into FILE.partial, renamed to FILE at the end (also on Ctrl-C, with the runs finished)' },
    ],
  },
  {
    name: 'plot',
    summary: 'the phase diagram of a sweep: a summary field over two config fields, as SVG or PNG',
    settings: false,
    positional: { name: 'FILE.jsonl', help: 'sweep files (gradscope sweep --out), or their shards as they are, or cat-merged', many: true },
    flags: [
      { name: 'x', value: 'key.path', default: 'required', help: 'the config field across (model.init.sigmaW2)' },
      { name: 'y', value: 'key.path', default: 'required', help: 'the config field up (model.depth)' },
      { name: 'value', value: 'FIELD', default: 'required', help: 'the summary field to colour by: trainAccuracy, testAccuracy, finalLoss, … (runs that share a cell are averaged; diverged runs are hatched)' },
      { name: 'out', value: 'FILE.svg|FILE.png', default: 'SVG on stdout', help: 'where to write it; the extension picks the format' },
      { name: 'theory', default: 'off', help: 'draw the mean-field ξ_c(σ_w²) and 6ξ_c(σ_w²) (--x model.init.sigmaW2 --y model.depth, plain MLPs with init meanfield)' },
    ],
  },
  {
    name: 'presets',
    summary: 'the lessons: each a config that shows one thing about gradient flow',
    settings: false,
    positional: { name: 'NAME', help: 'show one lesson with its settings as --set flags' },
    flags: [],
  },
];

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

export interface ParsedArgs {
  /** Flag name → its values in order (a switch reads as ['true']). */
  flags: Map<string, string[]>;
  positional: string[];
  help: boolean;
}

/** Read argv against a command's flags: `--flag value` and `--flag=value`; `-h`/`--help` anywhere. */
export function parseArgs(spec: CommandSpec, args: readonly string[]): ParsedArgs {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      if (!spec.positional || (positional.length > 0 && spec.positional.many !== true)) throw new UsageError(`gradscope ${spec.name} takes no argument ${JSON.stringify(shortText(arg))}; see gradscope ${spec.name} --help`);
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const flag = spec.flags.find((f) => f.name === name);
    if (!flag) throw unknownFlag(spec, name);
    let value = eq < 0 ? undefined : arg.slice(eq + 1);
    if (flag.value === undefined) {
      if (value !== undefined) throw new UsageError(`--${name} takes no value (got --${name}=${value})`);
      value = 'true';
    } else if (value === undefined) {
      value = args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value: --${name} ${flag.value}`);
      if (value.startsWith('--') && value.length > 2) throw new UsageError(`--${name} needs a value before ${value}: --${name} ${flag.value}`);
    }
    // Like argparse, the last of a repeated flag wins; --set keeps every one, in order.
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { flags, positional, help };
}

function unknownFlag(spec: CommandSpec, name: string): UsageError {
  const names = spec.flags.map((f) => f.name);
  const guess = closestMatch(name, names);
  const hint = guess ? `did you mean --${guess}?` : names.length ? `it takes ${names.map((n) => `--${n}`).join(', ')}` : 'it takes no flags';
  return new UsageError(`gradscope ${spec.name} has no --${shortText(name)} flag (${hint}; see gradscope ${spec.name} --help)`);
}
