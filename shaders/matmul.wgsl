// C[M×N] = op(A)·op(B), op(A) M×K and op(B) K×N, row-major, with a fused epilogue. Needs
// activation_fns.wgsl and gemm_fns.wgsl (the naive, register-blocked and tiled kernels and the epilogue,
// shared with conv.wgsl); this file adds the dense loaders and matmul_vec4. One family serves the whole MLP:
//   forward   z = h·Wᵀ + b            TRANS_B, HAS_BIAS; EPI 1 writes h' = φ(z) (or h + α·φ(z) with ADD 2)
//   backward  dh = dz·W (+ dh_next)   ADD 1 for the residual path; EPI 2 writes du = α·dh ⊙ φ'(u)
//   weights   dW = dzᵀ·h               TRANS_A; ROW_SUMS also writes db = Σ dz (out2) from the dz it loads, and
//                                      with row_norms.wgsl (a logged step) each column's Σ dz² partials
override TRANS_A: bool = false;
override TRANS_B: bool = false;
// matmul_vec4 only: 4×4 blocks of C per invocation along N (1 or 2); two share each load of A.
override COLS: u32 = 1u;
// matmul_vec4 only: 4×4 blocks of C per invocation along M (1 or 2); two share each load of B.
override ROWS: u32 = 1u;

