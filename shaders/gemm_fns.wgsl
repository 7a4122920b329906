// The GEMM core shared by every op that is a matrix product: C[M×N] = A'·B' with a fused epilogue, where
// the including file says what A' and B' are by defining
//   fn load_a(m: u32, k: u32) -> f32     fn load_b(k: u32, n: u32) -> f32
//   fn dim_m() -> u32   fn dim_n() -> u32   fn dim_k() -> u32
// and binds A and B at 0 and 1 and its parameters at 8; a module also includes row_sums.wgsl or row_norms.wgsl,
// which say where ROW_SUMS's row sums go (row_sum_out). matmul.wgsl loads dense row-major matrices;
// conv.wgsl loads the im2col view of an NHWC image without forming it. Needs activation_fns.wgsl.
override HAS_BIAS: bool = false;
override ADD: u32 = 0u;       // 0 none; 1 v += addend before storing c; 2 out2 = addend + α·φ(v) (residual forward)
override WRITE_C: bool = true;
override EPI: u32 = 0u;       // 0 none; 1 out2 = φ(v); 2 out2 = α·v·φ'(aux)
override ACT: u32 = 0u;
override HAS_ALPHA: bool = false;
// The weight gradient with its bias's: the invocations of C's first column block also sum their rows of op(A)
// (db = Σ_batch dz when op(A) = dzᵀ) from the values they load anyway, and write them to out2[m].
override ROW_SUMS: bool = false;
// Register-blocked kernel: a WG_X × WG_Y workgroup, each invocation a 4×4 block of C.
override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;
// Workgroup-memory kernel: a TILE_M × TILE_N block of C per workgroup, K staged TILE_K at a time.
override TILE_M: u32 = 64u;
override TILE_N: u32 = 64u;
override TILE_K: u32 = 16u;

@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> addend: array<f32>;
@group(0) @binding(5) var<storage, read> aux: array<f32>;
@group(0) @binding(6) var<storage, read_write> out2: array<f32>;
@group(0) @binding(7) var<storage, read> alpha: array<f32>;

fn epilogue(m: u32, n: u32, acc: f32) {
  if (m >= dim_m() || n >= dim_n()) { return; }
  let i = m * dim_n() + n;
  var v = acc;
  if (HAS_BIAS) { v += bias[n]; }
  if (ADD == 1u) { v += addend[i]; }
  if (WRITE_C) { c[i] = v; }
  var scale = 1.0;
  if (HAS_ALPHA) { scale = alpha[0]; }
  if (EPI == 1u) {
    var h = act_forward(ACT, v);
    if (ADD == 2u) { h = addend[i] + scale * h; }
    out2[i] = h;
  } else if (EPI == 2u) {
    out2[i] = scale * v * act_grad(ACT, aux[i]);
  }
}

// ROW_SUMS: rows m0..m0+3 of op(A) summed, from an invocation of C's first column block.
fn store_row_sums(m0: u32, sums: vec4f) {
  for (var r = 0u; r < 4u; r++) {
    if (m0 + r < dim_m()) { row_sum_out(m0 + r, sums[r]); }
  }
}

fn store_block(m0: u32, n0: u32, acc: array<vec4f, 4>) {
  for (var r = 0u; r < 4u; r++) {
    let row = acc[r];
    epilogue(m0 + r, n0, row.x);
    epilogue(m0 + r, n0 + 1u, row.y);
    epilogue(m0 + r, n0 + 2u, row.z);
    epilogue(m0 + r, n0 + 3u, row.w);
  }
}

// A 4×4 block at any four rows and columns (a kernel whose block is not contiguous in C); rows at dim_m()
// and columns at dim_n() or past are dropped, as the epilogue drops every element past the edge.
fn store_block_at(mr: vec4u, nc: vec4u, acc: array<vec4f, 4>) {
  for (var r = 0u; r < 4u; r++) {
    let row = acc[r];
    epilogue(mr[r], nc.x, row.x);
    epilogue(mr[r], nc.y, row.y);
    epilogue(mr[r], nc.z, row.z);
    epilogue(mr[r], nc.w, row.w);
  }
}

