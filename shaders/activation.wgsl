// Elementwise activation: y = φ(u) forward, du = dy ⊙ φ'(u) backward (from the pre-activation u).
// Needs activation_fns.wgsl. Used where an activation cannot be fused into a matmul epilogue
// (after a norm layer).
override WG: u32 = 256;
override ACT: u32 = 0u;
override HAS_ALPHA: bool = false;

struct Params {
  n: u32,
}

@group(0) @binding(0) var<storage, read> u: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
// The scalar α of a rezero block: it scales the residual branch forward, and its gradient backward.
@group(0) @binding(4) var<storage, read> alpha: array<f32>;

// Linear index over a 2-D grid of workgroups (1-D work larger than 65535 workgroups wraps to y).
fn flat_index(g: vec3u, nwg: vec3u) -> u32 {
  return g.x + g.y * nwg.x * WG;
}

@compute @workgroup_size(WG)
fn activation_forward(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(g, nwg);
  if (i >= params.n) { return; }
  out[i] = act_forward(ACT, u[i]);
}

@compute @workgroup_size(WG)
fn activation_backward(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(g, nwg);
  if (i >= params.n) { return; }
  var scale = 1.0;
  if (HAS_ALPHA) { scale = alpha[0]; }
  out[i] = scale * dy[i] * act_grad(ACT, u[i]);
}

// The residual block after a norm layer: out = h_prev + α·φ(u), with h_prev bound as dy.
@compute @workgroup_size(WG)
fn activation_residual_forward(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(g, nwg);
  if (i >= params.n) { return; }
  var scale = 1.0;
  if (HAS_ALPHA) { scale = alpha[0]; }
  out[i] = dy[i] + scale * act_forward(ACT, u[i]);
}