struct Params {
  M: u32,
  N: u32,
  K: u32,
  base: u32, // row_norms.wgsl: this layer's first column in the partials
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(8) var<uniform> params: Params;
// The same A and B seen as vec4s, for matmul_vec4 (only where the contiguous dimension is a multiple of 4).
@group(0) @binding(0) var<storage, read> a4: array<vec4f>;
@group(0) @binding(1) var<storage, read> b4: array<vec4f>;

fn dim_m() -> u32 { return params.M; }
fn dim_n() -> u32 { return params.N; }
fn dim_k() -> u32 { return params.K; }

fn load_a(m: u32, k: u32) -> f32 {
  if (TRANS_A) { return a[k * params.M + m]; }
  return a[m * params.K + k];
}

fn load_b(k: u32, n: u32) -> f32 {
  if (TRANS_B) { return b[n * params.K + k]; }
  return b[k * params.N + n];
}

// Register-blocked with vec4 loads: each invocation owns a 4×4 block of C and walks K four at a time,
// loading 4×4 blocks of op(A) and op(B) as four vec4s each and multiplying them as mat4x4s: 8 loads per
// 64 multiply-adds instead of 32. Needs the dimension each operand is contiguous in to be a multiple of 4
// (A: K, or M when TRANS_A; B: N, or K when TRANS_B); the wrapper falls back to matmul_reg otherwise.
// Matrices are column-major: column j of `acc` is C[m0..m0+3][n0 + j].
fn a_block(m0: u32, k0: u32) -> mat4x4f {
  if (TRANS_A) {
    // a is K×M: row k holds op(A)'s column k, contiguous in m.
    let s = (k0 * params.M + m0) / 4u;
    let w = params.M / 4u;
    return mat4x4f(a4[s], a4[s + w], a4[s + 2u * w], a4[s + 3u * w]);
  }
  let last = params.M - 1u;
  let w = params.K / 4u;
  let r = k0 / 4u;
  return transpose(mat4x4f(a4[min(m0, last) * w + r], a4[min(m0 + 1u, last) * w + r],
                           a4[min(m0 + 2u, last) * w + r], a4[min(m0 + 3u, last) * w + r]));
}

fn b_block(k0: u32, n0: u32) -> mat4x4f {
  if (TRANS_B) {
    // b is N×K: row n holds op(B)'s column n, contiguous in k.
    let last = params.N - 1u;
    let w = params.K / 4u;
    let r = k0 / 4u;
    return mat4x4f(b4[min(n0, last) * w + r], b4[min(n0 + 1u, last) * w + r],
                   b4[min(n0 + 2u, last) * w + r], b4[min(n0 + 3u, last) * w + r]);
  }
  let s = (k0 * params.N + n0) / 4u;
  let w = params.N / 4u;
  return transpose(mat4x4f(b4[s], b4[s + w], b4[s + 2u * w], b4[s + 3u * w]));
}

// op(A)[m][k] for the last K % 4 values when K is not a multiple of 4 (only possible with TRANS_A and
// not TRANS_B, where K is not the vec4 dimension of either operand).
fn k_tail(m0: u32, n0: u32, acc: ptr<function, mat4x4f>, sums: ptr<function, vec4f>) {
  for (var k = params.K & ~3u; k < params.K; k++) {
    let av = a4[(k * params.M + m0) / 4u];
    *sums += av;
    let bv = b4[(k * params.N + n0) / 4u];
    (*acc)[0] += av * bv.x;
    (*acc)[1] += av * bv.y;
    (*acc)[2] += av * bv.z;
    (*acc)[3] += av * bv.w;
  }
}

fn store_row_sums_vec4(m0: u32, sums: vec4f) {
  for (var r = 0u; r < 4u; r++) {
    if (m0 + r < params.M) { row_sum_out_vec4(m0 + r, sums[r]); }
  }
}

fn store_mat(m0: u32, n0: u32, acc: mat4x4f) {
  for (var j = 0u; j < 4u; j++) {
    let col = acc[j];
    epilogue(m0, n0 + j, col.x);
    epilogue(m0 + 1u, n0 + j, col.y);
    epilogue(m0 + 2u, n0 + j, col.z);
    epilogue(m0 + 3u, n0 + j, col.w);
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn matmul_vec4(@builtin(global_invocation_id) g: vec3u) {
  let m0 = g.y * 4u * ROWS;
  let n0 = g.x * 4u * COLS;
  if (m0 >= params.M || n0 >= params.N) { return; }
  // Second blocks are clamped like edge rows and columns (a_block/b_block clamp each index where the
  // dimension may be ragged, otherwise it is a multiple of 4); the epilogue drops what lies past the edge.
  let n1 = select(min(n0 + 4u, params.N - 4u), n0 + 4u, TRANS_B);
  let m1 = select(m0 + 4u, min(m0 + 4u, params.M - 4u), TRANS_A);
  var acc00 = mat4x4f();
  var acc01 = mat4x4f();
  var acc10 = mat4x4f();
  var acc11 = mat4x4f();
  // ROW_SUMS: op(A)'s rows summed by the first column block's invocations (a block's columns are 4 values of k).
  let sum_rows = ROW_SUMS && n0 == 0u;
  var sums0 = vec4f(0.0);
  var sums1 = vec4f(0.0);
  let ones = vec4f(1.0);
  let k4 = params.K & ~3u;
  for (var k0 = 0u; k0 < k4; k0 += 4u) {
    let a0 = a_block(m0, k0);
    let b0 = b_block(k0, n0);
    acc00 += a0 * b0;
    if (sum_rows) { sums0 += a0 * ones; }
    if (ROWS == 2u) {
      let a1 = a_block(m1, k0);
      acc10 += a1 * b0;
      if (sum_rows) { sums1 += a1 * ones; }
      if (COLS == 2u) {
        let b1 = b_block(k0, n1);
        acc01 += a0 * b1;
        acc11 += a1 * b1;
      }
    } else if (COLS == 2u) {
      acc01 += a0 * b_block(k0, n1);
    }
  }
  if (TRANS_A && !TRANS_B) {
    var unused = vec4f(0.0);
    k_tail(m0, n0, &acc00, &sums0);
    if (COLS == 2u) { k_tail(m0, n1, &acc01, &unused); }
    if (ROWS == 2u) { k_tail(m1, n0, &acc10, &sums1); }
    if (ROWS == 2u && COLS == 2u) { k_tail(m1, n1, &acc11, &unused); }
  }
  if (sum_rows) {
    store_row_sums_vec4(m0, sums0);
    if (ROWS == 2u && m0 + 4u < params.M) { store_row_sums_vec4(m0 + 4u, sums1); }
  }
  store_mat(m0, n0, acc00);
  if (COLS == 2u && n0 + 4u < params.N) { store_mat(m0, n0 + 4u, acc01); }
  if (ROWS == 2u && m0 + 4u < params.M) {
    store_mat(m0 + 4u, n0, acc10);
    if (COLS == 2u && n0 + 4u < params.N) { store_mat(m0 + 4u, n0 + 4u, acc11); }
  }
}
