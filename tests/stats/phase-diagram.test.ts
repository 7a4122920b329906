import { describe, expect, it } from 'vitest';
import { LUT_SIZE, lutRgb, VIRIDIS } from '../../src/ui/colormaps.ts';
import { cellColor, clipPolyline, formatTick, meanFieldCurves, phaseDiagram, phaseScene, sceneSvg, viridis, xDataRange, type PhasePoint } from '../../src/stats/phase-diagram.ts';

const p = (x: number | string, y: number | string, value: number | null, diverged = false): PhasePoint => ({ x, y, value, diverged });

/** Every `<rect class="cell …">` of an SVG: its classes and box. */
function cells(svg: string): { cls: string; x: number; y: number; w: number; h: number }[] {
  return [...svg.matchAll(/<rect class="(cell[^"]*)" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)].map((m) => ({
    cls: m[1]!,
    x: Number(m[2]),
    y: Number(m[3]),
    w: Number(m[4]),
    h: Number(m[5]),
  }));
}

function pathPoints(svg: string, cls: string): [number, number][][] {
  return [...svg.matchAll(new RegExp(`<path class="${cls}" d="([^"]+)"`, 'g'))].map((m) => [...m[1]!.matchAll(/[ML]([-\d.]+) ([-\d.]+)/g)].map((q) => [Number(q[1]), Number(q[2])]));
}

describe('phaseDiagram', () => {
  const points = [p(1, 10, 0.4), p(1, 10, 0.6), p(2, 10, null, true), p(3, 10, 0.9), p(1, 20, 0.2), p(3, 20, null), p(3, 20, null)];
  const d = phaseDiagram(points, { x: 'model.init.sigmaW2', y: 'model.depth', value: 'trainAccuracy' });

  it('puts runs in cells: sorted axes, runs of a cell averaged, missing cells empty, diverged runs counted', () => {
    expect(d.x.values).toEqual([1, 2, 3]);
    expect(d.y.values).toEqual([10, 20]);
    expect(d.cells.map((c) => [c.xi, c.yi, c.value, c.runs, c.diverged])).toEqual([
      [0, 0, 0.5, 2, 0],
      [1, 0, null, 1, 1],
      [2, 0, 0.9, 1, 0],
      [0, 1, 0.2, 1, 0],
      [1, 1, null, 0, 0],
      [2, 1, null, 2, 0],
    ]);
    expect(d.range).toEqual([0, 1]); // an accuracy spans 0 to 1, whatever the runs reached
    expect(phaseDiagram(points, { x: 'a', y: 'b', value: 'finalLoss' }).range).toEqual([0.2, 0.9]);
    expect(phaseDiagram([p('tanh', 1, 1), p('relu', 1, 2), p(0.5, 1, 3)], { x: 'a', y: 'b', value: 'v' }).x.values).toEqual([0.5, 'tanh', 'relu']);
  });

  it('draws one rect per cell, diverged hatched, missing ones outlined', () => {
    const svg = sceneSvg(phaseScene(d));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const c = cells(svg);
    expect(c.map((r) => r.cls)).toEqual(['cell value', 'cell diverged', 'cell value', 'cell value', 'cell missing', 'cell empty']);
    expect(svg.match(/fill="url\(#hatch\)"/g)).toHaveLength(2); // the diverged cell and its legend swatch
    // Depth grows upwards: the depth-20 row sits above the depth-10 row.
    expect(c[3]!.y).toBeLessThan(c[0]!.y);
    expect(svg).toContain(`fill="rgb(${cellColor(0.5, [0, 1]).join(',')})"`);
    expect(svg).toContain('<title>model.init.sigmaW2=1 model.depth=10: 0.5 (2 runs)</title>');
    expect(svg).toContain('>model.init.sigmaW2</text>');
    expect(svg).not.toContain('class="theory');
  });
});

