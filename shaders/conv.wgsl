// 2-D convolution of NHWC images with OHWI weights (w[co][ky][kx][ci]), zero padding, as implicit GEMM on
// the core of gemm_fns.wgsl: the loaders below read the im2col view of the image (row = an output pixel,
// column = (ky, kx, ci)) straight from the image, without forming it. Needs activation_fns.wgsl and
// gemm_fns.wgsl. One file, three products (MODE):
//   0 forward  y[N·Ho·Wo × Cout]  = im2col(x) · wᵀ                 A = x,  B = w   K = KH·KW·Cin
//   1 input    dx[N·H·W × Cin]    = Σ dy[pixel that saw it] · w     A = dy, B = w   K = KH·KW·Cout
//   2 weights  dw[Cout × KH·KW·Cin] = dyᵀ · im2col(x)               A = dy, B = x   K = N·Ho·Wo
// The epilogue is the matmul's: bias, an addend (ADD 1 accumulates into an existing gradient), φ. The
// loaders serve gemm_naive and gemm_tiled; conv_forward_reg, conv_input_reg and conv_reg (weights) walk the
// same products without them.
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
  // conv_input_reg's grid (convInputGrid in src/kernels/conv.ts): a parity class is ⌈H/s⌉ rows of ⌈W/s⌉
  // pixels per image, taken in runs of 8 (`blocks` runs per class) by `lanes` invocations each.
  // conv_forward_reg's (convForwardGrid): Ho rows of Wo output pixels per image in runs of 8, `lanes` each.
  Hc: u32,
  Wc: u32,
  lanes: u32,
  blocks: u32,
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

// conv_reg: the weight gradient, register-blocked (the forward pass has conv_forward_reg, the input gradient
// conv_input_reg, below). Each invocation owns a 4×4 block of dw, as gemm_reg does, but walks K (the output
// pixels) as the nested loops it is with the row and column positions decoded once, so its inner loop does no
// division. Edge rows and columns are clamped; the epilogue drops what lies past the edge.
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
  store_block(m0, n0, weights_block(mr, nc));
}

// conv_input_reg: the input gradient, register-blocked and stride-aware. A stride s splits the input pixels
// into s² parity classes (iy mod s, ix mod s), and which taps reach a pixel depends only on its class
// (ky ≡ iy + pad and kx ≡ ix + pad, mod s). So each invocation takes 8 neighbouring pixels of one row of one
// class and walks only the taps that reach them: none of the taps a stride skips (3 in 4 at stride 2, 3×3),
// and every branch is uniform over its rows. Classes are the grid's outermost dimension, so a workgroup's
// invocations mostly take the same branches too. Stride 1 is one class: 8 consecutive pixels of a row.
// An invocation owns 8 rows × 8 input channels, lane + lanes·j for j < 8, so that neighbouring invocations
// read neighbouring weights and write neighbouring outputs.

fn outer4(acc: ptr<function, array<vec4f, 4>>, av: vec4f, bv: vec4f) {
  (*acc)[0] += av.x * bv;
  (*acc)[1] += av.y * bv;
  (*acc)[2] += av.z * bv;
  (*acc)[3] += av.w * bv;
}

// An invocation's 8×8 block of dx: accRC holds rows 4R..4R+3 and channels cC.
struct Block8 {
  acc00: array<vec4f, 4>,
  acc01: array<vec4f, 4>,
  acc10: array<vec4f, 4>,
  acc11: array<vec4f, 4>,
}

// One tap for the 8 rows, whose dy values are v0 (rows 0–3) and v1 (rows 4–7); w0, w1: its weights' indices.
fn tap8(k: ptr<function, Block8>, v0: vec4f, v1: vec4f, w0: vec4u, w1: vec4u) {
  let b0 = vec4f(b[w0.x], b[w0.y], b[w0.z], b[w0.w]);
  let b1 = vec4f(b[w1.x], b[w1.y], b[w1.z], b[w1.w]);
  outer4(&(*k).acc00, v0, b0);
  outer4(&(*k).acc01, v0, b1);
  outer4(&(*k).acc10, v1, b0);
  outer4(&(*k).acc11, v1, b1);
}

// a[d + co] (dy here, x in conv_forward_reg), 0 where d is −1 (a window that hangs over the edge).
fn dy4(d: vec4i, co: u32) -> vec4f {
  let i = vec4u(max(d, vec4i(0))) + co;
  return select(vec4f(0.0), vec4f(a[i.x], a[i.y], a[i.z], a[i.w]), d >= vec4i(0));
}

fn dy2(d: vec2i, co: u32) -> vec2f {
  let i = vec2u(max(d, vec2i(0))) + co;
  return select(vec2f(0.0), vec2f(a[i.x], a[i.y]), d >= vec2i(0));
}

