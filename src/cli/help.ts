/** Help text, generated from the command table (flags.ts) and the RunConfig schema, so neither can drift. */
import { FIELD_DOCS } from '../model/config-docs.ts';
import { CONFIG_PATHS, FIELDS, allowedText, type FieldSpec } from '../model/config-schema.ts';
import { defaultConfig } from '../model/config.ts';
import { getField } from '../model/set-path.ts';
import { COMMANDS, type CommandSpec, type FlagSpec } from './flags.ts';
import { textWidth, wrap } from './terminal/wrap.ts';

const PROGRAM = 'gradscope: a WebGPU training playground for very deep networks';

function flagLabel(f: FlagSpec): string {
  return `--${f.name}${f.value ? ` ${f.value}` : ''}`;
}

function usageLine(c: CommandSpec): string {
  const positional = !c.positional ? '' : c.positional.many === true ? ` ${c.positional.name} [${c.positional.name} ...]` : ` [${c.positional.name}]`;
  return `gradscope ${c.name}${positional}${c.flags.length ? ' [flags]' : ''}`;
}

/** Label, then text wrapped beside it (or under it, when the label is too wide): the help's one layout. */
function entries(rows: readonly (readonly [string, string])[], width: number): string[] {
  const labelWidth = Math.min(28, Math.max(...rows.map(([label]) => label.length)));
  const hang = ' '.repeat(2 + labelWidth + 2);
  return rows.flatMap(([label, text]) => {
    if (label.length > labelWidth) return [`  ${label}`, ...wrap(text, width, hang)];
    return wrap(text, width, `  ${label.padEnd(labelWidth)}  `, hang);
  });
}

/** Every --set field: its path and default, what it does, and what it allows. */
export function settingsHelp(width = textWidth()): string[] {
  const defaults = defaultConfig();
  return entries(
    CONFIG_PATHS.map((path) => {
      const spec: FieldSpec = FIELDS[path];
      const value = getField(defaults, path);
      return [`${path}=${value === null ? 'null' : String(value)}`, `${FIELD_DOCS[path]}; ${allowedText(spec)}`];
    }),
    width,
  );
}

export function commandHelp(c: CommandSpec, width = textWidth()): string {
  const lines = [`gradscope ${c.name}: ${c.summary}`, '', `usage: ${usageLine(c)}`, ''];
  if (c.positional) lines.push(...entries([[c.positional.name, c.positional.help]], width), '');
  if (c.flags.length) {
    lines.push('flags:');
    lines.push(...entries([...c.flags.map((f) => [flagLabel(f), f.help + (f.default ? ` (default: ${f.default})` : '')] as const), ['-h, --help', 'this help']], width));
  }
  if (c.settings) {
    lines.push('', ...wrap('settings for --set key.path=VALUE, each shown with its default (the same paths work in a config file and in the page URL):', width));
    lines.push(...settingsHelp(width));
  }
  return lines.join('\n');
}

export function programHelp(): string {
  return [
    PROGRAM,
    '',
    'usage: gradscope COMMAND [flags]    (gradscope COMMAND --help lists every flag)',
    '',
    ...entries(COMMANDS.map((c) => [c.name, c.summary] as const), textWidth()),
    '',
    'gradscope --version prints the version. Exit codes: 0 done (a run that diverges is a result),',
    '1 bad input (one line says what and what is allowed), 2 no WebGPU adapter, 130 interrupted.',
    'No GPU? SwiftShader runs it on the CPU: apt-get install chromium libvulkan1.',
  ].join('\n');
}