describe('the theory curves', () => {
  it('ξ_c = −1/ln(σ_w²/2) for relu with σ_b² = 0 (χ_c = σ_w²/2 in the ordered phase), 6ξ_c beside it', () => {
    const [xi, six] = meanFieldCurves({ activation: 'relu', sigmaB2: 0 }, [0.5, 1.5], 11);
    expect(xi!.name).toBe('xi-c');
    for (const [s, y] of xi!.points) expect(y).toBeCloseTo(-1 / Math.log(s / 2), 6);
    six!.points.forEach(([, y], i) => expect(y).toBeCloseTo(6 * xi!.points[i]![1], 9));
  });

  it('clips a polyline to the plot and breaks it where it is not finite', () => {
    expect(clipPolyline([[0, 50], [10, -50], [20, 50]], 0, 100)).toEqual([[[0, 50], [5, 0]], [[15, 0], [20, 50]]]);
    expect(clipPolyline([[0, 10], [1, 20], [2, Infinity], [3, 30], [4, 40], [5, NaN]], 0, 100)).toEqual([[[0, 10], [1, 20]], [[3, 30], [4, 40]]]);
    expect(clipPolyline([[0, 200], [1, 300]], 0, 100)).toEqual([]);
  });

  it('lies over the cells where the theory puts it, inside the plot', () => {
    const depths = [1, 2, 4, 8];
    const sigmas = [0.5, 1, 1.5, 2, 2.5];
    const d = phaseDiagram(
      sigmas.flatMap((s) => depths.map((l) => p(s, l, 0.5))),
      { x: 'model.init.sigmaW2', y: 'model.depth', value: 'trainAccuracy' },
    );
    expect(xDataRange(d)).toEqual([0.25, 2.75]);
    const svg = sceneSvg(phaseScene(d, meanFieldCurves({ activation: 'relu', sigmaB2: 0 }, xDataRange(d)!)));
    const c = cells(svg);
    expect(c).toHaveLength(20);
    const top = Math.min(...c.map((r) => r.y));
    const bottom = Math.max(...c.map((r) => r.y + r.h));
    const [xi] = pathPoints(svg, 'theory xi-c');
    const six = pathPoints(svg, 'theory trainable-depth');
    expect(xi!.length).toBeGreaterThan(10);
    expect(six.length).toBeGreaterThan(0);
    for (const [, y] of [...xi!, ...six.flat()]) expect(y >= top - 0.05 && y <= bottom + 0.05, `y ${y} in [${top}, ${bottom}]`).toBe(true);
    // At σ_w² = 1 (column 1's centre) ξ_c = 1/ln 2 ≈ 1.44 layers: 44% of the way from row depth=1's centre to depth=2's.
    const row1 = c[1]!; // cells go row by row from the smallest depth: σ_w² = 1, depth 1
    const cx = row1.x + row1.w / 2;
    const near = xi!.reduce((a, b) => (Math.abs(b[0] - cx) < Math.abs(a[0] - cx) ? b : a));
    const expected = row1.y + row1.h / 2 - (1 / Math.LN2 - 1) * row1.h;
    expect(Math.abs(near[0] - cx)).toBeLessThan(3);
    expect(Math.abs(near[1] - expected)).toBeLessThan(row1.h * 0.1);
  });
});

describe('colours and ticks', () => {
  it('viridis is the heatmaps\' fit: dark purple to yellow', () => {
    for (let i = 0; i < LUT_SIZE; i++) expect(viridis(i / (LUT_SIZE - 1))).toEqual(lutRgb(VIRIDIS, i));
    viridis(0).forEach((c, k) => expect(Math.abs(c - [68, 1, 84][k]!)).toBeLessThanOrEqual(5)); // matplotlib's ends, within the fit's error there
    viridis(1).forEach((c, k) => expect(Math.abs(c - [253, 231, 37][k]!)).toBeLessThanOrEqual(5));
    expect(viridis(-3)).toEqual(viridis(0));
    expect(formatTick(1.2000000000000002)).toBe('1.2');
    expect(formatTick(0.000123456)).toBe('0.0001235');
    expect(formatTick('relu')).toBe('relu');
  });
});