// The baseline: one invocation per element of C.
@compute @workgroup_size(16, 16)
fn gemm_naive(@builtin(global_invocation_id) g: vec3u) {
  let m = g.y;
  let n = g.x;
  if (m >= dim_m() || n >= dim_n()) { return; }
  var acc = 0.0;
  var sum = 0.0;
  for (var k = 0u; k < dim_k(); k++) {
    let av = load_a(m, k);
    acc += av * load_b(k, n);
    sum += av;
  }
  if (ROW_SUMS && n == 0u) { row_sum_out(m, sum); }
  epilogue(m, n, acc);
}

// Register-blocked straight from storage: each invocation owns a 4×4 block and streams K through
// registers, relying on the cache for reuse. Rows and columns past the edge are clamped (their
// results are dropped by the epilogue), so the inner loop carries no bounds checks.
@compute @workgroup_size(WG_X, WG_Y)
fn gemm_reg(@builtin(global_invocation_id) g: vec3u) {
  let m0 = g.y * 4u;
  let n0 = g.x * 4u;
  if (m0 >= dim_m() || n0 >= dim_n()) { return; }
  let mr = min(vec4u(m0, m0 + 1u, m0 + 2u, m0 + 3u), vec4u(dim_m() - 1u));
  let nc = min(vec4u(n0, n0 + 1u, n0 + 2u, n0 + 3u), vec4u(dim_n() - 1u));
  var acc = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  var sums = vec4f(0.0);
  for (var k = 0u; k < dim_k(); k++) {
    let bv = vec4f(load_b(k, nc.x), load_b(k, nc.y), load_b(k, nc.z), load_b(k, nc.w));
    let av = vec4f(load_a(mr.x, k), load_a(mr.y, k), load_a(mr.z, k), load_a(mr.w, k));
    acc[0] += av.x * bv;
    acc[1] += av.y * bv;
    acc[2] += av.z * bv;
    acc[3] += av.w * bv;
    sums += av;
  }
  if (ROW_SUMS && n0 == 0u) { store_row_sums(m0, sums); }
  store_block(m0, n0, acc);
}

// Workgroup-memory tiling (what real GPUs reward): the workgroup stages a TILE_M × TILE_K slice of
// op(A) and a TILE_K × TILE_N slice of op(B), then each invocation computes a 4×4 block from them.
// A's slice is stored k-major so an invocation reads its four rows as one contiguous run.
var<workgroup> tile_a: array<f32, TILE_M * TILE_K>;
var<workgroup> tile_b: array<f32, TILE_K * TILE_N>;

@compute @workgroup_size(TILE_N / 4u, TILE_M / 4u)
fn gemm_tiled(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) l: vec3u,
                @builtin(local_invocation_index) li: u32) {
  let threads = (TILE_M / 4u) * (TILE_N / 4u);
  let tm = wg.y * TILE_M;
  let tn = wg.x * TILE_N;
  var acc = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  var sums = vec4f(0.0);
  for (var k0 = 0u; k0 < dim_k(); k0 += TILE_K) {
    for (var i = li; i < TILE_M * TILE_K; i += threads) {
      let kk = i / TILE_M;
      let mm = i % TILE_M;
      let m = tm + mm;
      let k = k0 + kk;
      tile_a[i] = select(0.0, load_a(min(m, dim_m() - 1u), min(k, dim_k() - 1u)), m < dim_m() && k < dim_k());
    }
    for (var i = li; i < TILE_K * TILE_N; i += threads) {
      let kk = i / TILE_N;
      let nn = i % TILE_N;
      let n = tn + nn;
      let k = k0 + kk;
      tile_b[i] = select(0.0, load_b(min(k, dim_k() - 1u), min(n, dim_n() - 1u)), n < dim_n() && k < dim_k());
    }
    workgroupBarrier();
    let am = l.y * 4u;
    let bn = l.x * 4u;
    for (var kk = 0u; kk < TILE_K; kk++) {
      let ar = kk * TILE_M + am;
      let br = kk * TILE_N + bn;
      let bv = vec4f(tile_b[br], tile_b[br + 1u], tile_b[br + 2u], tile_b[br + 3u]);
      let av = vec4f(tile_a[ar], tile_a[ar + 1u], tile_a[ar + 2u], tile_a[ar + 3u]);
      acc[0] += av.x * bv;
      acc[1] += av.y * bv;
      acc[2] += av.z * bv;
      acc[3] += av.w * bv;
      sums += av;
    }
    workgroupBarrier();
  }
  if (ROW_SUMS && tn + l.x * 4u == 0u) { store_row_sums(tm + l.y * 4u, sums); }
  store_block(tm + l.y * 4u, tn + l.x * 4u, acc);
}
