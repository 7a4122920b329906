import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, PNG_SIGNATURE } from '../../src/cli/png.ts';
import { sweepConfigLine, sweepSummaryLine } from '../../src/io/sweep-log.ts';
import { defaultConfig } from '../../src/model/config.ts';
import { applyAssignments } from '../../src/model/set-path.ts';
import { cellColor } from '../../src/stats/phase-diagram.ts';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gradscope-plot-'));
const at = (name: string): string => join(dir, name);
const adapter = { vendor: 'v', architecture: 'a', device: 'd', description: 'x' };
const SIGMAS = [1, 1.5, 2, 2.5, 3];
const DEPTHS = [2, 4, 6, 8];

/** Run k of a σ_w² × depth grid (σ_w² slowest) of plain relu MLPs with the mean-field init, as gradscope sweep writes it. */
function runLines(k: number, trainAccuracy: number | null, scheme = 'meanfield'): string {
  const grid = { 'model.init.sigmaW2': SIGMAS[Math.floor(k / DEPTHS.length)]!, 'model.depth': DEPTHS[k % DEPTHS.length]! };
  const config = applyAssignments(defaultConfig(), [`model.init.scheme=${scheme}`, `model.init.sigmaW2=${grid['model.init.sigmaW2']}`, `model.depth=${grid['model.depth']}`]);
  const diverged = trainAccuracy === null ? { step: 4, layer: null, what: 'the loss is not finite' } : null;
  const summary = { steps: 20, finalLoss: 1, finalAccuracy: 0.5, testLoss: 1, testAccuracy: 0.5, trainLoss: 1, trainAccuracy, diverged, diagnosis: [], stepsPerSecond: 9 };
  return `${sweepConfigLine(k, grid, { config: { ...config }, adapter, version: '0.1.0' })}\n${sweepSummaryLine(k, grid, summary)}\n`;
}

const accuracy = (k: number): number => 0.3 + 0.035 * k;
// Two shards (k mod 2); run 7 never finished, run 19 diverged, and run 0 was run twice (0.2 and 0.4: the cell shows 0.3).
const shard = (i: number): string => Array.from({ length: 20 }, (_, k) => k).filter((k) => k % 2 === i && k !== 7).map((k) => runLines(k, k === 19 ? null : k === 0 ? 0.2 : accuracy(k))).join('');
writeFileSync(at('part1.jsonl'), shard(0));
writeFileSync(at('part2.jsonl'), shard(1) + runLines(0, 0.4));
writeFileSync(at('merged.jsonl'), readFileSync(at('part2.jsonl'), 'utf8') + readFileSync(at('part1.jsonl'), 'utf8'));
const PHASE = ['--x', 'model.init.sigmaW2', '--y', 'model.depth', '--value', 'trainAccuracy'];

function pngChunks(bytes: Uint8Array): Map<string, Uint8Array[]> {
  const chunks = new Map<string, Uint8Array[]>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let o = 8; o < bytes.length; ) {
    const length = view.getUint32(o);
    const type = Buffer.from(bytes.subarray(o + 4, o + 8)).toString('latin1');
    const data = bytes.subarray(o + 8, o + 8 + length);
    expect(view.getUint32(o + 8 + length), `${type} CRC`).toBe(crc32(bytes.subarray(o + 4, o + 8 + length)));
    chunks.set(type, [...(chunks.get(type) ?? []), data]);
    o += 12 + length;
  }
  return chunks;
}

