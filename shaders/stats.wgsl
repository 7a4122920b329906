// Per-layer statistics of the forward pass, for the layers of a table. Needs activation_fns.wgsl.
//   layer_columns4  one invocation per (layer, 4 columns): walks the batch down its columns and writes
//                   partials[i] = (Σh, Σh², #saturated, #dead units) of those columns
//   layer_columns   the same, one column per invocation (widths that are not a multiple of 4: the head)
//   layer_totals    one invocation per layer: out[4·slot ..] = the sums of its columns' partials
// so that out holds, per layer:
//   Σ h, Σ h²                                        (actMean, actStd of h_l)
//   #entries of u with φ'(u) < 0.1·max φ'            (saturated; sigmoid, tanh, gelu)
//   #units with φ'(u) = 0 for every sample            (dead; relu)
// Owning whole columns is what makes the dead-unit test cheap: "no sample made this unit live" is a
// per-invocation flag, with no atomics and no second sweep. There are no barriers either (a CPU adapter
// runs a kernel with barriers as coroutines). Counts are f32 (exact below 2²⁴ entries per layer).
override WG: u32 = 64;
override ACT: u32 = 0u;
override SAT_THRESHOLD: f32 = 0.0;   // 0.1 · max φ' for the activation, 0 to skip
override COUNT_DEAD: bool = false;
// h = φ(u) (a block without a residual, or the head with φ = identity): recompute h from u instead of
// reading it, which halves the bytes this pass moves. The same act_forward as the forward pass.
override H_FROM_U: bool = false;

struct Params {
  rows: u32,     // B
  cols: u32,     // width
  layers: u32,   // entries in the table
  groups: u32,   // column groups per layer: cols / 4 (layer_columns4) or cols
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
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read_write> partials: array<vec4f>;
// layer_columns4: h and u as vec4s (offsets and widths are multiples of 4).
@group(0) @binding(0) var<storage, read> h4: array<vec4f>;
@group(0) @binding(1) var<storage, read> u4: array<vec4f>;
// layer_totals: the finished statistics, four floats per layer slot.
@group(0) @binding(0) var<storage, read> columns: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

fn grad4(x: vec4f) -> vec4f {
  return vec4f(act_grad(ACT, x.x), act_grad(ACT, x.y), act_grad(ACT, x.z), act_grad(ACT, x.w));
}

fn forward4(x: vec4f) -> vec4f {
  return vec4f(act_forward(ACT, x.x), act_forward(ACT, x.y), act_forward(ACT, x.z), act_forward(ACT, x.w));
}

// u is read when its derivative is needed or h is made from it.
override NEED_U: bool = SAT_THRESHOLD > 0.0 || COUNT_DEAD || H_FROM_U;

@compute @workgroup_size(WG)
fn layer_columns4(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.layers * params.groups) { return; }
  let layer = table[i / params.groups];
  let q = i % params.groups;
  let stride = params.cols / 4u;
  var sum = vec4f(0.0);
  var sq = vec4f(0.0);
  var saturated = vec4f(0.0);
  var alive = vec4<bool>(false);
  for (var r = 0u; r < params.rows; r++) {
    var uv = vec4f(0.0);
    if (NEED_U) { uv = u4[layer.u / 4u + r * stride + q]; }
    var x = uv;
    if (H_FROM_U) { x = forward4(uv); } else { x = h4[layer.h / 4u + r * stride + q]; }
    sum += x;
    sq = fma(x, x, sq);
    if (SAT_THRESHOLD > 0.0 || COUNT_DEAD) {
      let d = grad4(uv);
      saturated += select(vec4f(0.0), vec4f(1.0), d < vec4f(SAT_THRESHOLD));
      alive = alive | (d != vec4f(0.0));
    }
  }
  let one = vec4f(1.0);
  var dead = 0.0;
  if (COUNT_DEAD) { dead = dot(select(one, vec4f(0.0), alive), one); }
  partials[i] = vec4f(dot(sum, one), dot(sq, one), select(0.0, dot(saturated, one), SAT_THRESHOLD > 0.0), dead);
}

@compute @workgroup_size(WG)
fn layer_columns(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.layers * params.groups) { return; }
  let layer = table[i / params.groups];
  let c = i % params.groups;
  var sum = 0.0;
  var sq = 0.0;
  var saturated = 0.0;
  var alive = false;
  for (var r = 0u; r < params.rows; r++) {
    var uv = 0.0;
    if (NEED_U) { uv = u[layer.u + r * params.cols + c]; }
    var x = uv;
    if (H_FROM_U) { x = act_forward(ACT, uv); } else { x = h[layer.h + r * params.cols + c]; }
    sum += x;
    sq = fma(x, x, sq);
    if (SAT_THRESHOLD > 0.0 || COUNT_DEAD) {
      let d = act_grad(ACT, uv);
      saturated += select(0.0, 1.0, d < SAT_THRESHOLD);
      alive = alive || d != 0.0;
    }
  }
  let dead = select(0.0, select(1.0, 0.0, alive), COUNT_DEAD);
  partials[i] = vec4f(sum, sq, select(0.0, saturated, SAT_THRESHOLD > 0.0), dead);
}

// Column partials of table entry l are columns[l·groups ..]; summed in column order, the same every run.
@compute @workgroup_size(WG)
fn layer_totals(@builtin(global_invocation_id) gid: vec3u) {
  let l = gid.x;
  if (l >= params.layers) { return; }
  var total = vec4f(0.0);
  for (var c = 0u; c < params.groups; c++) { total += columns[l * params.groups + c]; }
  let o = 4u * table[l].slot;
  out[o] = total.x;
  out[o + 1u] = total.y;
  out[o + 2u] = total.z;
  out[o + 3u] = total.w;
}
