// 2-D convolution of NHWC images with OHWI weights (w[co][ky][kx][ci]), zero padding, as implicit GEMM on
// the core of gemm_fns.wgsl: the loaders below read the im2col view of the image (row = an output pixel,
// column = (ky, kx, ci)) straight from the image, without forming it. Needs activation_fns.wgsl and
// gemm_fns.wgsl. One file, three products (MODE):
//   0 forward  y[N·Ho·Wo × Cout]  = im2col(x) · wᵀ                 A = x,  B = w   K = KH·KW·Cin
//   1 input    dx[N·H·W × Cin]    = Σ dy[pixel that saw it] · w     A = dy, B = w   K = KH·KW·Cout
//   2 weights  dw[Cout × KH·KW·Cin] = dyᵀ · im2col(x)               A = dy, B = x   K = N·Ho·Wo
// The epilogue is the matmul's: bias, an addend (ADD 1 accumulates into an existing gradient), φ.
override MODE: u32 = 0u;

struct Params {
  M: u32,
  N: u32,
  K: u32,
  batch: u32,
  H: u32,
  W: u32,
  Cin: u32,
  Ho: u32,
  Wo: u32,
  Cout: u32,
  KH: u32,
  KW: u32,
  stride: u32,
  pad: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(8) var<uniform> params: Params;

fn dim_m() -> u32 { return params.M; }
fn dim_n() -> u32 { return params.N; }
fn dim_k() -> u32 { return params.K; }

// im2col(x)[row][col] with row = (n, oy, ox) and col = (ky, kx, ci); 0 where the window hangs over the edge.
fn im2col(img: u32, row: u32, col: u32) -> f32 {
  let ox = row % params.Wo;
  let t = row / params.Wo;
  let oy = t % params.Ho;
  let n = t / params.Ho;
  let ci = col % params.Cin;
  let kk = col / params.Cin;
  let kx = kk % params.KW;
  let ky = kk / params.KW;
  let iy = i32(oy * params.stride + ky) - i32(params.pad);
  let ix = i32(ox * params.stride + kx) - i32(params.pad);
  if (iy < 0 || ix < 0 || iy >= i32(params.H) || ix >= i32(params.W)) { return 0.0; }
  let i = ((n * params.H + u32(iy)) * params.W + u32(ix)) * params.Cin + ci;
  if (img == 0u) { return a[i]; }
  return b[i];
}

// dy at the output pixel whose window put tap (ky, kx) on input pixel (n, iy, ix); 0 when none did
// (off the output grid, or between the pixels a stride visits).
fn dy_seen(n: u32, iy: u32, ix: u32, ky: u32, kx: u32, co: u32) -> f32 {
  let ty = i32(iy + params.pad) - i32(ky);
  let tx = i32(ix + params.pad) - i32(kx);
  if (ty < 0 || tx < 0) { return 0.0; }
  let s = params.stride;
  if (u32(ty) % s != 0u || u32(tx) % s != 0u) { return 0.0; }
  let oy = u32(ty) / s;
  let ox = u32(tx) / s;
  if (oy >= params.Ho || ox >= params.Wo) { return 0.0; }
  return a[((n * params.Ho + oy) * params.Wo + ox) * params.Cout + co];
}

fn load_a(m: u32, k: u32) -> f32 {
  if (MODE == 0u) { return im2col(0u, m, k); }
  if (MODE == 1u) {
    let ix = m % params.W;
    let t = m / params.W;
    let iy = t % params.H;
    let n = t / params.H;
    let co = k % params.Cout;
    let kk = k / params.Cout;
    return dy_seen(n, iy, ix, kk / params.KW, kk % params.KW, co);
  }
  // MODE 2: dyᵀ, so A[co][pixel] = dy[pixel][co].
  return a[k * params.Cout + m];
}

fn load_b(k: u32, n: u32) -> f32 {
  // MODE 0: wᵀ[(ky, kx, ci)][co] = w[co][ky][kx][ci].
  if (MODE == 0u) { return b[n * params.K + k]; }
  if (MODE == 1u) {
    // w[co][ky][kx][ci] with k = (ky, kx, co) and n = ci.
    let co = k % params.Cout;
    let kk = k / params.Cout;
    return b[(co * params.KH * params.KW + kk) * params.Cin + n];
  }
  return im2col(1u, k, n);
}
