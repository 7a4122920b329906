import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { presetByName, presetRuns } from '../../model/presets.ts';
import { applyAssignments } from '../../model/set-path.ts';
import type { Diagnosis, StepRecord } from '../../stats/record.ts';
import { BROWSER_HINT, browserEngine, GpuUnavailableError, type Engine } from '../../train/engine.ts';
import type { EvalResult } from '../../train/eval.ts';
import { describeCifar10, readCifar10, type LoadedCifar10 } from '../cifar10/read-cifar10.ts';
import { readCsv, type LoadedCsv } from '../csv/read-csv.ts';
import type { RunAction } from '../gs-controls/gs-controls.ts';
import type { BoundaryData } from '../gs-boundary/gs-boundary.ts';
import { DEFAULT_SPEED } from '../session/pacing.ts';
import { RunController, type PageStatus, type RunId } from '../session/run-controller.ts';
import { cifar10Wait } from '../state/cifar10-state.ts';
import { withCsv } from '../state/csv-state.ts';
import { applyEdits } from '../state/edit.ts';
import { addNotes, dropNote, noteFor, type Note } from '../state/notes.ts';
import { parseHash, toHash, type PageState } from '../state/url-state.ts';

/** What gs-app draws from the runs. */
export interface RunViews {
  record(run: RunId, r: StepRecord, stride: number): void;
  test(run: RunId, step: number, r: EvalResult): void;
  /** The runs start over: clear every view. */
  rebuilt(): void;
  boundary(run: RunId, d: BoundaryData): void;
}

type Host = ReactiveControllerHost & HTMLElement;

/**
 * The page's session, as a Lit controller of gs-app: the URL hash, the controls, the lessons and the
 * keyboard edit a PageState, which is built through a RunController. `page` is what the controls show;
 * once builds settle it is what runs: a refused build goes back to the last state that built (`running`)
 * and says why. Also holds the uploaded CSV, the CIFAR-10 batches read from the files picked, and the page's
 * messages (one per field).
 */
export class AppRuns implements ReactiveController {
  engine: Engine | null = null;
  controller: RunController | null = null;
  page: PageState | null = null;
  status: PageStatus = 'idle';
  notes: Note[] = [];
  /** The no-WebGPU page's text, when there is no device to be had. */
  fatal: string | null = null;
  speed = DEFAULT_SPEED;
  private running: PageState | null = null;
  private csv: LoadedCsv | null = null;
  private cifar10: LoadedCifar10 | null = null;
  /** The field of the last refused build, whose message a successful build clears. */
  private refused: string | null = null;

  constructor(
    private readonly host: Host,
    private readonly views: RunViews,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.host.dataset.status = 'idle';
    window.addEventListener('hashchange', this.onHash);
    window.addEventListener('keydown', this.onKey);
    void this.start();
  }

  hostDisconnected(): void {
    window.removeEventListener('hashchange', this.onHash);
    window.removeEventListener('keydown', this.onKey);
    this.controller?.destroy();
  }

  note(...notes: Note[]): void {
    this.notes = addNotes(this.notes, notes);
    this.host.requestUpdate();
  }

  dismiss(field: string | null): void {
    this.notes = field === null ? [] : dropNote(this.notes, field);
    this.host.requestUpdate();
  }

