// Gradients of a linear block's small parameters.
//   bias_grad    db[j] = Σ_i dz[i][j]                   (one invocation per column, fixed order)
//   alpha_grad   dα = Σ dh ⊙ φ(u)                        (rezero's scalar; one workgroup)
// Needs activation_fns.wgsl.
override WG: u32 = 64;
override ACT: u32 = 0u;

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

var<workgroup> scratch: array<f32, WG>;

@compute @workgroup_size(WG)
fn bias_grad(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x;
  if (j >= params.cols) { return; }
  var acc = 0.0;
  for (var i = 0u; i < params.rows; i++) { acc += x[i * params.cols + j]; }
  out[j] = acc;
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
