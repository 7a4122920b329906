// 2-D convolution of NHWC images with OHWI weights (w[co][ky][kx][ci]), zero padding, as implicit GEMM on
// the core of gemm_fns.wgsl: the loaders below read the im2col view of the image (row = an output pixel,
// column = (ky, kx, ci)) straight from the image, without forming it. Needs activation_fns.wgsl and
// gemm_fns.wgsl. One file, three products (MODE):
//   0 forward  y[N·Ho·Wo × Cout]  = im2col(x) · wᵀ                 A = x,  B = w   K = KH·KW·Cin
//   1 input    dx[N·H·W × Cin]    = Σ dy[pixel that saw it] · w     A = dy, B = w   K = KH·KW·Cout
//   2 weights  dw[Cout × KH·KW·Cin] = dyᵀ · im2col(x)               A = dy, B = x   K = N·Ho·Wo
// The epilogue is the matmul's: bias, an addend (ADD 1 accumulates into an existing gradient), φ. The
// loaders serve gemm_naive and gemm_tiled; conv_reg (at the end) walks the same products without them.
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

// conv_reg: the register-blocked kernel written for convolutions. Each invocation owns a 4×4 block of C,
// as gemm_reg does, but walks K as the nested loops it is (ky, kx, then channels; or the output pixels
// for the weight gradient) with the row and column positions decoded once, so its inner loop does no
// division. Edge rows and columns are clamped; the epilogue drops what lies past the edge.
fn forward_block(mr: vec4u, nc: vec4u) -> array<vec4f, 4> {
  let p = params;
  var acc = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  // Rows are output pixels: the image each reads and the top-left corner of its window.
  let ox = mr % vec4u(p.Wo);
  let t = mr / vec4u(p.Wo);
  let img = (t / vec4u(p.Ho)) * (p.H * p.W);
  let y0 = vec4i((t % vec4u(p.Ho)) * p.stride) - i32(p.pad);
  let x0 = vec4i(ox * p.stride) - i32(p.pad);
  let wrow = nc * p.K;
  for (var ky = 0u; ky < p.KH; ky++) {
    for (var kx = 0u; kx < p.KW; kx++) {
      let iy = y0 + i32(ky);
      let ix = x0 + i32(kx);
      let ok = (iy >= vec4i(0)) & (ix >= vec4i(0)) & (iy < vec4i(i32(p.H))) & (ix < vec4i(i32(p.W)));
      let base = select(vec4u(0u), (img + vec4u(max(iy, vec4i(0))) * p.W + vec4u(max(ix, vec4i(0)))) * p.Cin, ok);
      let koff = wrow + (ky * p.KW + kx) * p.Cin;
      for (var ci = 0u; ci < p.Cin; ci++) {
        let bv = vec4f(b[koff.x + ci], b[koff.y + ci], b[koff.z + ci], b[koff.w + ci]);
        let av = select(vec4f(0.0), vec4f(a[base.x + ci], a[base.y + ci], a[base.z + ci], a[base.w + ci]), ok);
        acc[0] += av.x * bv;
        acc[1] += av.y * bv;
        acc[2] += av.z * bv;
        acc[3] += av.w * bv;
      }
    }
  }
  return acc;
}

fn input_block(mr: vec4u, nc: vec4u) -> array<vec4f, 4> {
  let p = params;
  var acc = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  // Rows are input pixels (n, iy, ix); columns are input channels.
  let ix = mr % vec4u(p.W);
  let t = mr / vec4u(p.W);
  let iy = t % vec4u(p.H);
  let img = (t / vec4u(p.H)) * (p.Ho * p.Wo);
  let s = vec4i(i32(p.stride));
  let taps = p.KH * p.KW * p.Cin;
  for (var ky = 0u; ky < p.KH; ky++) {
    for (var kx = 0u; kx < p.KW; kx++) {
      // The output pixel whose window put tap (ky, kx) here, if any.
      let ty = vec4i(iy + p.pad) - i32(ky);
      let tx = vec4i(ix + p.pad) - i32(kx);
      let oy = ty / s;
      let ox = tx / s;
      let ok = (ty >= vec4i(0)) & (tx >= vec4i(0)) & (oy * s == ty) & (ox * s == tx) & (oy < vec4i(i32(p.Ho))) & (ox < vec4i(i32(p.Wo)));
      let base = select(vec4u(0u), (img + vec4u(max(oy, vec4i(0))) * p.Wo + vec4u(max(ox, vec4i(0)))) * p.Cout, ok);
      let woff = (ky * p.KW + kx) * p.Cin + nc;
      for (var co = 0u; co < p.Cout; co++) {
        let w = co * taps + woff;
        let bv = vec4f(b[w.x], b[w.y], b[w.z], b[w.w]);
        let av = select(vec4f(0.0), vec4f(a[base.x + co], a[base.y + co], a[base.z + co], a[base.w + co]), ok);
        acc[0] += av.x * bv;
        acc[1] += av.y * bv;
        acc[2] += av.z * bv;
        acc[3] += av.w * bv;
      }
    }
  }
  return acc;
}

fn weights_block(mr: vec4u, nc: vec4u) -> array<vec4f, 4> {
  let p = params;
  var acc = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  // Rows are output channels; columns are taps (ky, kx, ci).
  let ci = nc % vec4u(p.Cin);
  let kk = nc / vec4u(p.Cin);
  let dy = vec4i(kk / vec4u(p.KW)) - i32(p.pad);
  let dx = vec4i(kk % vec4u(p.KW)) - i32(p.pad);
  for (var n = 0u; n < p.batch; n++) {
    for (var oy = 0u; oy < p.Ho; oy++) {
      let iy = i32(oy * p.stride) + dy;
      let rowOk = (iy >= vec4i(0)) & (iy < vec4i(i32(p.H)));
      let rowBase = (n * p.H + vec4u(max(iy, vec4i(0)))) * p.W;
      for (var ox = 0u; ox < p.Wo; ox++) {
        let ix = i32(ox * p.stride) + dx;
        let ok = rowOk & (ix >= vec4i(0)) & (ix < vec4i(i32(p.W)));
        let xi = select(vec4u(0u), (rowBase + vec4u(max(ix, vec4i(0)))) * p.Cin + ci, ok);
        let bv = select(vec4f(0.0), vec4f(b[xi.x], b[xi.y], b[xi.z], b[xi.w]), ok);
        let pix = ((n * p.Ho + oy) * p.Wo + ox) * p.Cout;
        let av = vec4f(a[pix + mr.x], a[pix + mr.y], a[pix + mr.z], a[pix + mr.w]);
        acc[0] += av.x * bv;
        acc[1] += av.y * bv;
        acc[2] += av.z * bv;
        acc[3] += av.w * bv;
      }
    }
  }
  return acc;
}

@compute @workgroup_size(WG_X, WG_Y)
fn conv_reg(@builtin(global_invocation_id) g: vec3u) {
  let m0 = g.y * 4u;
  let n0 = g.x * 4u;
  if (m0 >= params.M || n0 >= params.N) { return; }
  let mr = min(vec4u(m0, m0 + 1u, m0 + 2u, m0 + 3u), vec4u(params.M - 1u));
  let nc = min(vec4u(n0, n0 + 1u, n0 + 2u, n0 + 3u), vec4u(params.N - 1u));
  var acc: array<vec4f, 4>;
  if (MODE == 0u) {
    acc = forward_block(mr, nc);
  } else if (MODE == 1u) {
    acc = input_block(mr, nc);
  } else {
    acc = weights_block(mr, nc);
  }
  store_block(m0, n0, acc);
}