  private async start(): Promise<void> {
    // The settings are known before the device is: a lesson or an edit made while WebGPU starts is kept.
    if (!this.page) {
      const { state, errors } = parseHash(location.hash);
      this.page = state;
      this.note(...errors);
    }
    try {
      this.engine = await browserEngine();
    } catch (e) {
      this.fatal = e instanceof GpuUnavailableError ? e.message : `${BROWSER_HINT} (${String(e)})`;
      return this.setStatus('error');
    }
    const engine = this.engine;
    void engine.gpu.lost.then((info) => {
      if (this.engine !== engine || info.reason === 'destroyed') return;
      this.controller = null;
      this.notes = [{ field: 'device', text: `The GPU device was lost (${info.message || 'no reason given'}). Your settings are kept: restart to continue.` }];
      this.setStatus('error');
    });
    this.controller = new RunController(engine, {
      record: (run, r, stride) => this.views.record(run, r, stride),
      test: (run, step, r) => this.views.test(run, step, r),
      status: (s, detail) => {
        this.setStatus(s);
        if (detail) this.note({ field: 'run', text: detail });
      },
      rebuilt: () => this.views.rebuilt(),
      boundary: (run, d) => this.views.boundary(run, d),
    });
    this.controller.speed = this.speed;
    await this.host.updateComplete;
    await this.apply();
    this.host.dataset.ready = 'true';
    if (this.page?.play) this.controller.play();
  }

  async restart(): Promise<void> {
    this.notes = [];
    this.engine = null;
    await this.start();
  }

  private setStatus(s: PageStatus): void {
    this.status = s;
    this.host.dataset.status = s;
    this.host.requestUpdate();
  }

  /**
   * Build what `page` says. A refused build is said in a message, and the page goes back to what is
   * running (with nothing running yet, to the defaults), so the controls never show a net that is not there.
   */
  async apply(fallingBack = false): Promise<void> {
    const c = this.controller;
    if (!c || !this.page) return;
    const { state: wanted, note } = withCsv(this.page, this.csv?.name ?? null);
    if (note) this.note(note);
    this.page = wanted;
    const waiting = cifar10Wait(wanted, this.cifar10 !== null);
    if (waiting) {
      this.host.dataset.cifar10 = 'missing';
      this.note(waiting);
      this.writeHash();
      return this.host.requestUpdate();
    }
    if (this.host.dataset.cifar10 === 'missing') {
      // The page moved off cifar10 before any files came: its message no longer applies.
      delete this.host.dataset.cifar10;
      this.notes = dropNote(this.notes, 'data.path');
    }
    try {
      const files = { ...(this.csv ? { csv: this.csv.samples } : {}), ...(this.cifar10 ? { cifar10: this.cifar10.data } : {}) };
      if ((await c.load(wanted.config, wanted.compare, files)) === 'built') this.built(wanted);
    } catch (e) {
      const n = noteFor(e, 'build');
      this.refused = n.field;
      const what = this.running ? 'the previous settings keep running' : fallingBack ? 'nothing is running' : 'running the default settings instead';
      this.note({ field: n.field, text: `${n.text} Not applied: ${what}.` });
      // A newer edit is on its way if the page moved on; otherwise show (or start) what can run.
      if (this.page === wanted && this.running) this.page = this.running;
      else if (this.page === wanted && !fallingBack) {
        this.page = parseHash('').state;
        return this.apply(true);
      }
    }
    this.writeHash();
    this.host.requestUpdate();
  }

  private built(state: PageState): void {
    this.running = state;
    this.host.dataset.builds = String(Number(this.host.dataset.builds ?? 0) + 1);
    if (this.refused) this.notes = dropNote(this.notes, this.refused);
    this.refused = null;
  }

  private writeHash(): void {
    if (!this.page) return;
    const hash = toHash({ ...this.page, play: false });
    if (hash !== location.hash) history.replaceState(null, '', hash || location.pathname + location.search);
  }

  /** `path=value` edits from the controls: refused with the field's message, applied in place, or rebuilding. */
  edit(...assignments: string[]): void {
    if (!this.page) return;
    const r = applyEdits(this.page, assignments);
    if (!r.ok) return this.note(r.error);
    for (const a of assignments) this.notes = dropNote(this.notes, a.slice(0, a.indexOf('=')));
    this.page = r.state;
    this.host.requestUpdate();
    if (r.rebuild) void this.apply();
    else {
      this.controller?.setHyper(r.state.config, r.state.compare);
      // What runs took the edit too (without any structural edit still being built).
      const running = this.running && applyEdits(this.running, assignments);
      if (running?.ok) this.running = running.state;
      this.writeHash();
    }
  }

