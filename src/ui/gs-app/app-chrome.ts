import { html, nothing, type TemplateResult } from 'lit';
import type { AdapterSummary } from '../../gpu/device.ts';
import type { PhaseTimes } from '../../stats/record.ts';
import type { PageStatus } from '../session/run-controller.ts';
import { shownNotes, type Note } from '../state/notes.ts';

export type ExportKind = 'jsonl' | 'png' | 'safetensors';

/** The top bar: status, step, play/pause (phones), adapter, the bench page, exports. */
export function headerTemplate(p: {
  status: PageStatus;
  step: number;
  adapter: AdapterSummary | undefined;
  onPlayPause: () => void;
  onExport: (kind: ExportKind) => void;
}): TemplateResult {
  const running = p.status === 'running';
  const a = p.adapter;
  return html`<header>
    <h1>gradscope</h1>
    <span class="status" data-status=${p.status}>${p.status}</span>
    <span class="step">step ${p.step}</span>
    <button class="header-play" @click=${p.onPlayPause} ?disabled=${p.status === 'diverged'} aria-label=${running ? 'Pause' : p.status === 'done' ? 'Continue' : 'Play'}>${running ? '❚❚' : '▶'}</button>
    <span class="adapter">${a ? `${a.vendor} ${a.architecture} ${a.description}`.trim() : 'starting WebGPU…'}</span>
    <span class="spacer"></span>
    <a class="bench-link" href="bench.html">Kernel benchmarks</a>
    <span class="exports">
      <button @click=${() => p.onExport('jsonl')} data-export="jsonl">Run log</button>
      <button @click=${() => p.onExport('png')} data-export="png">Heatmap PNG</button>
      <button @click=${() => p.onExport('safetensors')} data-export="safetensors">Weights</button>
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
