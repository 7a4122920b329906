import { PRESETS, presetByName, presetRuns } from '../model/presets.ts';
import { diffAssignments, toAssignments } from '../model/set-path.ts';

/** `gradscope presets [NAME]`: the lessons, or one lesson with its settings as --set flags. */
export function presetsCommand(name: string | undefined): number {
  if (!name) {
    const width = Math.max(...PRESETS.map((p) => p.name.length));
    for (const p of PRESETS) console.log(`${p.name.padEnd(width)}  ${p.title}`);
    console.log('\ngradscope presets NAME shows one; gradscope train --preset NAME runs it (run A of a comparison).');
    return 0;
  }
  const p = presetByName(name);
  const { a, b } = presetRuns(p);
  const lines = [`${p.name}: ${p.title}`, '', p.explanation, '', `Look for: ${p.lookFor}`, '', 'settings:'];
  lines.push(...toAssignments(a).map((s) => `  --set ${s}`));
  if (b) {
    lines.push('', 'run B (the page runs it beside run A) is run A with:');
    lines.push(...diffAssignments(a, b).map((s) => `  --set ${s}`));
  }
  console.log(lines.join('\n'));
  return 0;
}
