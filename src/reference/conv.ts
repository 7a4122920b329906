// Float64 reference of the convolutional ResNet ops (He et al. 2016, CIFAR ResNets with option-A shortcuts).
// Layouts are the GPU's: activations NHWC, x[((n·H + y)·W + x)·C + c]; conv weights OHWI,
// w[((co·KH + ky)·KW + kx)·Cin + ci]. PyTorch's weights are OIHW: see ohwiFromOihw / oihwFromOhwi.
import { checkLength, checkSize } from './checks.ts';

/** One 2-D convolution: N images of H×W×Cin, Cout filters of KH×KW×Cin, zero padding `pad` on every side. */
export interface Conv2dShape {
  N: number;
  H: number;
  W: number;
  Cin: number;
  Cout: number;
  KH: number;
  KW: number;
  stride: number;
  pad: number;
}

/** The weight tensor's own dimensions; a Conv2dShape is one. */
export type KernelShape = Pick<Conv2dShape, 'Cout' | 'Cin' | 'KH' | 'KW'>;

export interface PoolShape {
  N: number;
  H: number;
  W: number;
  C: number;
}

export interface ShortcutShape {
  N: number;
  H: number;
  W: number;
  Cin: number;
  Cout: number;
}

export interface Conv2dGrads {
  /** NHWC, N×H×W×Cin. */
  dx: Float64Array;
  /** OHWI, Cout×KH×KW×Cin. */
  dw: Float64Array;
  /** Cout: Σ dy over n, y, x (the gradient of a bias, whether or not the forward had one). */
  db: Float64Array;
}

const dims = (...d: number[]): string => d.join('×');

/** Ho = floor((H + 2·pad − KH)/stride) + 1, and the same for Wo; throws for an invalid shape. */
export function conv2dOutputSize(shape: Conv2dShape, op = 'conv2d'): { Ho: number; Wo: number } {
  const { N, H, W, Cin, Cout, KH, KW, stride, pad } = shape;
  for (const [name, v] of Object.entries({ N, H, W, Cin, Cout, KH, KW, stride })) checkSize(v, `${op} ${name}`);
  if (!Number.isInteger(pad) || pad < 0 || pad >= KH || pad >= KW) {
    throw new RangeError(`${op} pad must be a non-negative integer below the kernel size ${dims(KH, KW)} (got ${pad})`);
  }
  if (H + 2 * pad < KH || W + 2 * pad < KW) {
    throw new RangeError(`${op} input ${dims(H, W)} padded by ${pad} is smaller than the ${dims(KH, KW)} kernel`);
  }
  return { Ho: Math.floor((H + 2 * pad - KH) / stride) + 1, Wo: Math.floor((W + 2 * pad - KW) / stride) + 1 };
}

/** Checks x (NHWC) and w (OHWI) against the shape and returns the output size. */
function checkConv(op: string, x: ArrayLike<number>, w: ArrayLike<number>, s: Conv2dShape): { Ho: number; Wo: number } {
  const out = conv2dOutputSize(s, op);
  checkLength(x, s.N * s.H * s.W * s.Cin, `${op} x (${dims(s.N, s.H, s.W, s.Cin)} NHWC)`);
  checkLength(w, s.Cout * s.KH * s.KW * s.Cin, `${op} w (${dims(s.Cout, s.KH, s.KW, s.Cin)} OHWI)`);
  return out;
}

/**
 * y[n, oy, ox, co] = bias[co] + Σ_{ky, kx, ci} x[n, oy·stride − pad + ky, ox·stride − pad + kx, ci] · w[co, ky, kx, ci],
 * with x zero outside the image (cross-correlation, as torch.nn.functional.conv2d). y is NHWC, N×Ho×Wo×Cout.
 */
export function conv2dForward(x: ArrayLike<number>, w: ArrayLike<number>, shape: Conv2dShape, bias?: ArrayLike<number>): Float64Array {
  const { Ho, Wo } = checkConv('conv2dForward', x, w, shape);
  const { N, H, W, Cin, Cout, KH, KW, stride, pad } = shape;
  if (bias !== undefined) checkLength(bias, Cout, 'conv2dForward bias');
  const y = new Float64Array(N * Ho * Wo * Cout);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        const yBase = ((n * Ho + oy) * Wo + ox) * Cout;
        for (let co = 0; co < Cout; co++) {
          let acc = bias === undefined ? 0 : bias[co]!;
          for (let ky = 0; ky < KH; ky++) {
            const iy = oy * stride - pad + ky;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ix = ox * stride - pad + kx;
              if (ix < 0 || ix >= W) continue;
              const xBase = ((n * H + iy) * W + ix) * Cin;
              const wBase = ((co * KH + ky) * KW + kx) * Cin;
              for (let ci = 0; ci < Cin; ci++) acc += x[xBase + ci]! * w[wBase + ci]!;
            }
          }
          y[yBase + co] = acc;
        }
      }
    }
  }
  return y;
}

