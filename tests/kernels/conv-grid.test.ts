import { describe, expect, it } from 'vitest';
import { convForwardGrid, convInputGrid, convSpec, convWorkgroups, tapRun, type ConvShape } from '../../src/kernels/conv.ts';
import { MATMUL_TILINGS } from '../../src/kernels/tunables.ts';

// The grids of conv_input_reg and conv_forward_reg without a GPU: (stride classes ×) runs of 8 pixels in a row × lanes of 8 channels.
const conv3 = (batch: number, H: number, Cin: number, stride: number): ConvShape => ({ batch, H, W: H, Cin, Cout: 2 * Cin, KH: 3, KW: 3, stride, pad: 1 });

describe('conv_input_reg and conv_forward_reg grids (pure)', () => {
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

  it('covers each output row with runs of 8 pixels, and each run with lanes of 8 output channels (conv_forward_reg)', () => {
    // Stride 1 keeps the image's size, stride 2 halves it; Cout = 2·Cin here.
    expect(convForwardGrid(conv3(128, 32, 16, 1))).toEqual({ blocks: 16384, lanes: 4, invocations: 65536 });
    expect(convForwardGrid({ ...conv3(128, 32, 16, 1), Cout: 16 })).toEqual({ blocks: 16384, lanes: 2, invocations: 32768 });
    expect(convForwardGrid(conv3(128, 16, 32, 2))).toEqual({ blocks: 1024, lanes: 8, invocations: 8192 });
    expect(convForwardGrid(conv3(128, 8, 64, 1))).toEqual({ blocks: 1024, lanes: 16, invocations: 16384 });
    // Odd sizes: a 7×5 image at stride 2 gives 4 rows of 3 pixels, one run each; 34 channels take 5 lanes (the
    // last holds 2 real channels); a row of 10 pixels takes two runs, the second hanging 6 pixels over its end.
    expect(convForwardGrid({ ...conv3(3, 7, 17, 2), W: 5 })).toEqual({ blocks: 12, lanes: 5, invocations: 60 });
    expect(convForwardGrid({ ...conv3(2, 3, 4, 1), W: 10 })).toEqual({ blocks: 12, lanes: 1, invocations: 12 });
    expect(convForwardGrid({ ...conv3(1, 1, 1, 3), W: 1 })).toEqual({ blocks: 1, lanes: 1, invocations: 1 });
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
    // conv_forward_reg is flat too: 65,536 invocations of 32×32×16 → 32 in workgroups of 128, or of 64 for reg8x8.
    expect(convWorkgroups(conv3(128, 32, 16, 1), 'forward', reg)).toEqual([512, 1, 1]);
    expect(convWorkgroups(conv3(128, 32, 16, 1), 'forward', MATMUL_TILINGS.reg8x8)).toEqual([1024, 1, 1]);
    expect(convWorkgroups(conv3(4096, 64, 64, 1), 'forward', reg)).toEqual([65535, 5, 1]);
    expect(convWorkgroups(conv3(128, 32, 16, 1), 'forward', MATMUL_TILINGS.tiled64)).toEqual([1, 2048, 1]);
    // The weight gradient stays on the GEMM core's grid: dw is 32 × 144, 4×4 blocks in workgroups of 16 × 8.
    expect(convWorkgroups(conv3(128, 32, 16, 1), 'weights', reg)).toEqual([3, 1, 1]);
  });

  it('runs the forward pass on conv_forward_reg and the input gradient on conv_input_reg for reg and vec4 tilings only', () => {
    const entry = (pass: 'forward' | 'input' | 'weights', t: keyof typeof MATMUL_TILINGS) => convSpec(pass, { kind: 'plain' }, MATMUL_TILINGS[t]).entry;
    expect(entry('input', 'reg16x8')).toBe('conv_input_reg');
    expect(entry('input', 'vec4x4_8x8')).toBe('conv_input_reg');
    expect(entry('forward', 'reg16x8')).toBe('conv_forward_reg');
    expect(entry('forward', 'vec4x4_8x8')).toBe('conv_forward_reg');
    expect(entry('forward', 'tiled64')).toBe('gemm_tiled');
    expect(entry('weights', 'reg16x8')).toBe('conv_reg');
    expect(entry('input', 'tiled64')).toBe('gemm_tiled');
    expect(entry('input', 'naive')).toBe('gemm_naive');
  });

  it('reads taps along x in runs of three from one window of dy or x only at stride 1 with a kernel width a multiple of 3', () => {
    expect([tapRun({ stride: 1, KW: 3 }), tapRun({ stride: 1, KW: 6 }), tapRun({ stride: 1, KW: 1 }), tapRun({ stride: 1, KW: 5 })]).toEqual([3, 3, 1, 1]);
    // Stride 2 with a 3-wide kernel gives input-gradient classes 1 or 2 taps along x, and forward pixels every second input.
    expect(tapRun({ stride: 2, KW: 3 })).toBe(1);
    const spec = (pass: 'forward' | 'input' | 'weights', s: ConvShape, t: keyof typeof MATMUL_TILINGS) => convSpec(pass, { kind: 'plain' }, MATMUL_TILINGS[t], s).constants;
    expect(spec('input', conv3(8, 8, 8, 1), 'reg16x8')).toMatchObject({ INPUT_RUN: 3 });
    expect(spec('input', conv3(8, 8, 8, 2), 'reg16x8')).toMatchObject({ INPUT_RUN: 1 });
    expect(spec('input', conv3(8, 8, 8, 1), 'tiled64')).not.toHaveProperty('INPUT_RUN');
    expect(spec('forward', conv3(8, 8, 8, 1), 'reg16x8')).toMatchObject({ FORWARD_RUN: 3 });
    expect(spec('forward', conv3(8, 8, 8, 2), 'reg16x8')).toMatchObject({ FORWARD_RUN: 1 });
    expect(spec('forward', conv3(8, 8, 8, 1), 'tiled64')).not.toHaveProperty('FORWARD_RUN');
    expect(spec('forward', conv3(8, 8, 8, 1), 'reg16x8')).not.toHaveProperty('INPUT_RUN');
    expect(spec('weights', conv3(8, 8, 8, 1), 'reg16x8')).not.toHaveProperty('FORWARD_RUN');
  });
});
