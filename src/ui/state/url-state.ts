import { ConfigError } from '../../model/config-error.ts';
import { defaultConfig, type RunConfig } from '../../model/config.ts';
import { presetByName, presetRuns } from '../../model/presets.ts';
import { applyAssignments, applySet, toAssignments } from '../../model/set-path.ts';

/** What the URL hash holds: the run's settings as `--set` pairs, plus `preset` and `play`. */
export interface PageState {
  config: RunConfig;
  preset: string | null;
  play: boolean;
  /** Run B of a comparison (a preset's `compare`, or "apply the fix"), null when not comparing. */
  compare: RunConfig | null;
}

export interface ParsedHash {
  state: PageState;
  /** One message per pair that could not be applied; every other pair still is. */
  errors: string[];
}

/**
 * Read `#model.depth=200&model.activation=sigmoid&preset=relu-he&play=1`. The preset applies first, then
 * each pair in order; a bad pair is reported and skipped, so an edited link never loses the rest.
 */
export function parseHash(hash: string, base: RunConfig = defaultConfig()): ParsedHash {
  const errors: string[] = [];
  const pairs = hash.replace(/^#/, '').split('&').filter(Boolean).map(decodePair);
  let config = base;
  let preset: string | null = null;
  let compare: RunConfig | null = null;
  let play = false;
  const presetPair = pairs.find(([k]) => k === 'preset');
  if (presetPair) {
    try {
      const runs = presetRuns(presetByName(presetPair[1]));
      [config, compare, preset] = [runs.a, runs.b, presetPair[1]];
    } catch (e) {
      errors.push(message(e));
    }
  }
  for (const [key, value] of pairs) {
    if (key === 'preset') continue;
    if (key === 'play') {
      play = value === '1' || value === 'true';
      continue;
    }
    try {
      config = applySet(config, `${key}=${value}`);
      if (compare) compare = applyAssignments(compare, [`${key}=${value}`]);
    } catch (e) {
      errors.push(message(e));
    }
  }
  return { state: { config, preset, play, compare }, errors };
}

/** The hash for a state: only what differs from the defaults (or from the preset), readable and short. */
export function toHash(state: PageState): string {
  const parts: string[] = [];
  let base = defaultConfig();
  if (state.preset) {
    parts.push(`preset=${encodeURIComponent(state.preset)}`);
    base = presetRuns(presetByName(state.preset)).a;
  }
  const baseSet = new Set(toAssignments(base));
  for (const a of toAssignments(state.config)) {
    if (!baseSet.has(a)) parts.push(encodePair(a));
  }
  // Fields the preset sets but the user returned to their default value.
  for (const a of baseSet) {
    const key = a.slice(0, a.indexOf('='));
    if (!toAssignments(state.config).some((b) => b.startsWith(`${key}=`))) parts.push(encodePair(`${key}=${defaultValue(key)}`));
  }
  if (state.play) parts.push('play=1');
  return parts.length ? `#${parts.join('&')}` : '';
}

function defaultValue(path: string): string {
  const found = toAssignmentsAll(defaultConfig()).find((a) => a.startsWith(`${path}=`));
  return found ? found.slice(path.length + 1) : '';
}

/** Every leaf as path=value, defaults included. */
function toAssignmentsAll(config: RunConfig): string[] {
  const out: string[] = [];
  const walk = (o: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      if (v && typeof v === 'object') walk(v as Record<string, unknown>, `${prefix}${k}.`);
      else out.push(`${prefix}${k}=${v === null ? 'null' : String(v)}`);
    }
  };
  walk(config as unknown as Record<string, unknown>, '');
  return out;
}

function decodePair(pair: string): [string, string] {
  const eq = pair.indexOf('=');
  const key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
  return [key, eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1))];
}

function encodePair(assignment: string): string {
  const eq = assignment.indexOf('=');
  return `${assignment.slice(0, eq)}=${encodeURIComponent(assignment.slice(eq + 1))}`;
}

function message(e: unknown): string {
  return e instanceof ConfigError || e instanceof Error ? e.message : String(e);
}