/** Gradients of conv2dForward given dy (NHWC, N×Ho×Wo×Cout), each in its input's layout. */
export function conv2dBackward(dy: ArrayLike<number>, x: ArrayLike<number>, w: ArrayLike<number>, shape: Conv2dShape): Conv2dGrads {
  const { Ho, Wo } = checkConv('conv2dBackward', x, w, shape);
  const { N, H, W, Cin, Cout, KH, KW, stride, pad } = shape;
  checkLength(dy, N * Ho * Wo * Cout, `conv2dBackward dy (${dims(N, Ho, Wo, Cout)} NHWC)`);
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  const db = new Float64Array(Cout);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        const yBase = ((n * Ho + oy) * Wo + ox) * Cout;
        for (let co = 0; co < Cout; co++) {
          const g = dy[yBase + co]!;
          db[co]! += g;
          for (let ky = 0; ky < KH; ky++) {
            const iy = oy * stride - pad + ky;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ix = ox * stride - pad + kx;
              if (ix < 0 || ix >= W) continue;
              const xBase = ((n * H + iy) * W + ix) * Cin;
              const wBase = ((co * KH + ky) * KW + kx) * Cin;
              for (let ci = 0; ci < Cin; ci++) {
                dx[xBase + ci]! += g * w[wBase + ci]!;
                dw[wBase + ci]! += g * x[xBase + ci]!;
              }
            }
          }
        }
      }
    }
  }
  return { dx, dw, db };
}

function checkKernel(op: string, w: ArrayLike<number>, k: KernelShape, layout: string): void {
  for (const [name, v] of Object.entries({ Cout: k.Cout, Cin: k.Cin, KH: k.KH, KW: k.KW })) checkSize(v, `${op} ${name}`);
  checkLength(w, k.Cout * k.Cin * k.KH * k.KW, `${op} w (${layout})`);
}

/** PyTorch's OIHW weight, w[((co·Cin + ci)·KH + ky)·KW + kx], in the GPU's OHWI layout. */
export function ohwiFromOihw(w: ArrayLike<number>, k: KernelShape): Float64Array {
  checkKernel('ohwiFromOihw', w, k, `${dims(k.Cout, k.Cin, k.KH, k.KW)} OIHW`);
  const out = new Float64Array(w.length);
  eachWeight(k, (oihw, ohwi) => (out[ohwi] = w[oihw]!));
  return out;
}

/** The GPU's OHWI weight in PyTorch's OIHW layout (the inverse of ohwiFromOihw). */
export function oihwFromOhwi(w: ArrayLike<number>, k: KernelShape): Float64Array {
  checkKernel('oihwFromOhwi', w, k, `${dims(k.Cout, k.KH, k.KW, k.Cin)} OHWI`);
  const out = new Float64Array(w.length);
  eachWeight(k, (oihw, ohwi) => (out[oihw] = w[ohwi]!));
  return out;
}

/** Every weight's index in both layouts. */
function eachWeight(k: KernelShape, visit: (oihw: number, ohwi: number) => void): void {
  const { Cout, Cin, KH, KW } = k;
  for (let co = 0; co < Cout; co++) {
    for (let ci = 0; ci < Cin; ci++) {
      for (let ky = 0; ky < KH; ky++) {
        for (let kx = 0; kx < KW; kx++) visit(((co * Cin + ci) * KH + ky) * KW + kx, ((co * KH + ky) * KW + kx) * Cin + ci);
      }
    }
  }
}

function checkPool(op: string, s: PoolShape): void {
  for (const [name, v] of Object.entries({ N: s.N, H: s.H, W: s.W, C: s.C })) checkSize(v, `${op} ${name}`);
}

