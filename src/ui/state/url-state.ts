import { defaultConfig, type RunConfig } from '../../model/config.ts';
import type { ConfigPath } from '../../model/config-schema.ts';
import { presetByName, presetRuns } from '../../model/presets.ts';
import { applyAssignments, diffAssignments, getField, toAssignments } from '../../model/set-path.ts';
import { noteFor, type Note } from './notes.ts';

/**
 * What the URL hash holds: run A's settings as `--set` pairs, run B's as `b.` pairs over A's
 * (`b.model.residual=identity`: B is A with identity skips), plus `preset`, `play`, `present` (the
 * presenter view), and `compare=0` for a comparing lesson shown without its run B.
 */
export interface PageState {
  config: RunConfig;
  preset: string | null;
  play: boolean;
  /** Run B of a comparison (a preset's `compare`, or "apply the fix"), null when not comparing. */
  compare: RunConfig | null;
  /** Presenter view (`present=1`): the lesson, heatmap and depth chart on one screen, in large type. */
  present?: boolean;
}

export interface ParsedHash {
  state: PageState;
  /** One message per pair that could not be applied (bad escapes included); every other pair still is. */
  errors: Note[];
}

const B_PREFIX = 'b.';
/** Keys of the page itself, not of a run's settings. */
const PAGE_KEYS: ReadonlySet<string> = new Set(['preset', 'play', 'present', 'compare']);

/** Fields valid only together (data.path must be null unless data.name is csv; data.augment needs cifar10): applied as one unit. */
const TOGETHER: readonly (readonly string[])[] = [['data.name', 'data.path', 'data.augment']];

/**
 * Read `#model.depth=200&model.activation=sigmoid&preset=relu-he&play=1`. The preset applies first, then
 * each pair in order; a bad pair (a bad value, an unknown key, a malformed %-escape) is reported and
 * skipped, so an edited link never loses the rest. Never throws.
 */
export function parseHash(hash: string, base: RunConfig = defaultConfig()): ParsedHash {
  const errors: Note[] = [];
  const pairs: [string, string][] = [];
  for (const raw of hash.replace(/^#/, '').split('&').filter(Boolean)) {
    const pair = decodePair(raw);
    if (typeof pair === 'string') errors.push({ field: fieldOf(raw), text: pair });
    else pairs.push(pair);
  }
  let config = base;
  let preset: string | null = null;
  let compare: RunConfig | null = null;
  const presetPair = pairs.find(([k]) => k === 'preset');
  if (presetPair) {
    try {
      const runs = presetRuns(presetByName(presetPair[1]));
      [config, compare, preset] = [runs.a, runs.b, presetPair[1]];
    } catch (e) {
      errors.push(noteFor(e, 'preset'));
    }
  }
  const own = (k: string) => !PAGE_KEYS.has(k) && !k.startsWith(B_PREFIX);
  for (const unit of units(pairs.filter(([k]) => own(k)))) {
    try {
      config = applyAssignments(config, unit);
      if (compare) compare = applyAssignments(compare, unit);
    } catch (e) {
      errors.push(noteFor(e, fieldOf(unit[0]!)));
    }
  }
  // Run B is A with its `b.` pairs: a link says the whole difference, so it does not depend on the preset.
  const bPairs = pairs.filter(([k]) => k.startsWith(B_PREFIX)).map(([k, v]): [string, string] => [k.slice(B_PREFIX.length), v]);
  if (bPairs.length > 0) {
    compare = config;
    for (const unit of units(bPairs)) {
      try {
        compare = applyAssignments(compare, unit);
      } catch (e) {
        const n = noteFor(e, fieldOf(unit[0]!));
        errors.push({ field: `${B_PREFIX}${n.field}`, text: `run B: ${n.text}` });
      }
    }
  }
  const off = pairs.find(([k]) => k === 'compare');
  if (off && off[1] !== '0') errors.push({ field: 'compare', text: `compare=${off[1]} is not understood: compare=0 shows a comparing lesson without its run B; run B itself is given by b. pairs (b.model.residual=identity)` });
  else if (off) compare = null;
  const flag = (key: string) => pairs.some(([k, v]) => k === key && (v === '1' || v === 'true'));
  const present = flag('present');
  return { state: { config, preset, play: flag('play'), compare, ...(present ? { present } : {}) }, errors };
}

/**
 * The pairs as assignment lists: one pair each, except fields that are only valid together. A switch of
 * `model.arch` goes first, since it brings that architecture's defaults, which the other pairs then override.
 */
function units(pairs: readonly [string, string][]): string[][] {
  const out: string[][] = [];
  const grouped = new Map<readonly string[], string[]>();
  for (const [key, value] of pairs) {
    const group = TOGETHER.find((g) => g.includes(key));
    const assignment = `${key}=${value}`;
    if (!group) out.push([assignment]);
    else if (grouped.has(group)) grouped.get(group)!.push(assignment);
    else {
      const unit = [assignment];
      grouped.set(group, unit);
      out.push(unit);
    }
  }
  const switchesArch = (unit: readonly string[]) => unit.some((a) => a.startsWith('model.arch='));
  return [...out.filter(switchesArch), ...out.filter((u) => !switchesArch(u))];
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
  // Fields the preset sets but the user returned to their architecture's default value.
  const own = toAssignments(state.config);
  for (const a of baseSet) {
    const key = a.slice(0, a.indexOf('='));
    if (!own.some((b) => b.startsWith(`${key}=`))) parts.push(encodePair(`${key}=${currentValue(state.config, key)}`));
  }
  if (state.compare) for (const a of diffAssignments(state.config, state.compare)) parts.push(`${B_PREFIX}${encodePair(a)}`);
  else if (state.preset && presetRuns(presetByName(state.preset)).b) parts.push('compare=0');
  if (state.present) parts.push('present=1');
  if (state.play) parts.push('play=1');
  return parts.length ? `#${parts.join('&')}` : '';
}

/** A field's value in `config` as the hash writes it. */
function currentValue(config: RunConfig, path: string): string {
  const value = getField(config, path as ConfigPath);
  return value === null ? 'null' : String(value);
}

/** `key=value` with %-escapes decoded, or the message for a pair whose escapes are malformed. */
function decodePair(pair: string): [string, string] | string {
  const eq = pair.indexOf('=');
  try {
    const key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
    return [key, eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1))];
  } catch {
    const shown = pair.length > 80 ? `${pair.slice(0, 77)}...` : pair;
    return `${shown} is not a valid %-escape: a % must start %XX with two hex digits of UTF-8 (write %25 for a % sign); the pair was skipped`;
  }
}

/** The key of a raw or decoded pair, for naming the message (undecodable keys keep their escapes). */
function fieldOf(pair: string): string {
  const key = pair.slice(0, pair.includes('=') ? pair.indexOf('=') : undefined);
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

function encodePair(assignment: string): string {
  const eq = assignment.indexOf('=');
  return `${assignment.slice(0, eq)}=${encodeURIComponent(assignment.slice(eq + 1))}`;
}
