import { wrap } from '../../src/cli/terminal/wrap.ts';
import { describe, expect, it } from 'vitest';
import { stripAnsi, visibleLength } from '../../src/cli/terminal/ansi.ts';
import { aggregate, gradientStrip, NON_FINITE_MARK, PLAIN_RAMP, VIRIDIS_256, ZERO_MARK } from '../../src/cli/terminal/gradient-strip.ts';
import { duration, progressBar } from '../../src/cli/terminal/progress-bar.ts';

const ANSI = /\x1b\[/;

describe('progressBar', () => {
  const state = { step: 412, steps: 1000, stepsPerSecond: 85.3, loss: 0.693147, width: 80 };

  it('is one line of exactly the given width', () => {
    for (const width of [80, 120, 60, 30, 10]) {
      const line = progressBar({ ...state, width });
      expect(line).toHaveLength(width);
      expect(line).not.toMatch(/[\n\r]/);
      expect(line).not.toMatch(ANSI);
    }
  });

  it('shows the count, a bar in proportion, the rate, the loss and the time left', () => {
    const line = progressBar(state);
    expect(line).toMatch(/^ 412\/1000 \[█+░+\]  41%  85\.3 steps\/s  loss 0\.6931  eta 7s\s*$/);
    const bar = /\[(█*)(░*)\]/.exec(line)!;
    const filled = bar[1]!.length / (bar[1]!.length + bar[2]!.length);
    expect(filled).toBeCloseTo(0.412, 1);
  });

  it('drops the bar when the line is too narrow for it', () => {
    expect(progressBar({ ...state, width: 50 })).toMatch(/^ 412\/1000  41%/);
  });

  it('copes with the ends of a run and with bad figures', () => {
    expect(progressBar({ ...state, step: 0, stepsPerSecond: 0 })).toMatch(/\[░+\]   0%  -- steps\/s .* eta --/);
    expect(progressBar({ ...state, step: 1000 })).toMatch(/\[█+\] 100% .* eta 0s/);
    expect(progressBar({ ...state, loss: NaN })).toContain('loss NaN');
    expect(progressBar({ ...state, loss: 2.5e-5 })).toContain('loss 2.50e-5');
    expect(progressBar({ ...state, steps: 0, step: 0 })).toContain('100%');
  });

  it('formats durations', () => {
    expect([7, 187, 3725].map(duration)).toEqual(['7s', '3m07s', '1h02m']);
  });
});

/** 10^-6 at the input rising to 10^0 at the head. */
const rising = (n: number): number[] => Array.from({ length: n }, (_, l) => 10 ** (-6 + (6 * l) / (n - 1)));

describe('gradientStrip', () => {
  it('labels its ends as told (a strip through time), and still fits the width', () => {
    const [strip] = gradientStrip(rising(60), { color: false, width: 40, ends: ['t=0', 't=59'] });
    expect(strip).toMatch(/^t=0 [▁-█]+ t=59$/);
    expect(strip!.length).toBeLessThanOrEqual(40);
  });

  it('draws one cell per layer from input to head, with a legend of the log10 range', () => {
    const [strip, legend, ...rest] = gradientStrip(rising(8), { color: false, width: 80 });
    expect(rest).toEqual([]);
    expect(strip).toBe(`input ${PLAIN_RAMP} head`);
    expect(legend).toBe(`log10 grad norm -6.0 ${PLAIN_RAMP} 0.0`);
  });

  it('uses no ANSI escapes when colour is off, 256-colour blocks when on', () => {
    const values = [...rising(30), NaN];
    for (const line of gradientStrip(values, { color: false })) expect(line).not.toMatch(ANSI);
    const [strip, legend] = gradientStrip(values, { color: true });
    expect(strip).toContain(`\x1b[0;38;5;${VIRIDIS_256[0]}m█`);
    expect(strip).toContain(`\x1b[0;38;5;${VIRIDIS_256.at(-1)}m█`);
    expect(strip!.endsWith('head')).toBe(true);
    expect(stripAnsi(strip!)).toBe(`input ${'█'.repeat(30)}${NON_FINITE_MARK} head`);
    expect(legend).toMatch(ANSI);
    expect(stripAnsi(legend!)).toBe(`log10 grad norm -6.0 ${'█'.repeat(VIRIDIS_256.length)} 0.0  ${NON_FINITE_MARK} non-finite`);
  });

  it('orders the colours from dark to bright', () => {
    const luminance = (c: number): number => {
      const i = c - 16;
      const lv = [0, 95, 135, 175, 215, 255];
      return 0.2126 * lv[Math.floor(i / 36)]! + 0.7152 * lv[Math.floor(i / 6) % 6]! + 0.0722 * lv[i % 6]!;
    };
    const l = VIRIDIS_256.map(luminance);
    for (let i = 1; i < l.length; i++) expect(l[i]!).toBeGreaterThan(l[i - 1]!);
  });

  it('fits every width, aggregating long nets', () => {
    for (const width of [120, 80, 40, 25, 12, 5]) {
      for (const color of [false, true]) {
        const lines = gradientStrip(rising(1001), { color, width });
        for (const line of lines) expect(visibleLength(line), `width ${width} color ${color}`).toBeLessThanOrEqual(width);
      }
    }
    const [strip, legend] = gradientStrip(rising(1001), { color: false, width: 80 });
    expect(strip).toHaveLength(80);
    expect(legend).toContain('(1001 layers in 69 cells)');
  });

  it('drops the end labels when they would crowd out the cells', () => {
    expect(gradientStrip(rising(100), { color: false, width: 25 })[0]).toHaveLength(25);
    expect(gradientStrip(rising(100), { color: false, width: 25 })[0]).not.toContain('input');
    expect(gradientStrip(rising(5), { color: false, width: 16 })[0]).toBe(`input ${PLAIN_RAMP[0]}${PLAIN_RAMP[2]}${PLAIN_RAMP[4]}${PLAIN_RAMP[5]}${PLAIN_RAMP[7]} head`);
  });

  it('marks a group with any non-finite value, and all-zero groups, distinctly', () => {
    const values = [...rising(40), 0, 0, 0, 0, Infinity, 1, 1, 1];
    const [strip, legend] = gradientStrip(values, { color: false, width: 35 });
    const cells = strip!.slice('input '.length, -' head'.length);
    expect(cells).toHaveLength(24);
    expect(cells.match(new RegExp(NON_FINITE_MARK, 'g'))).toHaveLength(1);
    expect(cells).toContain(ZERO_MARK);
    expect(legend).toMatch(/^log10 grad norm -5\.9 ▁▂▃▄▅▆▇█ 0\.0/);
    expect(legend!.length).toBeLessThanOrEqual(35);
  });

  it('averages log10 within a cell', () => {
    expect(aggregate([1e-4, 1e-2, 1, 100], 2)).toEqual([
      { kind: 'value', log: -3 },
      { kind: 'value', log: 1 },
    ]);
    expect(aggregate([0, 1e-2, NaN], 1)).toEqual([{ kind: 'non-finite' }]);
    expect(aggregate([0, 1e-2], 1)).toEqual([{ kind: 'value', log: -2 }]);
  });

  it('handles an empty net and a net with no finite values', () => {
    expect(gradientStrip([], { color: true })).toEqual(['(no layers to show)']);
    const [strip, legend] = gradientStrip([NaN, NaN], { color: false });
    expect(strip).toBe(`input ${NON_FINITE_MARK}${NON_FINITE_MARK} head`);
    expect(legend).toBe(`log10 grad norm: no finite values  ${NON_FINITE_MARK} non-finite`);
  });
});

describe('wrap', () => {
  it('breaks at spaces within the width, never inside a word, with a hanging indent', () => {
    const text = 'dead-units: 100% of the units in block 185 output zero for every sample (193 layers are over half dead), so no gradient reaches their weights.';
    const lines = wrap(text, 40, '', '  ');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
    expect(lines.slice(1).every((l) => l.startsWith('  ') && !l.startsWith('   '))).toBe(true);
    expect(lines.map((l) => l.trim()).join(' ')).toBe(text);
  });

  it('puts a word longer than the line on a line of its own', () => {
    expect(wrap('try: --set model.init.gain=0.058 now', 12)).toEqual(['try: --set', 'model.init.gain=0.058', 'now']);
  });
});
