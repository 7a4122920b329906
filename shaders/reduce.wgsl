// Segmented L2 norms (needs sumsq_fns.wgsl and segments_fns.wgsl): out[s] = ‖x‖ over segment s of one
// buffer (one segment per layer), in two dispatches and without float atomics, so the result is
// bit-identical from run to run:
//   sum_squares_units(4)  one invocation per unit (every units-th float of a segment), partials[unit] =
//                         Blue's three sums of x²; the 4 form reads vec4s when every segment starts on one
//   sum_squares_split_units  the residual split in one read of each: for y = sub (S, what a block's skip hands its
//                         input; segment s of it starts at shift[s]) and x = src − sub (what the branch hands it,
//                         src being the whole ∂L/∂x), the partials of ‖y‖ into dst and of ‖x‖ into dst2
//   sum_squares_clamped_units  sum_squares_units that also leaves the partials of ‖clamp(src, −τ, τ)‖ (value
//                         clipping's gradient, as the update applies it) in `clamped`
//   sum_squares_segments  one invocation per segment, sums its units' partials in a fixed order
//   finalize_grad_norm    one workgroup: global L2 norm from the per-segment norms, clip scale, non-finite flag, step counter
//
// A segment of n floats gets about √n units of about √n floats each (see planSegments in
// src/kernels/reduce.ts), so both passes stay short: 16K floats are 128 units of 128, 16M floats 4096
// of 4096. The first pass has no barriers and no workgroup memory: a CPU adapter (SwiftShader) runs a
// kernel with barriers as coroutines, at two to three times the cost; interleaved units keep a GPU's
// reads coalesced.
override WG: u32 = 64;
override CLIP_MODE: u32 = 0u;
// The training engine halts at the first non-finite step: once set, the flag stays set (and the optimizer
// keeps skipping) until the host clears it, even across the later steps of the same submit.
override STICKY: bool = false;

// Ids match CLIP_MODE_IDS in src/kernels/reduce.ts.
const CLIP_NONE: u32 = 0u;
const CLIP_NORM: u32 = 1u;

struct Params {
  segments: u32,
  units: u32,
  out_base: u32,
}

// SCALARS in src/kernels/reduce.ts; all f32 so one Float32Array reads them back.
struct Scalars {
  grad_norm: f32,
  clip_scale: f32,
  non_finite: f32,
  step: f32,
}

// The leading word of the optimizer's hyperparameter block (shaders/optimizer.wgsl), bound as a prefix.
struct Clip {
  max_norm: f32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
// sum_squares_units4: the same buffer as vec4s.
@group(0) @binding(0) var<storage, read> src4: array<vec4f>;
@group(0) @binding(1) var<storage, read> segs: array<Segment>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

// sum_squares_diff_units: what is subtracted, and where each segment's floats start in it.
@group(0) @binding(4) var<storage, read> sub: array<f32>;
@group(0) @binding(5) var<storage, read> shift: array<u32>;
@group(0) @binding(6) var<storage, read_write> dst2: array<f32>;

// sum_squares_clamped_units: τ, the first f32 of the optimizer's hyperparameters (read at every step: τ changes in place).
@group(0) @binding(4) var<uniform> limit: Clip;
@group(0) @binding(5) var<storage, read_write> clamped: array<f32>;

// finalize_grad_norm: src = per-segment sums; binding 1 and 2 differ from the passes above.
@group(0) @binding(1) var<uniform> clip: Clip;
@group(0) @binding(2) var<storage, read_write> scalars: Scalars;

var<workgroup> scratch3: array<vec3f, WG>;

fn workgroup_sum3(lid: u32, value: vec3f) -> vec3f {
  scratch3[lid] = value;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      scratch3[lid] += scratch3[lid + stride];
    }
    workgroupBarrier();
  }
  return scratch3[0];
}

fn write_partial(u: u32, sums: vec3f) {
  dst[3u * u] = sums.x;
  dst[3u * u + 1u] = sums.y;
  dst[3u * u + 2u] = sums.z;
}

@compute @workgroup_size(WG)
fn sum_squares_units(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let u = gid.x + gid.y * nwg.x * WG;
  if (u >= params.units) { return; }
  let seg = segs[find_segment(u, params.segments)];
  let first = seg.offset + (u - seg.first_unit);
  let end = seg.offset + seg.length;
  var sq = 0.0;
  var biggest = 0.0;
  for (var i = first; i < end; i += seg.units) {
    let x = src[i];
    sq = fma(x, x, sq);
    biggest = max(biggest, abs(x));
  }
  let scale = rescan_scale(biggest);
  var scaled = 0.0;
  if (scale != 0.0) {
    for (var i = first; i < end; i += seg.units) {
      let y = src[i] * scale;
      scaled = fma(y, y, scaled);
    }
  }
  write_partial(u, scaled_sums(sq, biggest, scaled));
}

@compute @workgroup_size(WG)
fn sum_squares_split_units(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let u = gid.x + gid.y * nwg.x * WG;
  if (u >= params.units) { return; }
  let s = find_segment(u, params.segments);
  let seg = segs[s];
  let first = seg.offset + (u - seg.first_unit);
  let end = seg.offset + seg.length;
  let to_sub = shift[s] - seg.offset;
  var sq = vec2f(0.0);
  var biggest = vec2f(0.0);
  for (var i = first; i < end; i += seg.units) {
    let skip = sub[i + to_sub];
    let v = vec2f(skip, src[i] - skip);
    sq = fma(v, v, sq);
    biggest = max(biggest, abs(v));
  }
  let scale = vec2f(rescan_scale(biggest.x), rescan_scale(biggest.y));
  var scaled = vec2f(0.0);
  if (any(scale != vec2f(0.0))) {
    for (var i = first; i < end; i += seg.units) {
      let skip = sub[i + to_sub];
      let v = vec2f(skip, src[i] - skip) * scale;
      scaled = fma(v, v, scaled);
    }
  }
  write_partial(u, scaled_sums(sq.x, biggest.x, scaled.x));
  let branch = scaled_sums(sq.y, biggest.y, scaled.y);
  dst2[3u * u] = branch.x;
  dst2[3u * u + 1u] = branch.y;
  dst2[3u * u + 2u] = branch.z;
}

