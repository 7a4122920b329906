import { describe, expect, it } from 'vitest';
import { convInputGrid, convSpec, convWorkgroups, inputRun, type ConvShape } from '../../src/kernels/conv.ts';
import { MATMUL_TILINGS } from '../../src/kernels/tunables.ts';

// The grid of conv_input_reg without a GPU: stride classes × runs of 8 pixels in a class's row × lanes of 8 channels.
const conv3 = (batch: number, H: number, Cin: number, stride: number): ConvShape => ({ batch, H, W: H, Cin, Cout: 2 * Cin, KH: 3, KW: 3, stride, pad: 1 });

describe('conv_input_reg grid (pure)', () => {
  it('covers each row of each stride class with runs of 8 pixels, and each run with lanes of 8 channels', () => {
    // ResNet shapes at batch 128: stride 1 is one class of every pixel; stride 2 four classes of a quarter each.
    expect(convInputGrid(conv3(128, 32, 16, 1))).toEqual({ classes: 1, Hc: 32, Wc: 32, blocks: 16384, lanes: 2, invocations: 32768 });
    expect(convInputGrid(conv3(128, 32, 16, 2))).toEqual({ classes: 4, Hc: 16, Wc: 16, blocks: 4096, lanes: 2, invocations: 32768 });
    expect(convInputGrid(conv3(128, 8, 64, 1))).toEqual({ classes: 1, Hc: 8, Wc: 8, blocks: 1024, lanes: 8, invocations: 8192 });
    // Odd sizes: a class is ⌈H/s⌉ rows of ⌈W/s⌉ pixels per image (the smaller classes' missing pixels are
    // dropped); a run never spans two rows, so a row of 3 pixels takes a run of 8, and a row of 10 two.
    expect(convInputGrid({ ...conv3(3, 7, 17, 2), W: 5 })).toEqual({ classes: 4, Hc: 4, Wc: 3, blocks: 12, lanes: 3, invocations: 144 });
    expect(convInputGrid({ ...conv3(2, 3, 4, 1), W: 10 })).toEqual({ classes: 1, Hc: 3, Wc: 10, blocks: 12, lanes: 1, invocations: 12 });
    expect(convInputGrid({ ...conv3(1, 1, 1, 3), W: 1 })).toEqual({ classes: 9, Hc: 1, Wc: 1, blocks: 1, lanes: 1, invocations: 9 });
  });

  it('dispatches conv_input_reg flat (folding into y past 65,535 workgroups) and every other pass as the GEMM core does', () => {
    const reg = MATMUL_TILINGS.reg16x8;
    expect(convWorkgroups(conv3(128, 32, 16, 1), 'input', reg)).toEqual([256, 1, 1]);
    expect(convWorkgroups(conv3(128, 16, 32, 2), 'input', MATMUL_TILINGS.reg8x8)).toEqual([256, 1, 1]);
    // 4,096 images of 64×64×64: 2²¹ runs × 8 lanes = 2²⁴ invocations, 2¹⁷ workgroups of 128.
    expect(convWorkgroups(conv3(4096, 64, 64, 1), 'input', reg)).toEqual([65535, 3, 1]);
    // vec4 becomes reg; naive and tiled keep the GEMM core's 2-D grid over dx (M = N·H·W rows × Cin).
    expect(convWorkgroups(conv3(128, 32, 16, 1), 'input', MATMUL_TILINGS.vec4x4_8x8)).toEqual([512, 1, 1]);
    expect(convWorkgroups(conv3(128, 32, 16, 1), 'input', MATMUL_TILINGS.tiled64)).toEqual([1, 2048, 1]);
    expect(convWorkgroups(conv3(128, 32, 16, 1), 'forward', reg)).toEqual([1, 4096, 1]);
  });

  it('runs the input gradient on conv_input_reg for reg and vec4 tilings only', () => {
    const entry = (pass: 'forward' | 'input' | 'weights', t: keyof typeof MATMUL_TILINGS) => convSpec(pass, { kind: 'plain' }, MATMUL_TILINGS[t]).entry;
    expect(entry('input', 'reg16x8')).toBe('conv_input_reg');
    expect(entry('input', 'vec4x4_8x8')).toBe('conv_input_reg');
    expect(entry('forward', 'reg16x8')).toBe('conv_reg');
    expect(entry('weights', 'reg16x8')).toBe('conv_reg');
    expect(entry('input', 'tiled64')).toBe('gemm_tiled');
    expect(entry('input', 'naive')).toBe('gemm_naive');
  });

  it('reads taps along x in runs of three from one window of dy only where every class has runs of three', () => {
    expect([inputRun({ stride: 1, KW: 3 }), inputRun({ stride: 1, KW: 6 }), inputRun({ stride: 1, KW: 1 }), inputRun({ stride: 1, KW: 5 })]).toEqual([3, 3, 1, 1]);
    // Stride 2 with a 3-wide kernel gives classes 1 or 2 taps along x.
    expect(inputRun({ stride: 2, KW: 3 })).toBe(1);
    const spec = (s: ConvShape, t: keyof typeof MATMUL_TILINGS) => convSpec('input', { kind: 'plain' }, MATMUL_TILINGS[t], s).constants;
    expect(spec(conv3(8, 8, 8, 1), 'reg16x8')).toMatchObject({ INPUT_RUN: 3 });
    expect(spec(conv3(8, 8, 8, 2), 'reg16x8')).toMatchObject({ INPUT_RUN: 1 });
    expect(spec(conv3(8, 8, 8, 1), 'tiled64')).not.toHaveProperty('INPUT_RUN');
  });
});
