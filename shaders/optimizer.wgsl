// One optimizer step over a whole arena chunk (every layer at once), matching torch.optim exactly:
//   sgd       g' = g + wd·p;  p ← p − lr·g'
//   momentum  g' = g + wd·p;  m ← μ·m + g';  p ← p − lr·m          (dampening 0, no Nesterov)
//   adam      g' = g + wd·p;  Adam on g' with bias correction at step t
//   adamw     p ← p·(1 − lr·wd);  Adam on g
// g is first clipped: g·clip_scale (norm mode, scale from finalize_grad_norm) or clamp(g, −τ, τ).
// A step whose gradient norm was NaN/Inf changes nothing, so a run keeps its last finite state.
// Zero padding between arena slots stays zero: p = g = m = v = 0 gives a zero update (eps > 0).
// Every buffer is read and written four floats at a time (arena chunks and slots are 256-byte aligned):
// on a CPU adapter that halves the step's time against one float per access.
//
// Two entry points share the update:
//   optimizer_step        one invocation per vec4 of the chunk (unlogged steps)
//   optimizer_step_stats  the same update over the tensors of a segment table (segments_fns.wgsl), one
//                         invocation per unit, which also leaves the unit's Blue sums of W² (before) and
//                         ΔW² (the update it applied) as partials: the statistics of a logged step cost no
//                         extra sweep over the parameters and no copy of them. sum_squares_segments
//                         (reduce.wgsl) turns each tensor's units into its norms. No barriers: a CPU
//                         adapter runs a kernel with barriers as coroutines, at twice the cost.
// Needs sumsq_fns.wgsl and segments_fns.wgsl.
override WG: u32 = 256;
override KIND: u32 = 0u;
override CLIP_MODE: u32 = 0u;

// Ids match OPTIMIZER_IDS in src/kernels/optimizer.ts and CLIP_MODE_IDS in src/kernels/reduce.ts.
const OPT_SGD: u32 = 0u;
const OPT_MOMENTUM: u32 = 1u;
const OPT_ADAM: u32 = 2u;
const OPT_ADAMW: u32 = 3u;
const CLIP_NORM: u32 = 1u;
const CLIP_VALUE: u32 = 2u;

// Rewritten by the host while training (Optimizer.setHyper). clip comes first because
// finalize_grad_norm (shaders/reduce.wgsl) binds just that leading word. 1 − β comes from the host in
// double precision, as PyTorch passes it: 1 − f32(0.999) would be off by 1.3e-5.
struct Hyper {
  clip: f32,
  lr: f32,
  momentum: f32,
  beta1: f32,
  beta2: f32,
  one_minus_beta1: f32,
  one_minus_beta2: f32,
  eps: f32,
  weight_decay: f32,
}

struct Params {
  quads: u32, // vec4s in the chunk
  // optimizer_step_stats only: the segment table's size, and where ΔW's partials start in `partials`.
  segments: u32,
  units: u32,
  delta_base: u32,
}

// Written by finalize_grad_norm; SCALARS in src/kernels/reduce.ts.
struct Scalars {
  grad_norm: f32,
  clip_scale: f32,
  non_finite: f32,
  step: f32,
}

@group(0) @binding(0) var<storage, read_write> p: array<vec4f>;
@group(0) @binding(1) var<storage, read> g: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> m: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> v: array<vec4f>;
@group(0) @binding(4) var<storage, read> scalars: Scalars;
@group(0) @binding(5) var<uniform> hyper: Hyper;
@group(0) @binding(6) var<uniform> params: Params;
// Three Blue sums per unit: W's at 3u, ΔW's at delta_base + 3u.
@group(0) @binding(7) var<storage, read_write> partials: array<f32>;
@group(0) @binding(8) var<storage, read> segs: array<Segment>;

