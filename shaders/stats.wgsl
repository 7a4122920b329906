// Per-layer statistics of the forward pass, one workgroup per layer, layers found through a table:
//   out[4l + 0] = Σ h, out[4l + 1] = Σ h²          (actMean, actStd of h_l)
//   out[4l + 2] = #entries of u with φ'(u) < 0.1·max φ'   (saturated; sigmoid, tanh, gelu)
//   out[4l + 3] = #units with φ'(u) = 0 for every sample  (dead; relu)
// Counts are f32 (exact below 2²⁴ entries per layer). Needs activation_fns.wgsl.
override WG: u32 = 64;
override ACT: u32 = 0u;
override SAT_THRESHOLD: f32 = 0.0;   // 0.1 · max φ' for the activation, 0 to skip
override COUNT_DEAD: bool = false;

struct Params {
  rows: u32,     // B
  cols: u32,     // width
  layers: u32,   // entries in the table
  out_base: u32, // first layer index written
}

struct Layer {
  h: u32,        // float offset of h_l in the h binding
  u: u32,        // float offset of u_l in the u binding
  slot: u32,     // the layer's index in out
  pad: u32,
}

@group(0) @binding(0) var<storage, read> h: array<f32>;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<storage, read> table: array<Layer>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> scratch: array<vec4f, WG>;
// One bit per unit (up to 4096): set when φ'(u) ≠ 0 for some sample. Marking it inside the one pass over
// u costs an atomic per live entry instead of a second sweep of the whole layer.
var<workgroup> alive: array<atomic<u32>, 128>;

@compute @workgroup_size(WG)
fn layer_stats(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let layer = table[min(wg.x, params.layers - 1u)];
  let n = params.rows * params.cols;
  if (COUNT_DEAD) {
    for (var j = lid; j < 128u; j += WG) { atomicStore(&alive[j], 0u); }
    workgroupBarrier();
  }
  var acc = vec4f(0.0);
  var col = lid % params.cols;
  // Columns advance by WG mod cols per iteration; tracked incrementally to avoid a division per entry.
  let step = WG % params.cols;
  for (var i = lid; i < n; i += WG) {
    let v = h[layer.h + i];
    acc.x += v;
    acc.y += v * v;
    if (SAT_THRESHOLD > 0.0 || COUNT_DEAD) {
      let d = act_grad(ACT, u[layer.u + i]);
      if (SAT_THRESHOLD > 0.0 && d < SAT_THRESHOLD) { acc.z += 1.0; }
      if (COUNT_DEAD && d != 0.0) { atomicOr(&alive[col / 32u], 1u << (col % 32u)); }
    }
    col += step;
    if (col >= params.cols) { col -= params.cols; }
  }
  if (COUNT_DEAD) {
    workgroupBarrier();
    for (var j = lid; j < params.cols; j += WG) {
      acc.w += select(1.0, 0.0, (atomicLoad(&alive[j / 32u]) & (1u << (j % 32u))) != 0u);
    }
  }
  scratch[lid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { scratch[lid] += scratch[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u && wg.x < params.layers) {
    let o = 4u * layer.slot;
    out[o] = scratch[0].x;
    out[o + 1u] = scratch[0].y;
    out[o + 2u] = scratch[0].z;
    out[o + 3u] = scratch[0].w;
  }
}
