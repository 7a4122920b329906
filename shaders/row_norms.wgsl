// The logged weight gradient's row sums: db = Σ dz into out2[m] as row_sums.wgsl does, and each row's Blue sums of
// squares into norms[3·(params.base + m)..], the partials linear.wgsl's bias_grad_norms leaves for ‖∂L/∂z‖
// (segment_norms in reduce.wgsl finishes them). The row is read again: once for Σ v² and max |v|, and a third time only
// when it is all tiny or holds a huge value. Its own module, with matmul.wgsl: a ninth storage binding, which the other
// GEMM entry points must not use (devices may offer only eight).
// Needs sumsq_fns.wgsl.
@group(0) @binding(9) var<storage, read_write> norms: array<f32>;

fn store_row_norm(m: u32, s: vec3f) {
  let o = 3u * (params.base + m);
  norms[o] = s.x;
  norms[o + 1u] = s.y;
  norms[o + 2u] = s.z;
}

fn row_sum_out(m: u32, sum: f32) {
  out2[m] = sum;
  var sq = 0.0;
  var biggest = 0.0;
  for (var k = 0u; k < params.K; k++) {
    let v = load_a(m, k);
    sq = fma(v, v, sq);
    biggest = max(biggest, abs(v));
  }
  let scale = rescan_scale(biggest);
  var rescanned = 0.0;
  if (scale != 0.0) {
    for (var k = 0u; k < params.K; k++) {
      let v = load_a(m, k) * scale;
      rescanned = fma(v, v, rescanned);
    }
  }
  store_row_norm(m, scaled_sums(sq, biggest, rescanned));
}

// The same for matmul_vec4, which may not read A through the scalar `a` too: op(A)[m][k] from the vec4 view.
fn load_a_vec4(m: u32, k: u32) -> f32 {
  let i = select(m * params.K + k, k * params.M + m, TRANS_A);
  return a4[i / 4u][i % 4u];
}

fn row_sum_out_vec4(m: u32, sum: f32) {
  out2[m] = sum;
  var sq = 0.0;
  var biggest = 0.0;
  for (var k = 0u; k < params.K; k++) {
    let v = load_a_vec4(m, k);
    sq = fma(v, v, sq);
    biggest = max(biggest, abs(v));
  }
  let scale = rescan_scale(biggest);
  var rescanned = 0.0;
  if (scale != 0.0) {
    for (var k = 0u; k < params.K; k++) {
      let v = load_a_vec4(m, k) * scale;
      rescanned = fma(v, v, rescanned);
    }
  }
  store_row_norm(m, scaled_sums(sq, biggest, rescanned));
}
