import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ConfigPath, RunConfig } from '../../model/config.ts';
import { getField } from '../../model/set-path.ts';
import { CIFAR10_PAGE_HELP } from '../cifar10/read-cifar10.ts';
import { CIFAR10_PICKER } from '../state/cifar10-state.ts';
import { logStride, nearestSpeed, speedLabel, SPEEDS } from '../session/pacing.ts';
import { FIELD_GROUPS, logSliderPosition, logSliderValue, shownFields, type FieldControl } from './fields.ts';
import { controlsStyles } from './gs-controls.styles.ts';

export type RunAction = 'play' | 'pause' | 'step' | 'reset';

export interface SetDetail {
  path: ConfigPath;
  value: string;
}

/**
 * Every RunConfig field with a fitting widget, and the run buttons. It holds no state of its own: the
 * app passes the config in and applies (or refuses) what the user changes.
 *
 * @fires gs-set - {path, value}: the user changed a field (value as in `--set path=value`)
 * @fires gs-action - 'play' | 'pause' | 'step' | 'reset'
 * @fires gs-speed - steps per frame (below 1: slow motion)
 * @fires gs-csv - {file}: the CSV file the user picked
 * @fires gs-cifar10 - {files}: the CIFAR-10 batch files the user picked
 */
@customElement('gs-controls')
export class GsControls extends LitElement {
  static override styles = controlsStyles;

  @property({ attribute: false }) config!: RunConfig;
  @property() status = 'idle';
  @property({ type: Number }) speed = 4;
  /** The CIFAR-10 images the page holds, in words ("50,000 training and 10,000 test images from …"); null: none. */
  @property({ attribute: false }) cifar10Files: string | null = null;

  private emit<T>(name: string, detail: T): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  private set(path: ConfigPath, value: string | number): void {
    this.emit<SetDetail>('gs-set', { path, value: String(value) });
  }

  override render(): TemplateResult {
    if (!this.config) return html``;
    const running = this.status === 'running';
    const done = this.status === 'done';
    const speed = nearestSpeed(this.speed);
    const stride = logStride(speed);
    return html`
      <div class="run">
        <button class="primary" data-action="play" @click=${() => this.emit<RunAction>('gs-action', running ? 'pause' : 'play')} ?disabled=${this.status === 'diverged'}
          title=${done ? `Train ${this.config.train.steps} more steps (Space)` : 'Space'}>${running ? 'Pause' : done ? `Continue +${this.config.train.steps}` : 'Play'}</button>
        <button @click=${() => this.emit<RunAction>('gs-action', 'step')} ?disabled=${running} title="→">Step</button>
        <button @click=${() => this.emit<RunAction>('gs-action', 'reset')} title="R">Reset</button>
        <label class="speed">Steps / frame
          <input type="range" min="0" max=${SPEEDS.length - 1} .value=${String(SPEEDS.indexOf(speed))}
            @input=${(e: Event) => this.emit('gs-speed', SPEEDS[Number((e.target as HTMLInputElement).value)] ?? speed)} />
          <output>${speedLabel(speed)}</output>
        </label>
        <p class="stride" data-stride=${stride}>${speed < 1 ? `Slow motion: one step every ${Math.round(1 / speed)} frames` : `${speed} ${speed === 1 ? 'step' : 'steps'} a frame`},
          ${stride === 1 ? 'a record of every step' : `a record every ${stride} steps`} (the run log's log.every); pauses every ${this.config.train.steps} steps.</p>
      </div>
      ${FIELD_GROUPS.map(
        (g) => html`<fieldset>
          <legend>${g.title}</legend>
          ${shownFields(g, (p) => getField(this.config, p)).map((f) => this.field(f))}
          ${g.title === 'Data' && this.config.data.name === 'cifar10' ? this.cifar10Picker() : nothing}
          ${g.title === 'Data' ? this.csvUpload() : nothing}
        </fieldset>`,
      )}
    `;
  }

  private field(f: FieldControl): TemplateResult {
    const value = getField(this.config, f.path);
    const id = f.path.replaceAll('.', '-');
    const w = f.widget;
    switch (w.kind) {
      case 'select':
        return html`<label for=${id}>${f.label}</label>
          <select id=${id} @change=${(e: Event) => this.set(f.path, (e.target as HTMLSelectElement).value)}>
            ${w.options.map((o) => html`<option ?selected=${String(value) === o} value=${o}>${o}</option>`)}
            ${w.options.includes(String(value)) ? nothing : html`<option selected value=${String(value)}>${String(value)}</option>`}
          </select>`;
      case 'number':
        return html`<label for=${id}>${f.label}</label>
          <input id=${id} type="number" min=${w.min} max=${w.max} step=${w.step} .value=${String(value)}
            @change=${(e: Event) => this.set(f.path, (e.target as HTMLInputElement).value)} />`;
      case 'slider':
        return html`<label for=${id}>${f.label}</label>
          <div class="pair">
            <input type="range" min=${w.min} max=${w.max} step=${w.step} .value=${String(Math.min(Number(value), w.max))}
              aria-label=${f.label} @change=${(e: Event) => this.set(f.path, (e.target as HTMLInputElement).value)} />
            <input id=${id} type="number" min=${w.min} max=${w.typedMax ?? w.max} .value=${String(value)}
              @change=${(e: Event) => this.set(f.path, (e.target as HTMLInputElement).value)} />
          </div>`;
      case 'log-slider':
        return html`<label for=${id}>${f.label}</label>
          <div class="pair">
            <input type="range" min="0" max="1000" .value=${String(logSliderPosition(Number(value), w.min, w.max))} aria-label=${f.label}
              @change=${(e: Event) => this.set(f.path, logSliderValue(Number((e.target as HTMLInputElement).value), w.min, w.max))} />
            <input id=${id} type="number" step="any" .value=${String(value)} @change=${(e: Event) => this.set(f.path, (e.target as HTMLInputElement).value)} />
          </div>`;
      case 'int-or-null':
        return html`<label for=${id}>${f.label}</label>
          <input id=${id} type="number" min=${w.min} max=${w.max} step="1" placeholder=${w.emptyLabel} .value=${value === null ? '' : String(value)}
            @change=${(e: Event) => this.set(f.path, (e.target as HTMLInputElement).value.trim() || 'null')} />`;
    }
  }

  /** Shown while data.name is cifar10: the batch files, read in the page, and what they hold or which are needed. */
  private cifar10Picker(): TemplateResult {
    const onFiles = (e: Event) => {
      const input = e.target as HTMLInputElement;
      const files = [...(input.files ?? [])];
      if (files.length) this.emit('gs-cifar10', { files });
      input.value = ''; // picking the same files again is a new read
    };
    return html`<label for="cifar10">${CIFAR10_PICKER}</label><input id="cifar10" type="file" multiple accept=".bin" @change=${onFiles} />
      <p class="hint" data-cifar10-help>${this.cifar10Files ?? CIFAR10_PAGE_HELP}</p>`;
  }

  private csvUpload(): TemplateResult {
    const onFile = (e: Event) => {
      const input = e.target as HTMLInputElement;
      const file = input.files?.[0];
      if (file) this.emit('gs-csv', { file });
      input.value = ''; // picking the same file again (edited on disk) is a new upload
    };
    return html`<label for="csv">Your own CSV</label><input id="csv" type="file" accept=".csv,text/csv" @change=${onFile} />`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gs-controls': GsControls;
  }
}
