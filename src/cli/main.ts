import { GpuUnavailableError, LimitError, ShaderError } from '../gpu/errors.ts';
import { SafetensorsError } from '../io/safetensors.ts';
import { ConfigError } from '../model/config-error.ts';
import { UsageError } from './errors.ts';
import { COMMANDS, commandSpec, parseArgs, type ParsedArgs } from './flags.ts';
import { commandHelp, programHelp } from './help.ts';
import { packageVersion } from './meta.ts';

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') return print(programHelp());
  if (command === '--version' || command === '-V' || command === 'version') return print(packageVersion());
  if (command === 'help') {
    const about = rest[0] === undefined ? undefined : commandSpec(rest[0]);
    if (rest[0] !== undefined && !about) throw unknownCommand(rest[0]);
    return print(about ? commandHelp(about) : programHelp());
  }
  const spec = commandSpec(command);
  if (!spec) throw unknownCommand(command);
  const args = parseArgs(spec, rest);
  if (args.help) return print(commandHelp(spec));
  return run(spec.name, args);
}

async function run(name: (typeof COMMANDS)[number]['name'], { flags, positional }: ParsedArgs): Promise<number> {
  switch (name) {
    case 'bench': {
      const kernel = flags.get('kernel')?.at(-1);
      const filter = flags.get('filter')?.at(-1);
      const { benchCommand } = await import('./bench-command.ts');
      return benchCommand({ json: flags.has('json'), tune: flags.has('tune'), quick: flags.has('quick'), ...(filter !== undefined ? { filter } : {}), ...(kernel !== undefined ? { kernel } : {}) });
    }
    case 'train': {
      const { trainCommand } = await import('./train-command.ts');
      return trainCommand(flags);
    }
    case 'grads': {
      const { gradsCommand } = await import('./grads-command.ts');
      return gradsCommand(flags);
    }
    case 'sweep': {
      const { sweepCommand } = await import('./sweep-command.ts');
      return sweepCommand(flags);
    }
    case 'plot': {
      const { plotCommand } = await import('./plot-command.ts');
      return plotCommand(positional, flags);
    }
    case 'presets': {
      const { presetsCommand } = await import('./presets-command.ts');
      return presetsCommand(positional[0]);
    }
  }
}

function print(text: string): number {
  console.log(text);
  return 0;
}

function unknownCommand(command: string): UsageError {
  return new UsageError(`unknown command ${JSON.stringify(command.slice(0, 60))}; the commands are ${COMMANDS.map((c) => c.name).join(', ')} (gradscope --help)`);
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
