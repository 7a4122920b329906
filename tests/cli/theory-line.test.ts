// The config line says what mean-field theory predicts for a plain MLP, and names a residual net's blocks.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { meanField } from '../../src/stats/mean-field.ts';
import { cli, SMALL } from '../helpers/cli.ts';

const configOf = (path: string) => JSON.parse(readFileSync(path, 'utf8').split('\n')[0]!) as Record<string, unknown>;

describe('the config line’s theory and residual blocks', () => {
  it('a tanh MLP with the mean-field init: χ₁, q*, ξ_c and 6ξ_c from the input’s own mean square', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'gs-theory-')), 'run.jsonl');
    const r = await cli(['train', ...SMALL, '--set', 'model.activation=tanh', '--set', 'model.init.scheme=meanfield', '--set', 'model.init.sigmaW2=1.5', '--set', 'model.init.sigmaB2=0.05', '--steps', '2', '--log', log]);
    expect(r.code, r.stderr).toBe(0);
    const t = configOf(log).meanField as Record<string, number | string>;
    expect(t).toMatchObject({ activation: 'tanh', sigmaW2: 1.5, sigmaB2: 0.05, phase: 'ordered' });
    expect(t.q1).toBeCloseTo(1.5 * (t.inputMeanSquare as number) + 0.05, 10);
    // The fixed point does not depend on where q starts: the paper's χ₁ = 0.939 at σ_w² = 1.5.
    expect(t.chi1).toBeCloseTo(0.939, 3);
    expect(t.chi1).toBeCloseTo(meanField({ activation: 'tanh', sigmaW2: 1.5, sigmaB2: 0.05 }).chi1, 9);
    expect(t.trainableDepth).toBeCloseTo(6 * (t.xiC as number), 9);
    expect(configOf(log).residualBlocks).toBeUndefined();
  }, 120_000);

  it('a residual MLP: no theory (skips change it), its blocks named in the residual split’s order', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'gs-theory-')), 'run.jsonl');
    const r = await cli(['train', ...SMALL, '--set', 'model.residual=identity', '--steps', '2', '--log', log]);
    expect(r.code, r.stderr).toBe(0);
    const line = configOf(log);
    expect(line.meanField).toBeUndefined();
    expect(line.residualBlocks).toEqual([1, 2, 3, 4, 5].map((l) => ({ name: `blocks.${l}`, row: l })));
    const step = JSON.parse(readFileSync(log, 'utf8').split('\n')[1]!) as { residualSkipNorm: number[]; residualBranchNorm: number[] };
    expect(step.residualSkipNorm).toHaveLength(5);
    expect(step.residualBranchNorm.every((x) => x > 0)).toBe(true);
  }, 120_000);
});
