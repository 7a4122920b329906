import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { unsafeSVG } from 'lit/directives/unsafe-svg.js';
import { parseSweepLog, SweepLogError, type SweepRun } from '../../io/sweep-log.ts';
import { gridPaths, plotSweep, theoryRefusal, valueFields } from '../../io/sweep-plot.ts';
import { sceneSvg } from '../../stats/phase-diagram.ts';

/** A sweep file is two lines a run; a page holds a few hundred megabytes at most. */
const MAX_BYTES = 256 << 20;

/**
 * The trainability phase diagram of a sweep file (`gradscope sweep --out`, or shards `cat`-merged) dropped on the
 * element or picked: any two of its grid's key.paths on the axes, any numeric summary field as the colour, and
 * mean-field theory's ξ_c and 6ξ_c over it for plain MLPs with the mean-field init (σ_w² × depth). The same picture
 * `gradscope plot` writes. Reflects `data-runs` (runs read) and `data-cells` (cells drawn).
 */
@customElement('gs-phase')
export class GsPhase extends LitElement {
  static override styles = css`
    :host {
      display: block;
      color: var(--gs-text, #e8eaed);
      font: 14px/1.4 system-ui, sans-serif;
    }
    .drop {
      border: 1px dashed var(--gs-border, #3a4350);
      border-radius: 6px;
      padding: 0.6rem 0.8rem;
    }
    .drop.over {
      border-color: var(--gs-accent, #4fa3ff);
    }
    .controls {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem 1rem;
      align-items: center;
      margin: 0.5rem 0;
    }
    select {
      font: inherit;
      background: var(--gs-input-bg, #0f1318);
      color: inherit;
      border: 1px solid var(--gs-border, #3a4350);
      border-radius: 5px;
    }
    .figure {
      background: #fff;
      border-radius: 6px;
      padding: 0.4rem;
      overflow: auto;
    }
    .figure svg {
      max-width: 100%;
      height: auto;
    }
    .error {
      color: var(--gs-error, #ff8a80);
    }
    .note {
      color: var(--gs-muted, #9aa4b1);
      font-size: 13px;
    }
  `;

  @state() private runs: SweepRun[] = [];
  @state() private unfinished = 0;
  @state() private name = '';
  @state() private x = '';
  @state() private y = '';
  @state() private value = '';
  @state() private theory = true;
  @state() private error = '';
  @state() private over = false;

  /** Reads a sweep file's text (what a drop or the file picker gives); a malformed file is named with its line. */
  load(text: string, name = 'sweep'): void {
    try {
      const log = parseSweepLog(text, name);
      if (log.runs.length === 0) throw new SweepLogError(`${name}: no finished runs (a sweep file has a config and a summary line per run)`);
      [this.runs, this.unfinished, this.name, this.error] = [log.runs, log.unfinished, name, ''];
      const paths = gridPaths(log.runs);
      const fields = valueFields(log.runs);
      this.x = paths.includes('model.init.sigmaW2') ? 'model.init.sigmaW2' : (paths[1] ?? paths[0] ?? 'model.depth');
      this.y = paths.includes('model.depth') ? 'model.depth' : (paths.find((p) => p !== this.x) ?? this.x);
      this.value = ['trainAccuracy', 'testAccuracy', 'finalLoss'].find((f) => fields.includes(f)) ?? fields[0] ?? '';
    } catch (e) {
      this.error = e instanceof SweepLogError ? e.message : `${name}: ${String(e)}`;
    }
  }

  private async readFile(file: File | undefined): Promise<void> {
    if (!file) return;
    if (file.size > MAX_BYTES) {
      this.error = `${file.name}: ${(file.size / 2 ** 20).toFixed(0)} MB is more than a sweep file should be (at most ${MAX_BYTES / 2 ** 20} MB here): is it the right file?`;
      return;
    }
    this.load(await file.text(), file.name);
  }

  private onDrop(e: DragEvent): void {
    e.preventDefault();
    this.over = false;
    void this.readFile(e.dataTransfer?.files[0]);
  }

  private figure() {
    if (!this.runs.length) return nothing;
    const refusal = theoryRefusal(this.runs, this.x, this.y);
    try {
      const plot = plotSweep(this.runs, { x: this.x, y: this.y, value: this.value, theory: this.theory && refusal === null, unfinished: this.unfinished });
      this.dataset['cells'] = String(plot.diagram.cells.length);
      return html`<div class="figure" data-figure>${unsafeSVG(sceneSvg(plot.scene))}</div>
        <p class="note">${this.name}: ${plot.note}.${this.theory && refusal ? ` No theory curves: ${refusal}.` : ''}</p>`;
    } catch (e) {
      this.dataset['cells'] = '0';
      return html`<p class="error" role="alert">${e instanceof Error ? e.message : String(e)}</p>`;
    }
  }

  override render() {
    this.dataset['runs'] = String(this.runs.length);
    const paths = gridPaths(this.runs);
    const fields = valueFields(this.runs);
    const select = (label: string, value: string, options: readonly string[], set: (v: string) => void) =>
      html`<label>${label} <select data-axis=${label} @change=${(e: Event) => set((e.target as HTMLSelectElement).value)}>
        ${options.map((o) => html`<option value=${o} ?selected=${o === value}>${o}</option>`)}</select></label>`;
    return html`<div class="drop ${this.over ? 'over' : ''}" @dragover=${(e: DragEvent) => (e.preventDefault(), (this.over = true))}
        @dragleave=${() => (this.over = false)} @drop=${this.onDrop}>
        Drop a sweep file here (<code>gradscope sweep --out</code>, shards joined with <code>cat</code>) or
        <input type="file" accept=".jsonl,.json,.txt" @change=${(e: Event) => void this.readFile((e.target as HTMLInputElement).files?.[0])} />
      </div>
      ${this.error ? html`<p class="error" role="alert" data-error>${this.error}</p>` : nothing}
      ${this.runs.length
        ? html`<div class="controls">
            ${select('x', this.x, paths, (v) => (this.x = v))} ${select('y', this.y, paths, (v) => (this.y = v))}
            ${select('colour', this.value, fields, (v) => (this.value = v))}
            <label title="Mean-field theory's depth scale ξ_c and the trainable depth 6ξ_c (σ_w² × depth, plain MLPs, init meanfield)">
              <input type="checkbox" .checked=${this.theory} @change=${(e: Event) => (this.theory = (e.target as HTMLInputElement).checked)} /> ξ_c and 6ξ_c</label>
          </div>`
        : nothing}
      ${this.figure()}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gs-phase': GsPhase;
  }
}
