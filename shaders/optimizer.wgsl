// One optimizer step over a whole arena chunk (every layer at once), matching torch.optim exactly:
//   sgd       g' = g + wd·p;  p ← p − lr·g'
//   momentum  g' = g + wd·p;  m ← μ·m + g';  p ← p − lr·m          (dampening 0, no Nesterov)
//   adam      g' = g + wd·p;  Adam on g' with bias correction at step t
//   adamw     p ← p·(1 − lr·wd);  Adam on g
// g is first clipped: g·clip_scale (norm mode, scale from finalize_grad_norm) or clamp(g, −τ, τ).
// A step whose gradient norm was NaN/Inf changes nothing, so a run keeps its last finite state.
// Zero padding between arena slots stays zero: p = g = m = v = 0 gives a zero update (eps > 0).
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
  n: u32,
}

// Written by finalize_grad_norm; SCALARS in src/kernels/reduce.ts.
struct Scalars {
  grad_norm: f32,
  clip_scale: f32,
  non_finite: f32,
  step: f32,
}

@group(0) @binding(0) var<storage, read_write> p: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read> scalars: Scalars;
@group(0) @binding(5) var<uniform> hyper: Hyper;
@group(0) @binding(6) var<uniform> params: Params;

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

fn clipped(x: f32) -> f32 {
  if (CLIP_MODE == CLIP_NORM) { return x * scalars.clip_scale; }
  if (CLIP_MODE == CLIP_VALUE) { return clamp(x, -hyper.clip, hyper.clip); }
  return x;
}

// torch.optim.Adam / AdamW (amsgrad off) in torch's operation order; returns the new parameter.
fn adam_update(i: u32, p0: f32, grad: f32) -> f32 {
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

@compute @workgroup_size(WG)
fn optimizer_step(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.n || scalars.non_finite != 0.0) { return; }
  let grad = clipped(g[i]);
  let p0 = p[i];
  switch KIND {
    case OPT_MOMENTUM: {
      let buf = hyper.momentum * m[i] + (grad + hyper.weight_decay * p0);
      m[i] = buf;
      p[i] = p0 - hyper.lr * buf;
    }
    case OPT_ADAM, OPT_ADAMW: {
      p[i] = adam_update(i, p0, grad);
    }
    default: {
      p[i] = p0 - hyper.lr * (grad + hyper.weight_decay * p0);
    }
  }
}
