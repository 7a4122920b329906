import { describe, expect, it } from 'vitest';
import { aggregateRows, layerRow, rowLayers, winningLayer } from '../../src/ui/gs-heatmap/row-aggregation.ts';

/** log10 gradient norms of a vanishing network: -1 at the head down to -8 at the input. */
const vanishing = (layers: number): Float32Array => Float32Array.from({ length: layers }, (_, l) => -8 + (7 * l) / (layers - 1));

describe('aggregateRows', () => {
  it('combines 1,000 layers into 200 pixel rows of 5, keeping the max', () => {
    const v = vanishing(1000);
    const rows = aggregateRows(v, 200);
    expect(rows).toHaveLength(200);
    for (let r = 0; r < 200; r++) expect(rows[r], `row ${r}`).toBe(v[5 * r + 4]);
  });

  it('keeps one exploding layer visible among its neighbours', () => {
    const v = vanishing(1000);
    v[537] = 12;
    const rows = aggregateRows(v, 200);
    expect(rows[107]).toBe(12);
    expect(rows[106]).toBe(v[534]);
    expect(rows[108]).toBe(v[544]);
  });

  it('lets a non-finite layer win its row, and zero (-∞) show only when the whole row is zero', () => {
    const v = vanishing(1000);
    v[3] = NaN;
    v.fill(-Infinity, 10, 15);
    v[20] = -Infinity;
    const rows = aggregateRows(v, 200);
    expect(rows[0]).toBeNaN();
    expect(rows[2]).toBe(-Infinity);
    expect(rows[4]).toBe(v[24]);
  });

  it('handles uneven groups (1,001 layers: blocks plus the head) and puts the head in the top row', () => {
    const v = vanishing(1001);
    v[1000] = 5;
    const rows = aggregateRows(v, 200);
    expect(rows[199]).toBe(5);
    const sizes = Array.from({ length: 200 }, (_, r) => rowLayers(r, 1001, 200)).map(([a, b]) => b - a);
    expect(Math.min(...sizes)).toBe(5);
    expect(Math.max(...sizes)).toBe(6);
  });

  it("in 'extreme' mode keeps the value farthest from 0, with its sign", () => {
    expect(Array.from(aggregateRows([0.1, -0.9, 0.3, 0.5], 2, 'extreme'))).toEqual([Math.fround(-0.9), Math.fround(0.5)]);
  });

  it('repeats layers when there are more pixel rows than layers', () => {
    expect(Array.from(aggregateRows([1, 2, 3], 6))).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it('writes into a reused buffer', () => {
    const out = new Float32Array(2);
    expect(aggregateRows([1, 2, 3, 4], 2, 'max', out)).toBe(out);
    expect(Array.from(out)).toEqual([2, 4]);
  });
});

describe('rowLayers / layerRow / winningLayer', () => {
  it('partitions the layers: every layer in exactly one row, and layerRow finds it', () => {
    for (const [layers, rows] of [[1000, 200], [1001, 200], [101, 37], [7, 7]] as const) {
      let next = 0;
      for (let r = 0; r < rows; r++) {
        const [a, b] = rowLayers(r, layers, rows);
        expect(a).toBe(next);
        for (let l = a; l < b; l++) expect(layerRow(l, layers, rows), `layer ${l} of ${layers}`).toBe(r);
        next = b;
      }
      expect(next).toBe(layers);
    }
  });

  it('names the layer whose colour a row shows', () => {
    const v = vanishing(1000);
    v[537] = 12;
    expect(winningLayer(v, 107, 200)).toBe(537);
    expect(winningLayer(v, 0, 200)).toBe(4);
  });
});