// 1 − βᵗ from d = 1 − β. Written as 1 − pow(β, t) it loses digits while βᵗ is near 1 (β2 = 0.999
// early on), so: ln β = −2·atanh(d / (2 − d)) by its series, then 1 − eʸ by its Taylor series while
// |y| < 0.5. Relative error stays near f32 precision for every t ≥ 1.
fn bias_correction(d: f32, t: f32) -> f32 {
  if (d >= 1.0) { return 1.0; } // β = 0: log(0) is not defined in WGSL
  var ln_beta = log(1.0 - d);
  if (d <= 0.5) {
    let u = d / (2.0 - d);
    let u2 = u * u;
    let series = 1.0 + u2 * (1.0 / 3.0 + u2 * (1.0 / 5.0 + u2 * (1.0 / 7.0 + u2 * (1.0 / 9.0
      + u2 * (1.0 / 11.0 + u2 * (1.0 / 13.0 + u2 / 15.0))))));
    ln_beta = -2.0 * u * series;
  }
  let y = t * ln_beta;
  if (y <= -0.5) {
    return 1.0 - exp(y);
  }
  var s = 1.0;
  for (var k = 10u; k >= 2u; k--) {
    s = 1.0 + y / f32(k) * s;
  }
  return -y * s;
}

fn clipped(x: vec4f) -> vec4f {
  if (CLIP_MODE == CLIP_NORM) { return x * scalars.clip_scale; }
  if (CLIP_MODE == CLIP_VALUE) { return clamp(x, vec4f(-hyper.clip), vec4f(hyper.clip)); }
  return x;
}

// torch.optim.Adam / AdamW (amsgrad off) in torch's operation order; returns the new parameter.
fn adam_update(i: u32, p0: vec4f, grad: vec4f) -> vec4f {
  var decayed = p0;
  var ge = grad + hyper.weight_decay * p0;
  if (KIND == OPT_ADAMW) {
    decayed = p0 * (1.0 - hyper.lr * hyper.weight_decay);
    ge = grad;
  }
  let m1 = hyper.beta1 * m[i] + hyper.one_minus_beta1 * ge;
  let v1 = hyper.beta2 * v[i] + hyper.one_minus_beta2 * ge * ge;
  m[i] = m1;
  v[i] = v1;
  let t = scalars.step;
  let step_size = hyper.lr / bias_correction(hyper.one_minus_beta1, t);
  let denom = sqrt(v1) / sqrt(bias_correction(hyper.one_minus_beta2, t)) + hyper.eps;
  return decayed - step_size * (m1 / denom);
}

// Writes and returns the new p[i] (p0 is its value now) and advances m and v.
fn update(i: u32, p0: vec4f) -> vec4f {
  let grad = clipped(g[i]);
  var p1: vec4f;
  switch KIND {
    case OPT_MOMENTUM: {
      let buf = hyper.momentum * m[i] + (grad + hyper.weight_decay * p0);
      m[i] = buf;
      p1 = p0 - hyper.lr * buf;
    }
    case OPT_ADAM, OPT_ADAMW: {
      p1 = adam_update(i, p0, grad);
    }
    default: {
      p1 = p0 - hyper.lr * (grad + hyper.weight_decay * p0);
    }
  }
  p[i] = p1;
  return p1;
}

@compute @workgroup_size(WG)
fn optimizer_step(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.quads || scalars.non_finite != 0.0) { return; }
  _ = update(i, p[i]);
}

@compute @workgroup_size(WG)
fn optimizer_step_stats(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let unit = gid.x + gid.y * nwg.x * WG;
  if (unit >= params.units) { return; }
  let seg = segs[find_segment(unit, params.segments)];
  // Tensors start on a vec4 and the floats after their last one, to the next vec4, are zero padding (the
  // host checks the first; arena slots guarantee both), so whole vec4s can be updated.
  let last = (seg.offset + seg.length + 3u) / 4u;
  // A non-finite step applies no update: ΔW = 0, and ‖W‖ is still the weights' norm.
  let apply = scalars.non_finite == 0.0;
  var w = SumSq4();
  var d = SumSq4();
  for (var i = seg.offset / 4u + (unit - seg.first_unit); i < last; i += seg.units) {
    let p0 = p[i];
    sumsq4_add(&w, p0);
    if (apply) { sumsq4_add(&d, update(i, p0) - p0); }
  }
  let pw = sumsq4_pick(w);
  let pd = sumsq4_pick(d);
  let wi = 3u * unit;
  let di = params.delta_base + 3u * unit;
  partials[wi] = pw.x;
  partials[wi + 1u] = pw.y;
  partials[wi + 2u] = pw.z;
  partials[di] = pd.x;
  partials[di + 1u] = pd.y;
  partials[di + 2u] = pd.z;
}
