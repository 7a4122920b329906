import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { confusionCounts, correctOf, rowShares, rowTotals } from './confusion.ts';
import { imagesStyles } from './gs-images.styles.ts';
import { classNames, GRID_IMAGES, testImageRgba, type ImageDataset } from './test-images.ts';

/** A test-set evaluation: the step it was taken at and each test sample's predicted class, in test-set order. */
export interface ImagesEvaluation {
  step: number;
  predictions: Uint32Array;
}

/** What an evaluation shows: the confusion counts and their derived figures. */
interface Confusion {
  counts: Uint32Array;
  totals: Uint32Array;
  shares: Float64Array;
  correct: number;
  total: number;
}

/**
 * What an image classifier makes of its test set, as of the newest evaluation: the first test images with
 * their true and predicted classes (✓ and the theme's ok colour when right, ✗ and its danger colour when
 * wrong), and the confusion matrix over the whole test set, each cell shaded by its share of the true class.
 * `data-step` is the step of the evaluation shown.
 *
 * @cssproperty --gs-ok - a right prediction
 * @cssproperty --gs-danger - a wrong prediction
 * @cssproperty --gs-chart-a - the confusion matrix's shading
 */
@customElement('gs-images')
export class GsImages extends LitElement {
  static override styles = imagesStyles;

  @property({ attribute: false }) data: ImageDataset | null = null;
  /** The newest evaluation (null: none yet, or the run started over). */
  @property({ attribute: false }) evaluation: ImagesEvaluation | null = null;
  private confusion: Confusion | null = null;
  private images: Uint8ClampedArray<ArrayBuffer>[] = [];
  /** The data set whose image each canvas shows, so an evaluation repaints nothing. */
  private readonly painted = new WeakMap<HTMLCanvasElement, ImageDataset>();

  /** The run started over: back to "no evaluation yet". */
  clear(): void {
    this.evaluation = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const d = this.data;
    if (changed.has('data')) {
      const n = Math.min(GRID_IMAGES, d?.test.n ?? 0);
      this.images = d ? Array.from({ length: n }, (_, i) => testImageRgba(d, i)) : [];
      if (!changed.has('evaluation')) this.evaluation = null;
    }
    const e = this.evaluation;
    // An evaluation of other data (a run replaced while it was on its way) is not shown.
    if (!d || !e || e.predictions.length !== d.test.n) this.confusion = null;
    else {
      const classes = d.outputDim;
      const counts = confusionCounts(d.test.y, e.predictions, classes);
      this.confusion = { counts, totals: rowTotals(counts, classes), shares: rowShares(counts, classes), ...correctOf(counts, classes) };
    }
  }

  protected override updated(): void {
    if (this.confusion && this.evaluation) this.dataset.step = String(this.evaluation.step);
    else delete this.dataset.step;
    const d = this.data;
    if (!d) return;
    for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas[data-index]')) {
      const image = this.images[Number(canvas.dataset.index)];
      if (!image || this.painted.get(canvas) === d) continue;
      canvas.getContext('2d')?.putImageData(new ImageData(image, d.image.width, d.image.height), 0, 0);
      this.painted.set(canvas, d);
    }
  }

  override render() {
    const d = this.data;
    if (!d) return nothing;
    const c = this.confusion;
    if (!c) return html`<p class="empty">No test-set evaluation yet. The test set is evaluated every 100 steps and when the run ends; the test images with the network's answers and the confusion matrix appear then.</p>`;
    const names = classNames(d);
    return html`${this.grid(d, names)}${this.matrix(names, c)}`;
  }

  private grid(d: ImageDataset, names: readonly string[]) {
    const predictions = this.evaluation!.predictions;
    const { width, height } = d.image;
    return html`<ol class="grid" aria-label="The first ${this.images.length} test images with their true and predicted classes">
      ${this.images.map((_, i) => {
        const [t, p] = [d.test.y[i]!, predictions[i]!];
        const right = t === p;
        const words = `true ${names[t]}, predicted ${names[p]}`;
        return html`<li class=${right ? 'right' : 'wrong'} data-correct=${right} title="Test image ${i + 1}: ${words}">
          <canvas data-index=${i} width=${width} height=${height} role="img" aria-label="test image ${i + 1}"></canvas>
          <span class="true">${names[t]}</span>
          <span class="predicted">${right ? '✓' : '✗'} ${names[p]}</span>
        </li>`;
      })}
    </ol>`;
  }

  private matrix(names: readonly string[], c: Confusion) {
    const k = names.length;
    const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
    return html`<table class="confusion">
      <caption>Test accuracy ${percent(c.correct / (c.total || 1))} (${c.correct.toLocaleString('en')} of ${c.total.toLocaleString('en')}) at step ${this.evaluation!.step}.
        Rows: true class; columns: predicted; shade: share of the row.</caption>
      <thead><tr><th class="corner">predicted →<br />true ↓</th>${names.map((n) => html`<th class="predicted-class" scope="col"><span>${n}</span></th>`)}</tr></thead>
      <tbody>${names.map(
        (n, t) => html`<tr><th scope="row">${n}</th>${names.map((m, p) => {
          const i = t * k + p;
          const count = c.counts[i]!;
          return html`<td class=${t === p ? 'diagonal' : ''} data-count=${count} style="--share: ${c.shares[i]!.toFixed(3)}"
            title="True ${n}, predicted ${m}: ${count.toLocaleString('en')} of ${c.totals[t]!.toLocaleString('en')} (${percent(c.shares[i]!)})"></td>`;
        })}</tr>`,
      )}</tbody>
    </table>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gs-images': GsImages;
  }
}