// The input gradient of 8 pixels (n, py + s·ay, px + s·(bx + r)), r < 8, at channels c0, c1 (clamped to Cin).
// With INPUT_RUN 3 (stride 1, KW a multiple of 3) the taps along x come in runs of three, kx..kx + 2: tap j
// hands row r the output pixel ox0 + r + 2 − j, so a run reads one window of 10 dy pixels from ox0 per output
// channel instead of 8 per tap. (The order of the three only moves float32 rounding; tap 2 first keeps
// tests/train/graph-gradients' resnet-14 width-2 case at 1.97e-5 of its 2e-5 bound, tap 0 first 2.03e-5.)
// Other strides give each class 1 or 2 taps along x; a branch on that inside the loop over channels would
// cost more than the loads it saves, so they take one tap at a time.
override INPUT_RUN: u32 = 1u;

fn input_block(n: u32, ay: u32, bx: u32, c0: vec4u, c1: vec4u, py: u32, px: u32) -> Block8 {
  let p = params;
  var k = Block8();
  let s = p.stride;
  let taps = p.KH * p.KW * p.Cin;
  for (var ky = (py + p.pad) % s; ky < p.KH; ky += s) {
    let oy = i32(ay) + (i32(py + p.pad) - i32(ky)) / i32(s);
    if (oy < 0 || oy >= i32(p.Ho)) { continue; }
    let pix = i32((n * p.Ho + u32(oy)) * p.Wo);
    for (var kx = (px + p.pad) % s; kx < p.KW; kx += INPUT_RUN * s) {
      let ox = vec4i(i32(bx) + (i32(px + p.pad) - i32(kx)) / i32(s) - i32(INPUT_RUN - 1u)) + vec4i(0, 1, 2, 3);
      let wmax = vec4i(i32(p.Wo));
      let d0 = select(vec4i(-1), (pix + ox) * i32(p.Cout), (ox >= vec4i(0)) & (ox < wmax));
      let d1 = select(vec4i(-1), (pix + ox + 4) * i32(p.Cout), (ox + 4 >= vec4i(0)) & (ox + 4 < wmax));
      let w0 = (ky * p.KW + kx) * p.Cin + c0;
      let w1 = (ky * p.KW + kx) * p.Cin + c1;
      if (INPUT_RUN == 3u) {
        let d2 = select(vec2i(-1), (pix + ox.xy + 8) * i32(p.Cout), (ox.xy + 8 >= vec2i(0)) & (ox.xy + 8 < wmax.xy));
        for (var co = 0u; co < p.Cout; co++) {
          let e0 = dy4(d0, co);
          let e1 = dy4(d1, co);
          let e2 = dy2(d2, co);
          let wc = co * taps;
          tap8(&k, e0, e1, w0 + wc + 2u * p.Cin, w1 + wc + 2u * p.Cin);
          tap8(&k, vec4f(e0.yzw, e1.x), vec4f(e1.yzw, e2.x), w0 + wc + p.Cin, w1 + wc + p.Cin);
          tap8(&k, vec4f(e0.zw, e1.xy), vec4f(e1.zw, e2), w0 + wc, w1 + wc);
        }
      } else {
        for (var co = 0u; co < p.Cout; co++) {
          let wc = co * taps;
          tap8(&k, dy4(d0, co), dy4(d1, co), w0 + wc, w1 + wc);
        }
      }
    }
  }
  return k;
}

@compute @workgroup_size(WG_X, WG_Y)
fn conv_input_reg(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3u,
                  @builtin(num_workgroups) nwg: vec3u) {
  let p = params;
  // Flat, as dispatch1d folds it: classes outermost, then the class's rows in runs of 8 pixels, then lanes.
  let id = li + (wg.x + wg.y * nwg.x) * (WG_X * WG_Y);
  let lane = id % p.lanes;
  let blk = id / p.lanes;
  let s = p.stride;
  if (blk >= s * s * p.blocks) { return; }
  let cls = blk / p.blocks;
  let runs = (p.Wc + 7u) / 8u;
  let bx = (blk % p.blocks) % runs * 8u;
  let row = (blk % p.blocks) / runs;
  let py = cls / s;
  let px = cls % s;
  let iy = py + s * (row % p.Hc);
  let ix0 = px + s * (vec4u(bx) + vec4u(0u, 1u, 2u, 3u));
  let ix1 = ix0 + 4u * s;
  let dx0 = ((row / p.Hc) * p.H + iy) * p.W;
  // Pixels past the image's edge (a run past Wc, or a smaller class's missing row) are computed and dropped.
  let m0 = select(vec4u(p.M), dx0 + ix0, (ix0 < vec4u(p.W)) & vec4<bool>(iy < p.H));
  let m1 = select(vec4u(p.M), dx0 + ix1, (ix1 < vec4u(p.W)) & vec4<bool>(iy < p.H));
  let c0 = vec4u(lane) + p.lanes * vec4u(0u, 1u, 2u, 3u);
  let c1 = c0 + 4u * p.lanes;
  let k = input_block(row / p.Hc, row % p.Hc, bx, min(c0, vec4u(p.Cin - 1u)), min(c1, vec4u(p.Cin - 1u)), py, px);
  store_block_at(m0, c0, k.acc00);
  store_block_at(m0, c1, k.acc01);
  store_block_at(m1, c0, k.acc10);
  store_block_at(m1, c1, k.acc11);
}