describe('gradscope plot', () => {
  it('draws the phase diagram of the shards as SVG, with one cell per grid point and the theory curves', async () => {
    const r = await cli(['plot', at('part1.jsonl'), at('part2.jsonl'), ...PHASE, '--theory', '--out', at('phase.svg')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('5 × 4 cells from 20 runs (1 diverged, 1 cells without a run)');
    const svg = readFileSync(at('phase.svg'), 'utf8');
    const cells = [...svg.matchAll(/<rect class="cell ([^"]+)"/g)].map((m) => m[1]);
    expect(cells).toHaveLength(SIGMAS.length * DEPTHS.length);
    expect(cells.filter((c) => c === 'missing')).toHaveLength(1);
    expect(cells.filter((c) => c === 'diverged')).toHaveLength(1);
    expect(svg).toContain('<title>model.init.sigmaW2=1 model.depth=2: 0.3 (2 runs)</title>');
    expect(svg).toMatch(/<path class="theory xi-c" d="M[\d. L]+"/);
    expect(svg).toMatch(/<path class="theory trainable-depth" d="M[\d. L]+"/);
    // cat of the shards is the same sweep, and without --out the SVG goes to stdout.
    const merged = await cli(['plot', at('merged.jsonl'), ...PHASE, '--theory']);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(svg);
  });

  it('writes a PNG of the same picture: valid chunks, the SVG size, a cell in its colour', async () => {
    const r = await cli(['plot', at('merged.jsonl'), ...PHASE, '--out', at('phase.png')]);
    expect(r.code, r.stderr).toBe(0);
    const png = new Uint8Array(readFileSync(at('phase.png')));
    expect([...png.subarray(0, 8)]).toEqual([...PNG_SIGNATURE]);
    const chunks = pngChunks(png);
    expect([...chunks.keys()]).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = new DataView(chunks.get('IHDR')![0]!.slice().buffer);
    const [w, h] = [ihdr.getUint32(0), ihdr.getUint32(4)];
    expect([ihdr.getUint8(8), ihdr.getUint8(9)]).toEqual([8, 2]); // 8-bit RGB
    const svg = (await cli(['plot', at('merged.jsonl'), ...PHASE])).stdout;
    expect(svg).toContain(`width="${w}" height="${h}"`);
    const rows = inflateSync(Buffer.concat(chunks.get('IDAT')!));
    expect(rows.length).toBe(h * (1 + 3 * w));
    // The cell σ_w² = 2.5, depth 4 (run 13) has its colour at its centre, where no curve is drawn.
    const m = /<rect class="cell value" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="[^"]+"><title>model.init.sigmaW2=2.5 model.depth=4:/.exec(svg)!;
    const [x, y] = [Math.floor(Number(m[1]) + Number(m[3]) / 2), Math.floor(Number(m[2]) + Number(m[4]) / 2)];
    const o = y * (1 + 3 * w) + 1 + 3 * x;
    expect([...rows.subarray(o, o + 3)]).toEqual([...cellColor(accuracy(13), [0, 1])]);
  });

  it('refuses what it cannot plot, in one line', async () => {
    const bad: [string[], RegExp][] = [
      [[at('merged.jsonl'), '--x', 'model.init.sigmaW2', '--y', 'model.depth', '--value', 'trainAcc'], /--value trainAcc: the runs' summaries have no such number; they have steps, finalLoss, .*trainAccuracy/],
      [[at('merged.jsonl'), '--x', 'sigmaW2', '--y', 'model.depth', '--value', 'trainAccuracy'], /--x must be a config key\.path \(got "sigmaW2"; did you mean model\.init\.sigmaW2\?\)/],
      [[at('merged.jsonl'), ...PHASE, '--out', at('phase.jpg')], /end it in \.svg or \.png/],
      [[at('merged.jsonl'), '--x', 'model.depth', '--y', 'model.init.sigmaW2', '--value', 'trainAccuracy', '--theory'], /--theory .*give --x model\.init\.sigmaW2 --y model\.depth/],
      [[at('he.jsonl'), ...PHASE, '--theory'], /--theory .*he\.jsonl line 2 has model\.init\.scheme=he \(needs meanfield\)/],
      [[at('broken.jsonl'), ...PHASE], /broken\.jsonl line 3: not JSON/],
      [[at('missing.jsonl'), ...PHASE], /missing\.jsonl: cannot read it \(no such file\)/],
      [[...PHASE], /needs one or more sweep files/],
    ];
    writeFileSync(at('he.jsonl'), runLines(0, 0.5, 'he') + runLines(1, 0.5, 'he'));
    writeFileSync(at('broken.jsonl'), runLines(0, 0.5) + '{"type":\n');
    for (const [args, expected] of bad) {
      const r = await cli(['plot', ...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(expected);
    }
  });
});
