// Gradients of a linear block's small parameters.
//   bias_grad        db[j] = Σ_i dz[i][j]               (one invocation per column, fixed order)
//   bias_grad_norms  the same, and column j's Blue sums of dz² into norms[3·(base + j)..]: a logged step's
//                    ‖∂L/∂z‖ per layer at no extra sweep over dz (segment_norms in reduce.wgsl finishes it)
//   alpha_grad       dα = Σ dh ⊙ φ(u)                    (rezero's scalar; one workgroup)
// Needs activation_fns.wgsl and sumsq_fns.wgsl.
override WG: u32 = 64;
override ACT: u32 = 0u;

struct Params {
  rows: u32,
  cols: u32,
  base: u32, // bias_grad_norms: this layer's first column in norms
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read_write> norms: array<f32>;

var<workgroup> scratch: array<f32, WG>;

@compute @workgroup_size(WG)
fn bias_grad(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x;
  if (j >= params.cols) { return; }
  var acc = 0.0;
  for (var i = 0u; i < params.rows; i++) { acc += x[i * params.cols + j]; }
  out[j] = acc;
}

@compute @workgroup_size(WG)
fn bias_grad_norms(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x;
  if (j >= params.cols) { return; }
  var acc = 0.0;
  var sq = 0.0;
  var biggest = 0.0;
  for (var i = 0u; i < params.rows; i++) {
    let v = x[i * params.cols + j];
    acc += v;
    sq = fma(v, v, sq);
    biggest = max(biggest, abs(v));
  }
  out[j] = acc;
  let scale = rescan_scale(biggest);
  var rescanned = 0.0;
  if (scale != 0.0) {
    for (var i = 0u; i < params.rows; i++) {
      let v = x[i * params.cols + j] * scale;
      rescanned = fma(v, v, rescanned);
    }
  }
  let sums = scaled_sums(sq, biggest, rescanned);
  let o = 3u * (params.base + j);
  norms[o] = sums.x;
  norms[o + 1u] = sums.y;
  norms[o + 2u] = sums.z;
}

// x = dh, y = u: dα = Σ dh ⊙ φ(u) over all rows × cols, tree-summed in a fixed order.
@compute @workgroup_size(WG)
fn alpha_grad(@builtin(local_invocation_index) lid: u32) {
  let n = params.rows * params.cols;
  var acc = 0.0;
  for (var i = lid; i < n; i += WG) { acc += x[i] * act_forward(ACT, y[i]); }
  scratch[lid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { scratch[lid] += scratch[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { out[0] = scratch[0]; }
}
