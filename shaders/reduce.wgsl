// Segmented L2 norms (needs sumsq_fns.wgsl): out[s] = ‖x‖ over segment s of one buffer (one segment per
// layer), in two dispatches and without float atomics, so the result is bit-identical from run to run:
//   sum_squares_blocks    one workgroup per block of WG·ITEMS floats, partials[block] = Blue's three sums of x²
//   sum_squares_segments  one invocation per segment, sums its partials in a fixed order
//   finalize_grad_norm    one workgroup: global L2 norm from the per-segment norms, clip scale, non-finite flag, step counter
//
// Why a prefix table of block starts and not a 2-D grid (y = segment, x = block): lengths range from 1
// to 16M floats, so a grid sized for the longest segment would launch segments × 4096 workgroups that
// are almost all empty, and y would cap the count at 65535 segments. With first_block per segment the
// launch is Σ ceil(length / block) workgroups, each finds its segment by a binary search over the table,
// and each segment's partials are contiguous for the second pass.
override WG: u32 = 64;
override ITEMS: u32 = 64;
override CLIP_MODE: u32 = 0u;
// The training engine halts at the first non-finite step: once set, the flag stays set (and the optimizer
// keeps skipping) until the host clears it, even across the later steps of the same submit.
override STICKY: bool = false;

// Ids match CLIP_MODE_IDS in src/kernels/reduce.ts.
const CLIP_NONE: u32 = 0u;
const CLIP_NORM: u32 = 1u;

// A segment table (planSegments in src/kernels/reduce.ts): a run of `length` floats from `offset`,
// reduced by `blocks` workgroups of sum_squares_blocks whose partials start at `first_block`; every
// segment owns at least one block. The optimizer's logged update leaves one partial per 64-float unit
// instead, and its table (unitSegments in src/kernels/optimizer.ts) counts those.
struct Segment {
  offset: u32,
  length: u32,
  first_block: u32,
  blocks: u32,
}

// The last of the first `count` segments whose first block is at or before block b.
fn find_segment(b: u32, count: u32) -> u32 {
  var lo = 0u;
  var hi = count;
  while (hi - lo > 1u) {
    let mid = (lo + hi) / 2u;
    if (segs[mid].first_block <= b) { lo = mid; } else { hi = mid; }
  }
  return lo;
}

struct Params {
  segments: u32,
  blocks: u32,
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
@group(0) @binding(1) var<storage, read> segs: array<Segment>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

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

@compute @workgroup_size(WG)
fn sum_squares_blocks(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let b = wid.x + wid.y * nwg.x;
  if (b >= params.blocks) { return; }
  let seg = segs[find_segment(b, params.segments)];
  let start = (b - seg.first_block) * WG * ITEMS;
  let end = min(start + WG * ITEMS, seg.length);
  // The common case costs one fma and one max per entry. Only a thread whose largest entry says its plain
  // sum under- or overflowed goes over its entries again, scaled (in vanishing or exploding layers).
  var sq = 0.0;
  var biggest = 0.0;
  for (var i = start + lid; i < end; i += WG) {
    let x = src[seg.offset + i];
    sq = fma(x, x, sq);
    biggest = max(biggest, abs(x));
  }
  var acc = vec3f(0.0, sq, 0.0);
  let tiny = biggest > 0.0 && biggest < T_SMALL;
  if (tiny || biggest > T_BIG) {
    let scale = select(S_BIG, S_SMALL, tiny);
    var scaled = 0.0;
    for (var i = start + lid; i < end; i += WG) {
      let y = src[seg.offset + i] * scale;
      scaled = fma(y, y, scaled);
    }
    acc = select(vec3f(0.0, 0.0, scaled), vec3f(scaled, 0.0, 0.0), tiny);
  }
  let total = workgroup_sum3(lid, acc);
  if (lid == 0u) {
    dst[3u * b] = total.x;
    dst[3u * b + 1u] = total.y;
    dst[3u * b + 2u] = total.z;
  }
}

// Most segments own one or a few partials, so one invocation per segment (no barriers) beats a
// workgroup per segment. Summing in runs of 64 bounds the rounding error of a 4096-partial segment
// (16M floats) by about 128 ulp instead of 4096.
@compute @workgroup_size(WG)
fn sum_squares_segments(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let s = gid.x + gid.y * nwg.x * WG;
  if (s >= params.segments) { return; }
  let seg = segs[s];
  var total = vec3f(0.0);
  for (var run = 0u; run < seg.blocks; run += 64u) {
    var part = vec3f(0.0);
    for (var i = run; i < min(run + 64u, seg.blocks); i++) {
      let p = 3u * (seg.first_block + i);
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
