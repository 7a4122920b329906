/**
 * src/reference/conv.ts against real float64 PyTorch (tests/python/conv_reference.py): F.conv2d forward and autograd,
 * akamaster/pytorch_resnet_cifar10's option-A shortcut and the global average pool, all cases in one python process.
 */
import { join } from 'node:path';
import { describe, it } from 'vitest';
import {
  conv2dBackward,
  conv2dForward,
  conv2dOutputSize,
  globalAvgPoolBackward,
  globalAvgPoolForward,
  shortcutABackward,
  shortcutAForward,
  type Conv2dShape,
  type PoolShape,
  type ShortcutShape,
} from '../../src/reference/index.ts';
import { normal, seeded } from '../reference/rng.ts';
import { ROOT, expectMatch, torchLines } from './python.ts';

const SCRIPT = join(ROOT, 'tests', 'python', 'conv_reference.py');
const rng = seeded(2016);
const list = (a: Float64Array): number[] => Array.from(a);
const label = (s: object): string => JSON.stringify(s).replace(/"/g, '');

const CONVS: (Conv2dShape & { bias?: boolean })[] = [
  { N: 2, H: 7, W: 6, Cin: 17, Cout: 3, KH: 3, KW: 3, stride: 2, pad: 1 },
  { N: 2, H: 8, W: 8, Cin: 16, Cout: 32, KH: 3, KW: 3, stride: 2, pad: 1 }, // a ResNet stage-2 entry, on an 8×8 map
  { N: 1, H: 1, W: 1, Cin: 3, Cout: 17, KH: 3, KW: 3, stride: 1, pad: 1 },
  { N: 2, H: 4, W: 7, Cin: 1, Cout: 3, KH: 1, KW: 1, stride: 2, pad: 0 },
  { N: 1, H: 6, W: 5, Cin: 3, Cout: 1, KH: 3, KW: 3, stride: 1, pad: 0, bias: true },
  { N: 2, H: 5, W: 2, Cin: 2, Cout: 4, KH: 3, KW: 1, stride: 2, pad: 0, bias: true },
  { N: 1, H: 5, W: 9, Cin: 17, Cout: 17, KH: 3, KW: 3, stride: 2, pad: 1, bias: true },
];
const SHORTCUTS: ShortcutShape[] = [
  { N: 2, H: 8, W: 8, Cin: 16, Cout: 32 }, // ResNet's 16 → 32: akamaster pads planes // 4 = 8 channels each side
  { N: 1, H: 5, W: 6, Cin: 3, Cout: 7 },
  { N: 2, H: 1, W: 3, Cin: 2, Cout: 2 },
];
const POOLS: PoolShape[] = [
  { N: 2, H: 8, W: 8, C: 64 },
  { N: 3, H: 3, W: 5, C: 17 },
];

const convCases = CONVS.map(({ bias, ...s }) => {
  const { Ho, Wo } = conv2dOutputSize(s);
  return {
    s,
    x: normal(rng, s.N * s.H * s.W * s.Cin),
    w: normal(rng, s.Cout * s.KH * s.KW * s.Cin),
    b: bias ? normal(rng, s.Cout) : undefined,
    dy: normal(rng, s.N * Ho * Wo * s.Cout),
  };
});
const shortcutCases = SHORTCUTS.map((s) => ({ s, x: normal(rng, s.N * s.H * s.W * s.Cin), dy: normal(rng, s.N * Math.ceil(s.H / 2) * Math.ceil(s.W / 2) * s.Cout) }));
const poolCases = POOLS.map((s) => ({ s, x: normal(rng, s.N * s.H * s.W * s.C), dy: normal(rng, s.N * s.C) }));

interface TorchOut {
  y: number[];
  dx: number[];
  dw?: number[];
  db?: number[];
}
let running: Promise<TorchOut[]> | undefined;

/** Every case through one conv_reference.py process (PyTorch's import costs seconds), in the order built above. */
function torchResults(): Promise<TorchOut[]> {
  running ??= (async () => {
    const cases = [
      ...convCases.map(({ s, x, w, b, dy }) => ({
        op: 'conv2d',
        x: list(x),
        xShape: [s.N, s.H, s.W, s.Cin],
        w: list(w),
        wShape: [s.Cout, s.KH, s.KW, s.Cin],
        ...(b && { bias: list(b) }),
        stride: s.stride,
        pad: s.pad,
        dy: list(dy),
      })),
      ...shortcutCases.map(({ s, x, dy }) => ({ op: 'shortcutA', x: list(x), xShape: [s.N, s.H, s.W, s.Cin], cout: s.Cout, dy: list(dy) })),
      ...poolCases.map(({ s, x, dy }) => ({ op: 'avgpool', x: list(x), xShape: [s.N, s.H, s.W, s.C], dy: list(dy) })),
    ];
    return torchLines<TorchOut>(SCRIPT, cases);
  })();
  return running;
}

describe('src/reference/conv.ts against float64 PyTorch', () => {
  it('conv2d forward and autograd dx, dw, db match F.conv2d (NHWC/OHWI permuted to NCHW/OIHW by the script)', async () => {
    const outs = await torchResults();
    convCases.forEach(({ s, x, w, b, dy }, i) => {
      const t = outs[i]!;
      const { dx, dw, db } = conv2dBackward(dy, x, w, s);
      expectMatch(`${label(s)} y`, conv2dForward(x, w, s, b), t.y);
      expectMatch(`${label(s)} dx`, dx, t.dx);
      expectMatch(`${label(s)} dw`, dw, t.dw);
      if (b) expectMatch(`${label(s)} db`, db, t.db);
    });
  });

  it("option-A shortcut forward and backward match akamaster's F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, p, p))", async () => {
    const outs = (await torchResults()).slice(convCases.length);
    shortcutCases.forEach(({ s, x, dy }, i) => {
      const t = outs[i]!;
      expectMatch(`${label(s)} y`, shortcutAForward(x, s), t.y);
      expectMatch(`${label(s)} dx`, shortcutABackward(dy, s), t.dx);
    });
  });

  it('global average pool forward and backward match F.avg_pool2d over the whole image', async () => {
    const outs = (await torchResults()).slice(convCases.length + shortcutCases.length);
    poolCases.forEach(({ s, x, dy }, i) => {
      const t = outs[i]!;
      expectMatch(`${label(s)} y`, globalAvgPoolForward(x, s), t.y);
      expectMatch(`${label(s)} dx`, globalAvgPoolBackward(dy, s), t.dx);
    });
  });
});