// conv_forward_reg: the forward pass, register-blocked as conv_input_reg is. An invocation takes 8 consecutive
// output pixels of one row (a run never spans two rows, so their windows share their rows of x) × 8 output
// channels, lane + lanes·j for j < 8, so that neighbouring invocations write neighbouring outputs.
// With FORWARD_RUN 3 (stride 1, KW a multiple of 3) the taps along x come in runs of three, kx..kx + 2: tap j
// hands pixel r the input pixel ix0 + r + j, so a run reads one window of 10 x pixels per input channel instead
// of 8 per tap. A pipeline constant, not a branch in the channel loop: SwiftShader masks every accumulator for one.
override FORWARD_RUN: u32 = 1u;

fn forward_block(n: u32, oy: u32, ox0: u32, c0: vec4u, c1: vec4u) -> Block8 {
  let p = params;
  var k = Block8();
  let s = i32(p.stride);
  let x0 = vec4i(i32(ox0) * s - i32(p.pad)) + vec4i(0, 1, 2, 3) * s;
  let wmax = vec4i(i32(p.W));
  for (var ky = 0u; ky < p.KH; ky++) {
    let iy = i32(oy * p.stride + ky) - i32(p.pad);
    if (iy < 0 || iy >= i32(p.H)) { continue; }
    let pix = i32((n * p.H + u32(iy)) * p.W);
    for (var kx = 0u; kx < p.KW; kx += FORWARD_RUN) {
      let ix = x0 + i32(kx);
      let d0 = select(vec4i(-1), (pix + ix) * i32(p.Cin), (ix >= vec4i(0)) & (ix < wmax));
      let d1 = select(vec4i(-1), (pix + ix + 4 * s) * i32(p.Cin), (ix + 4 * s >= vec4i(0)) & (ix + 4 * s < wmax));
      let w0 = c0 * p.K + (ky * p.KW + kx) * p.Cin;
      let w1 = c1 * p.K + (ky * p.KW + kx) * p.Cin;
      if (FORWARD_RUN == 3u) {
        let d2 = select(vec2i(-1), (pix + ix.xy + 8) * i32(p.Cin), (ix.xy + 8 >= vec2i(0)) & (ix.xy + 8 < wmax.xy));
        for (var ci = 0u; ci < p.Cin; ci++) {
          let e0 = dy4(d0, ci);
          let e1 = dy4(d1, ci);
          let e2 = dy2(d2, ci);
          tap8(&k, e0, e1, w0 + ci, w1 + ci);
          tap8(&k, vec4f(e0.yzw, e1.x), vec4f(e1.yzw, e2.x), w0 + p.Cin + ci, w1 + p.Cin + ci);
          tap8(&k, vec4f(e0.zw, e1.xy), vec4f(e1.zw, e2), w0 + 2u * p.Cin + ci, w1 + 2u * p.Cin + ci);
        }
      } else {
        for (var ci = 0u; ci < p.Cin; ci++) {
          tap8(&k, dy4(d0, ci), dy4(d1, ci), w0 + ci, w1 + ci);
        }
      }
    }
  }
  return k;
}

@compute @workgroup_size(WG_X, WG_Y)
fn conv_forward_reg(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3u,
                    @builtin(num_workgroups) nwg: vec3u) {
  let p = params;
  // Flat, as dispatch1d folds it: rows of output pixels in runs of 8, then lanes.
  let id = li + (wg.x + wg.y * nwg.x) * (WG_X * WG_Y);
  let lane = id % p.lanes;
  let blk = id / p.lanes;
  if (blk >= p.blocks) { return; }
  let runs = (p.Wo + 7u) / 8u;
  let ox0 = blk % runs * 8u;
  let row = blk / runs;
  let ox = vec4u(ox0) + vec4u(0u, 1u, 2u, 3u);
  // Pixels past the row's end are computed and dropped.
  let m0 = select(vec4u(p.M), row * p.Wo + ox, ox < vec4u(p.Wo));
  let m1 = select(vec4u(p.M), row * p.Wo + ox + 4u, ox + 4u < vec4u(p.Wo));
  let c0 = vec4u(lane) + p.lanes * vec4u(0u, 1u, 2u, 3u);
  let c1 = c0 + 4u * p.lanes;
  let k = forward_block(row / p.Ho, row % p.Ho, ox0, min(c0, vec4u(p.Cout - 1u)), min(c1, vec4u(p.Cout - 1u)));
  store_block_at(m0, c0, k.acc00);
  store_block_at(m0, c1, k.acc01);
  store_block_at(m1, c0, k.acc10);
  store_block_at(m1, c1, k.acc11);
}