  act(action: RunAction): void {
    const c = this.controller;
    if (!c) return void (this.status === 'error' && this.restart());
    if (action === 'play') c.play();
    else if (action === 'pause') c.pause();
    else if (action === 'step') c.stepOnce();
    else c.reset();
  }

  togglePlay(): void {
    this.act(this.status === 'running' ? 'pause' : 'play');
  }

  setSpeed(speed: number): void {
    this.speed = speed;
    if (this.controller) this.controller.speed = speed;
    this.host.requestUpdate();
  }

  lesson(name: string): void {
    const runs = presetRuns(presetByName(name));
    this.page = { config: runs.a, compare: runs.b, preset: name, play: false, ...(this.page?.present ? { present: true } : {}) };
    this.notes = [];
    void this.apply();
  }

  /** Presenter view on or off; the link says which. */
  setPresent(on: boolean): void {
    if (!this.page) return;
    const { present: _, ...rest } = this.page;
    this.page = on ? { ...rest, present: true } : rest;
    this.writeHash();
    this.host.requestUpdate();
  }

  stopComparing(): void {
    if (!this.page) return;
    this.page = { ...this.page, compare: null };
    void this.apply();
  }

  /** Run the diagnosis's fix as run B beside the current run. */
  applyFix(d: Diagnosis): void {
    if (!this.page) return;
    const patch = Object.entries(d.patch).map(([k, v]) => `${k}=${v}`);
    try {
      this.page = { ...this.page, compare: applyAssignments(this.page.config, patch) };
      void this.apply().then(() => this.controller?.play());
    } catch (e) {
      this.note(noteFor(e, 'fix'));
    }
  }

  /** An uploaded CSV: read off the main thread, then trained on (data.name=csv, data.path = the file's name). */
  async uploadCsv(file: File): Promise<void> {
    this.host.dataset.csv = 'reading';
    try {
      const loaded = await readCsv(file);
      this.csv = loaded;
      this.host.dataset.csv = 'ready';
      this.edit('data.name=csv', `data.path=${loaded.name}`);
    } catch (e) {
      this.host.dataset.csv = 'refused';
      this.note(noteFor(e, 'data.path'));
    }
  }

  /** What the CIFAR-10 picker shows once files are read (null: none held). */
  get cifar10Files(): string | null {
    return this.cifar10 && describeCifar10(this.cifar10);
  }

  /** Picked CIFAR-10 batch files: read and parsed off the main thread, then trained on (data.name=cifar10). */
  async pickCifar10(files: readonly File[]): Promise<void> {
    this.host.dataset.cifar10 = 'reading';
    try {
      const loaded = await readCifar10(files);
      this.cifar10 = loaded;
      this.host.dataset.cifar10 = 'ready';
      this.notes = dropNote(this.notes, 'data.path');
      if (this.page?.config.data.name === 'cifar10') void this.apply();
      else this.edit('data.name=cifar10');
    } catch (e) {
      this.host.dataset.cifar10 = 'refused';
      this.note(noteFor(e, 'data.path'));
    }
  }

  private onKey = (e: KeyboardEvent): void => {
    const target = e.composedPath()[0] as HTMLElement | undefined;
    if (target && ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) return;
    if (!this.controller) return;
    if (e.key === ' ') {
      e.preventDefault();
      this.togglePlay();
    } else if (e.key === 'ArrowRight') this.act('step');
    else if (e.key === 'r' || e.key === 'R') this.act('reset');
    else if (e.key === 'p' || e.key === 'P') this.setPresent(!this.page?.present);
    else if (e.key === 'Escape' && this.page?.present) this.setPresent(false);
  };

  private onHash = (): void => {
    const { state, errors } = parseHash(location.hash);
    this.notes = addNotes([], errors);
    this.page = state;
    void this.apply().then(() => state.play && this.controller?.play());
  };
}
