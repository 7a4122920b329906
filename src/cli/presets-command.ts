import { PRESETS, presetByName } from '../model/presets.ts';
import { resolveConfig } from '../model/config.ts';
import { toAssignments } from '../model/set-path.ts';

/** `gradscope presets [NAME]`: the lessons, or one lesson with its settings as --set flags. */
export function presetsCommand(name: string | undefined): number {
  if (!name) {
    const width = Math.max(...PRESETS.map((p) => p.name.length));
    for (const p of PRESETS) console.log(`${p.name.padEnd(width)}  ${p.title}`);
    console.log('\ngradscope presets NAME shows one; gradscope train --preset NAME runs it.');
    return 0;
  }
  const p = presetByName(name);
  const lines = [`${p.name}: ${p.title}`, '', p.explanation, '', `Look for: ${p.lookFor}`, '', 'settings:'];
  lines.push(...toAssignments(resolveConfig(p.config)).map((a) => `  --set ${a}`));
  if (p.compare) {
    lines.push('', 'compare with run B:');
    lines.push(...toAssignments(resolveConfig(mergePatch(p.config, p.compare))).map((a) => `  --set ${a}`));
  }
  console.log(lines.join('\n'));
  return 0;
}

function mergePatch(a: object, b: object): object {
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = v && typeof v === 'object' && prev && typeof prev === 'object' ? mergePatch(prev, v) : v;
  }
  return out;
}
