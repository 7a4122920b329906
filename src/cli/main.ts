import { GpuUnavailableError } from '../gpu/errors.ts';
import { benchCommand } from './bench-command.ts';
import { UsageError } from './errors.ts';

const USAGE = `gradscope: a WebGPU training playground for very deep networks

usage:
  gradscope bench   [--filter REGEX] [--json]     kernel benchmarks, each checked against the reference first

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
      const flags = parseFlags(rest, ['json']);
      only(flags, ['filter', 'json'], 'bench');
      const filter = flags.get('filter')?.at(-1);
      return benchCommand({ json: flags.has('json'), ...(filter !== undefined ? { filter } : {}) });
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}; the commands are: bench`);
  }
}

/** Run main, turning a user's mistake into one line and exit 1, a missing GPU into exit 2. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (e) {
    if (e instanceof UsageError) {
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