// The gradient norms of a value-clipping run's logged step: one read of each gradient gives the partials of ‖g‖
// (dst, as sum_squares_units) and of ‖clamp(g, −τ, τ)‖ (clamped), the gradient as the update applies it.
@compute @workgroup_size(WG)
fn sum_squares_clamped_units(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let u = gid.x + gid.y * nwg.x * WG;
  if (u >= params.units) { return; }
  let seg = segs[find_segment(u, params.segments)];
  let first = seg.offset + (u - seg.first_unit);
  let end = seg.offset + seg.length;
  let tau = limit.max_norm;
  var sq = vec2f(0.0);
  var biggest = vec2f(0.0);
  for (var i = first; i < end; i += seg.units) {
    let v = vec2f(src[i], clamp(src[i], -tau, tau));
    sq = fma(v, v, sq);
    biggest = max(biggest, abs(v));
  }
  let scale = vec2f(rescan_scale(biggest.x), rescan_scale(biggest.y));
  var scaled = vec2f(0.0);
  if (any(scale != vec2f(0.0))) {
    for (var i = first; i < end; i += seg.units) {
      let v = vec2f(src[i], clamp(src[i], -tau, tau)) * scale;
      scaled = fma(v, v, scaled);
    }
  }
  write_partial(u, scaled_sums(sq.x, biggest.x, scaled.x));
  let kept = scaled_sums(sq.y, biggest.y, scaled.y);
  clamped[3u * u] = kept.x;
  clamped[3u * u + 1u] = kept.y;
  clamped[3u * u + 2u] = kept.z;
}

// vec4 q of src, with the lanes past the segment's end (the next segment's floats, or padding) as 0. A
// select, not a product: a NaN next door times 0 would still be NaN.
fn quad(q: u32, end: u32) -> vec4f {
  return select(vec4f(0.0), src4[q], vec4u(4u * q) + vec4u(0u, 1u, 2u, 3u) < vec4u(end));
}

@compute @workgroup_size(WG)
fn sum_squares_units4(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let u = gid.x + gid.y * nwg.x * WG;
  if (u >= params.units) { return; }
  let seg = segs[find_segment(u, params.segments)];
  // Every segment starts on a vec4 (the host checks), so offset / 4 is exact.
  let first = seg.offset / 4u + (u - seg.first_unit);
  let end = seg.offset + seg.length;
  let last = (end + 3u) / 4u;
  var sq = vec4f(0.0);
  var biggest = vec4f(0.0);
  for (var q = first; q < last; q += seg.units) {
    let x = quad(q, end);
    sq = fma(x, x, sq);
    biggest = max(biggest, abs(x));
  }
  let big = max(max(biggest.x, biggest.y), max(biggest.z, biggest.w));
  let scale = rescan_scale(big);
  var scaled = vec4f(0.0);
  if (scale != 0.0) {
    for (var q = first; q < last; q += seg.units) {
      let y = quad(q, end) * scale;
      scaled = fma(y, y, scaled);
    }
  }
  let one = vec4f(1.0);
  write_partial(u, scaled_sums(dot(sq, one), big, dot(scaled, one)));
}

// One invocation per segment (no barriers). Summing in runs of 64 bounds the rounding error of a
// 4096-unit segment (16M floats) by about 128 ulp instead of 4096.
@compute @workgroup_size(WG)
fn sum_squares_segments(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let s = gid.x + gid.y * nwg.x * WG;
  if (s >= params.segments) { return; }
  let seg = segs[s];
  var total = vec3f(0.0);
  for (var run = 0u; run < seg.units; run += 64u) {
    var part = vec3f(0.0);
    for (var i = run; i < min(run + 64u, seg.units); i++) {
      let p = 3u * (seg.first_unit + i);
      part += vec3f(src[p], src[p + 1u], src[p + 2u]);
    }
    total += part;
  }
  dst[params.out_base + s] = blue_norm(total);
}

// Reads params.segments sums from src. The step counter advances only on finite steps, so Adam's bias
// correction counts the updates actually applied.
@compute @workgroup_size(WG)
fn finalize_grad_norm(@builtin(local_invocation_index) lid: u32) {
  var acc = vec3f(0.0);
  for (var i = lid; i < params.segments; i += WG) {
    acc = blue_add(acc, src[i]);
  }
  let sums = workgroup_sum3(lid, acc);
  if (lid != 0u) { return; }
  let total = blue_norm(sums);
  let finite = is_finite(total) && !(STICKY && scalars.non_finite != 0.0);
  var scale = 1.0;
  if (CLIP_MODE == CLIP_NORM && finite && total >= clip.max_norm) {
    scale = clip.max_norm / total;
  }
  scalars.grad_norm = total;
  scalars.clip_scale = scale;
  scalars.non_finite = select(1.0, 0.0, finite);
  scalars.step = scalars.step + select(0.0, 1.0, finite);
}
