import { html, nothing, type TemplateResult } from 'lit';
import type { RunConfig } from '../../model/config.ts';
import { presetByName } from '../../model/presets.ts';
import { diffAssignments, toAssignments } from '../../model/set-path.ts';
import type { PhaseTimes, StepRecord } from '../../stats/record.ts';
import type { AdapterSummary } from '../../train/engine.ts';
import type { PageStatus, RunId } from '../session/run-controller.ts';
import { shownNotes, type Note } from '../state/notes.ts';
import type { PageState } from '../state/url-state.ts';
import { formatValue } from '../uplot/columns.ts';

export type ExportKind = 'jsonl' | 'png' | 'safetensors';

/** The top bar: status, step, play/pause (phones), adapter, the bench page, exports (each run's, when comparing). */
export function headerTemplate(p: {
  status: PageStatus;
  step: number;
  adapter: AdapterSummary | undefined;
  compare: boolean;
  present: boolean;
  onPresent: () => void;
  onPlayPause: () => void;
  onExport: (kind: ExportKind, run: RunId) => void;
}): TemplateResult {
  const perRun = (kind: ExportKind, label: string) =>
    p.compare
      ? html`<span class="export-pair" role="group" aria-label=${label}>${label}
          ${(['A', 'B'] as const).map((run) => html`<button @click=${() => p.onExport(kind, run)} data-export=${kind} data-run=${run} aria-label="${label} of run ${run}">${run}</button>`)}</span>`
      : html`<button @click=${() => p.onExport(kind, 'A')} data-export=${kind} data-run="A">${label}</button>`;
  const running = p.status === 'running';
  const a = p.adapter;
  return html`<header>
    <h1>gradscope</h1>
    <span class="status" data-status=${p.status}>${p.status}</span>
    <span class="step">step ${p.step}</span>
    <button class="header-play" @click=${p.onPlayPause} ?disabled=${p.status === 'diverged'} aria-label=${running ? 'Pause' : p.status === 'done' ? 'Continue' : 'Play'}>${running ? '❚❚' : '▶'}</button>
    <span class="adapter">${a ? `${a.vendor} ${a.architecture} ${a.description}`.trim() : 'starting WebGPU…'}</span>
    <span class="spacer"></span>
    <button class="present-toggle" data-present-toggle aria-pressed=${String(p.present)} @click=${p.onPresent}
      title=${p.present ? 'Back to the full playground (Esc)' : 'The lesson, heatmap and depth chart on one screen in large type, for a room (P)'}>${p.present ? 'Leave presenter view' : 'Present'}</button>
    <a class="bench-link" href="bench.html">Kernel benchmarks</a>
    <span class="exports">
      ${perRun('jsonl', 'Run log')}
      <button @click=${() => p.onExport('png', 'A')} data-export="png" title=${p.compare ? 'Runs A and B and their ratio in one figure' : 'The heatmap at 2× with its legend and settings'}>Heatmap PNG</button>
      ${perRun('safetensors', 'Weights')}
    </span>
  </header>`;
}

/**
 * The newest messages (one per field) as dismissable banners, and a line counting the rest; after a lost
 * device, a Restart that keeps every setting. Messages are text, never markup: a CSV cell or a hash value
 * quoted in one is shown as typed.
 */
export function bannersTemplate(p: {
  notes: readonly Note[];
  error: boolean;
  canRestart: boolean;
  onRestart: () => void;
  /** A field's message, or (null) all of them. */
  onDismiss: (field: string | null) => void;
}): TemplateResult[] {
  const { shown, more } = shownNotes(p.notes);
  const banners = shown.map(
    (n) => html`<div class="banner ${p.error ? 'error' : ''}" role="alert" data-field=${n.field}><p>${n.text}</p>
      ${p.canRestart ? html`<button @click=${p.onRestart}>Restart</button>` : nothing}
      <button aria-label="dismiss" @click=${() => p.onDismiss(n.field)}>×</button></div>`,
  );
  if (more === 0) return banners;
  const count = html`<div class="banner more" data-more=${more}><p>and ${more.toLocaleString('en')} more ${more === 1 ? 'message' : 'messages'}</p>
    <button @click=${() => p.onDismiss(null)}>Dismiss all</button></div>`;
  return [count, ...banners];
}

/** Where the newest logged step's GPU time went, as shares of the whole step. */
export function phaseLine(p: PhaseTimes): TemplateResult {
  const parts = Object.entries(p) as [string, number][];
  const total = parts.reduce((a, [, ms]) => a + ms, 0) || 1;
  return html`<span class="phases" data-phases title="GPU time of the newest logged step, from timestamp queries">
    GPU ${total.toFixed(1)} ms: ${parts.map(([name, ms]) => `${name} ${Math.round((100 * ms) / total)}%`).join(' · ')}</span>`;
}

/**
 * Norm clipping at work on the newest logged step: the global gradient norm before clipping and the
 * clip scale, the factor every gradient was multiplied by (1 when the norm was within the threshold).
 */
export function clipLine(r: Pick<StepRecord, 'step' | 'gradNormTotal' | 'clipScale'>, max: number): TemplateResult {
  const clipped = r.clipScale < 1;
  return html`<p class="clip" data-clip-scale=${r.clipScale} title="Norm clipping rescales the whole gradient so its norm is at most ${max}; the clip scale is that factor">
    Clipping at step ${r.step}: gradient norm ${formatValue(r.gradNormTotal)},
    ${clipped ? html`<strong>clip scale ${formatValue(r.clipScale)}</strong> (scaled down to ${max})` : html`clip scale 1 (under ${max}, not clipped)`}</p>`;
}

/** What run B changes, in the terms of --set and the URL: "Run B is run A with model.residual=identity." */
export function compareWords(a: RunConfig, b: RunConfig): string {
  const diff = diffAssignments(a, b);
  return diff.length ? `Run B is run A with ${diff.join(', ')}.` : 'Run B has the same settings as run A.';
}

/** The settings under an exported figure's title: the lesson, run A's changes from the defaults, run B's from A. */
export function settingsLines(page: PageState): string[] {
  const base = page.preset ? `lesson ${page.preset}; ` : '';
  const own = toAssignments(page.config);
  const lines = [`${page.compare ? 'Run A: ' : ''}${base}${own.length ? own.join(' ') : 'the default settings'}`];
  if (page.compare) lines.push(compareWords(page.config, page.compare));
  if (page.preset) lines.push(presetByName(page.preset).lookFor);
  return lines;
}

/** The lesson in use, above the views: its title and what to look for. */
export function lessonBar(name: string): TemplateResult {
  const p = presetByName(name);
  return html`<section class="lesson-bar" data-lesson-bar=${name}>
    <h2 class="lesson-title">${p.title}</h2>
    <p class="look-for"><strong>Look for:</strong> ${p.lookFor}</p>
  </section>`;
}
