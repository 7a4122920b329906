// The one uPlot wrapper: a Lit ReactiveController that ties a uPlot instance to its element's life.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import uPlot from 'uplot';
import { COLOR_SCHEME_QUERY, readTheme, type ChartTheme } from './theme.ts';

export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

export interface ChartSpec {
  /** uPlot options (size comes from the plot element); called on creation and on every rebuild. */
  options(theme: ChartTheme): ChartOptions;
  /** Columns for setData; called at most once per animation frame, only after invalidate(). */
  data(): uPlot.AlignedData;
  /** After each frame's setData: update aria-label, data-points, legend text. */
  drawn?(): void;
  /** The hovered data index (null when the cursor leaves). */
  hover?(idx: number | null): void;
}

type Host = ReactiveControllerHost & HTMLElement;

/**
 * Creates the chart inside `target()` (a div in the host's shadow root, sized by CSS) on the first
 * frame after the host renders; resizes it with a ResizeObserver; coalesces any number of
 * `invalidate()` calls into one setData per animation frame; destroys everything on disconnect and
 * recreates it on reconnect. While connected, it rebuilds when the OS colour scheme changes, so the
 * canvas picks up the page palette's new colours (see src/ui/theme.css).
 */
export class UPlotController implements ReactiveController {
  private plot: uPlot | null = null;
  private observer: ResizeObserver | null = null;
  private frame = 0;
  private stale = false;
  private scheme: MediaQueryList | null = null;
  private readonly onSchemeChange = (): void => this.rebuild();

  constructor(
    private readonly host: Host,
    private readonly target: () => HTMLElement | null | undefined,
    private readonly spec: ChartSpec,
  ) {
    host.addController(this);
  }

  /** The live uPlot instance, if any (for tests and debugging). */
  get instance(): uPlot | null {
    return this.plot;
  }

  /** Asks for one setData on the next animation frame. Cheap to call on every record. */
  invalidate(): void {
    if (this.frame || !this.host.isConnected || typeof requestAnimationFrame === 'undefined') return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Recreates the uPlot instance on the next frame: scales, series or theme changed. */
  rebuild(): void {
    this.stale = true;
    this.invalidate();
  }

  hostConnected(): void {
    this.scheme ??= typeof matchMedia === 'function' ? matchMedia(COLOR_SCHEME_QUERY) : null;
    this.scheme?.addEventListener('change', this.onSchemeChange);
    this.invalidate();
  }

  hostUpdated(): void {
    if (!this.plot) this.invalidate();
  }

  hostDisconnected(): void {
    this.scheme?.removeEventListener('change', this.onSchemeChange);
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.observer?.disconnect();
    this.observer = null;
    this.plot?.destroy();
    this.plot = null;
  }

  private draw(): void {
    const el = this.target();
    if (!el) return;
    if (this.stale) {
      this.plot?.destroy();
      this.plot = null;
      this.stale = false;
    }
    const data = this.spec.data();
    if (this.plot) this.plot.setData(data);
    else this.create(el, data);
    this.spec.drawn?.();
  }

  private create(el: HTMLElement, data: uPlot.AlignedData): void {
    const opts = this.spec.options(readTheme(this.host));
    const hover = this.spec.hover;
    const hooks: uPlot.Hooks.Arrays = { ...opts.hooks };
    if (hover) hooks.setCursor = [...(hooks.setCursor ?? []), (u: uPlot) => hover(u.cursor.idx ?? null)];
    this.plot = new uPlot({ ...opts, hooks, ...sizeOf(el) }, data, el);
    this.observer ??= new ResizeObserver(() => this.resize());
    this.observer.observe(el);
  }

  private resize(): void {
    const el = this.target();
    if (!el || !this.plot) return;
    const size = sizeOf(el);
    if (size.width !== this.plot.width || size.height !== this.plot.height) this.plot.setSize(size);
  }
}

/** The plot fills its element; a hidden element (0×0) still gets a drawable minimum. */
function sizeOf(el: HTMLElement): { width: number; height: number } {
  return { width: Math.max(50, Math.floor(el.clientWidth)), height: Math.max(50, Math.floor(el.clientHeight)) };
}
