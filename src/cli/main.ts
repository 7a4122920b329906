import { GpuUnavailableError, LimitError, ShaderError } from '../gpu/errors.ts';
import { SafetensorsError } from '../io/safetensors.ts';
import { ConfigError } from '../model/config-error.ts';
import { UsageError } from './errors.ts';

const USAGE = `gradscope: a WebGPU training playground for very deep networks

usage:
  gradscope train   [--config FILE | --preset NAME] [--set key.path=VALUE]... [--steps N]
                    [--log FILE.jsonl] [--every K] [--save FILE.safetensors] [--load FILE.safetensors]
  gradscope grads   [--config FILE | --preset NAME] [--set ...] --out FILE.safetensors
  gradscope bench   [--filter REGEX] [--json] [--tune] [--kernel FILE.wgsl]
  gradscope presets [NAME]

train    trains a network and reports per-layer gradients; --log writes every logged step as JSONL
grads    writes every parameter and its gradient at initialisation, with the batch and the loss
bench    kernel benchmarks, each checked against the float64 reference before it is timed;
         --tune picks the fastest matmul tiling per shape on this adapter, and train uses it;
         --kernel times your own WGSL matmul (binding contract: src/bench/custom-kernel.ts) beside ours
presets  lessons: each a config that shows one thing about gradient flow

Settings use the paths of the config file: --set model.depth=300 --set model.activation=sigmoid.

Run on a machine without a GPU through SwiftShader (apt-get install chromium libvulkan1).`;

/** Split argv into flags; `--flag value` and `--flag=value` both work; booleans take no value. */
function parseFlags(args: string[], booleans: readonly string[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}; see gradscope --help`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    let value = eq < 0 ? undefined : arg.slice(eq + 1);
    if (value === undefined && !booleans.includes(name)) {
      value = args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
    }
    flags.set(name, [...(flags.get(name) ?? []), value ?? 'true']);
  }
  return flags;
}

function only(flags: Map<string, string[]>, allowed: readonly string[], command: string): void {
  for (const name of flags.keys()) {
    if (!allowed.includes(name)) throw new UsageError(`gradscope ${command} has no --${name} (it takes ${allowed.map((a) => '--' + a).join(', ')})`);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  switch (command) {
    case 'bench': {
      const flags = parseFlags(rest, ['json', 'tune']);
      only(flags, ['filter', 'json', 'tune', 'kernel'], 'bench');
      const kernel = flags.get('kernel')?.at(-1);
      const filter = flags.get('filter')?.at(-1);
      const { benchCommand } = await import('./bench-command.ts');
      return benchCommand({ json: flags.has('json'), tune: flags.has('tune'), ...(filter !== undefined ? { filter } : {}), ...(kernel ? { kernel } : {}) });
    }
    case 'train': {
      const flags = parseFlags(rest, []);
      only(flags, ['config', 'preset', 'set', 'steps', 'log', 'every', 'save', 'load'], 'train');
      const { trainCommand } = await import('./train-command.ts');
      return trainCommand(flags);
    }
    case 'grads': {
      const flags = parseFlags(rest, []);
      only(flags, ['config', 'preset', 'set', 'out'], 'grads');
      const { gradsCommand } = await import('./grads-command.ts');
      return gradsCommand(flags);
    }
    case 'presets': {
      if (rest.length > 1 || rest[0]?.startsWith('--')) throw new UsageError('gradscope presets takes at most one preset name');
      const { presetsCommand } = await import('./presets-command.ts');
      return presetsCommand(rest[0]);
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}; the commands are: train, grads, bench, presets`);
  }
}

/** Run main, turning a user's mistake into one line and exit 1, a missing GPU into exit 2. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (e) {
    // ShaderError reaches here only from a user's own kernel (bench --kernel): their WGSL, their fix.
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof SafetensorsError || e instanceof LimitError || e instanceof ShaderError) {
      console.error(`gradscope: ${e.message}`);
      return 1;
    }
    if (e instanceof GpuUnavailableError) {
      console.error(`gradscope: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