/** y[n, c] = mean over (y, x) of x[n, y, x, c]; x NHWC, y N×C. */
export function globalAvgPoolForward(x: ArrayLike<number>, shape: PoolShape): Float64Array {
  checkPool('globalAvgPoolForward', shape);
  const { N, H, W, C } = shape;
  checkLength(x, N * H * W * C, `globalAvgPoolForward x (${dims(N, H, W, C)} NHWC)`);
  const y = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < H * W; p++) {
      const base = (n * H * W + p) * C;
      for (let c = 0; c < C; c++) y[n * C + c]! += x[base + c]!;
    }
  }
  const inv = 1 / (H * W);
  for (let i = 0; i < y.length; i++) y[i]! *= inv;
  return y;
}

/** dx[n, y, x, c] = dy[n, c] / (H·W); dy N×C, dx NHWC. */
export function globalAvgPoolBackward(dy: ArrayLike<number>, shape: PoolShape): Float64Array {
  checkPool('globalAvgPoolBackward', shape);
  const { N, H, W, C } = shape;
  checkLength(dy, N * C, `globalAvgPoolBackward dy (${dims(N, C)})`);
  const dx = new Float64Array(N * H * W * C);
  const inv = 1 / (H * W);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < H * W; p++) {
      const base = (n * H * W + p) * C;
      for (let c = 0; c < C; c++) dx[base + c] = dy[n * C + c]! * inv;
    }
  }
  return dx;
}

/** Output size ceil(H/2)×ceil(W/2) and the zero channels on each side, (Cout − Cin)/2. */
function checkShortcut(op: string, s: ShortcutShape): { Ho: number; Wo: number; padC: number } {
  for (const [name, v] of Object.entries({ N: s.N, H: s.H, W: s.W, Cin: s.Cin, Cout: s.Cout })) checkSize(v, `${op} ${name}`);
  if (s.Cout < s.Cin || (s.Cout - s.Cin) % 2 !== 0) {
    throw new RangeError(`${op} Cout − Cin must be even and non-negative to pad channels equally on both sides (got Cin ${s.Cin}, Cout ${s.Cout})`);
  }
  return { Ho: Math.ceil(s.H / 2), Wo: Math.ceil(s.W / 2), padC: (s.Cout - s.Cin) / 2 };
}

/**
 * Option-A shortcut: y[n, oy, ox, padC + c] = x[n, 2·oy, 2·ox, c] with padC = (Cout − Cin)/2 zero channels on each
 * side, as PyTorch's F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, padC, padC)). x NHWC; y NHWC, N×ceil(H/2)×ceil(W/2)×Cout.
 */
export function shortcutAForward(x: ArrayLike<number>, shape: ShortcutShape): Float64Array {
  const { Ho, Wo } = checkShortcut('shortcutAForward', shape);
  const { N, H, W, Cin, Cout } = shape;
  checkLength(x, N * H * W * Cin, `shortcutAForward x (${dims(N, H, W, Cin)} NHWC)`);
  const y = new Float64Array(N * Ho * Wo * Cout);
  eachShortcutPixel(shape, (xBase, yBase) => {
    for (let c = 0; c < Cin; c++) y[yBase + c] = x[xBase + c]!;
  });
  return y;
}

/** dx (NHWC, N×H×W×Cin): dy routed back to the even rows and columns; the zero channels' gradient is dropped. */
export function shortcutABackward(dy: ArrayLike<number>, shape: ShortcutShape): Float64Array {
  const { Ho, Wo } = checkShortcut('shortcutABackward', shape);
  const { N, H, W, Cin, Cout } = shape;
  checkLength(dy, N * Ho * Wo * Cout, `shortcutABackward dy (${dims(N, Ho, Wo, Cout)} NHWC)`);
  const dx = new Float64Array(N * H * W * Cin);
  eachShortcutPixel(shape, (xBase, yBase) => {
    for (let c = 0; c < Cin; c++) dx[xBase + c] = dy[yBase + c]!;
  });
  return dx;
}

/** For each output pixel of the shortcut: where its input pixel's channels start, and where its copy of them starts. */
function eachShortcutPixel(shape: ShortcutShape, visit: (xBase: number, yBase: number) => void): void {
  const { Ho, Wo, padC } = checkShortcut('shortcutA', shape);
  const { N, H, W, Cin, Cout } = shape;
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) visit(((n * H + 2 * oy) * W + 2 * ox) * Cin, ((n * Ho + oy) * Wo + ox) * Cout + padC);
    }
  }
}
