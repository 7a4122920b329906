// Losses on a row-major B×C matrix: softmax cross-entropy against u32 class ids, and mean squared
// error against a B×C target. Each op is two dispatches over one bind group:
//   1. one workgroup per row writes the gradient and the row's [loss, correct, predicted] into row_stats;
//   2. loss_reduce, a single workgroup, folds row_stats into out = [mean loss, correct count].
// No atomics: every sum is a fixed-order tree, so the loss is bit-for-bit repeatable.
override WG: u32 = 64; // threads per workgroup, a power of two
const ROW_STATS: u32 = 3u; // words per row in row_stats (ROW_STATS_PER_ROW in src/kernels/loss.ts)

struct Params {
  rows: u32, // B
  cols: u32, // C
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> pred: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read> targets: array<f32>; // `target` is a WGSL reserved word
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;
// Per row r, at 3r: that row's loss (MSE: mean over its C elements), 1 when the argmax hit, and the
// first argmax as an f32 (exact below 2^24; 0 for MSE). The test-set evaluation reads all three back.
@group(0) @binding(4) var<storage, read_write> row_stats: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

var<workgroup> red: array<vec2f, WG>;

fn row_index(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x;
}

// Sum over the workgroup, returned to every thread (fixed tree order).
fn reduce_sum(lid: u32, v: vec2f) -> vec2f {
  red[lid] = v;
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (lid < s) { red[lid] += red[lid + s]; }
  }
  workgroupBarrier();
  let total = red[0];
  workgroupBarrier();
  return total;
}

// Max over the workgroup as (value, column); on a tie the lower column wins, as argmax does.
fn reduce_argmax(lid: u32, v: vec2f) -> vec2f {
  red[lid] = v;
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (lid < s) {
      let a = red[lid];
      let b = red[lid + s];
      if (b.x > a.x || (b.x == a.x && b.y < a.y)) { red[lid] = b; }
    }
  }
  workgroupBarrier();
  let best = red[0];
  workgroupBarrier();
  return best;
}

// dlogits = (softmax − onehot)/B, stabilized by the row max (finite for any finite logits).
// A label ≥ C makes the row's loss NaN so the step's non-finite check reports it.
@compute @workgroup_size(WG)
fn softmax_cross_entropy(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
                         @builtin(num_workgroups) nwg: vec3u) {
  let row = row_index(wid, nwg);
  if (row >= params.rows) { return; } // whole workgroups only: barriers stay uniform
  let n = params.cols;
  let base = row * n;
  // Every thread starts from column 0 and visits its columns in increasing order, so a strict >
  // keeps the first max.
  var best = vec2f(logits[base], 0.0);
  for (var c = lid; c < n; c += WG) {
    let z = logits[base + c];
    if (z > best.x) { best = vec2f(z, f32(c)); }
  }
  let top = reduce_argmax(lid, best);
  let m = top.x;
  var s = 0.0;
  for (var c = lid; c < n; c += WG) { s += exp(logits[base + c] - m); }
  let sum_exp = reduce_sum(lid, vec2f(s, 0.0)).x;
  let label = labels[row];
  let inv_b = 1.0 / f32(params.rows);
  for (var c = lid; c < n; c += WG) {
    let p = exp(logits[base + c] - m) / sum_exp;
    grad[base + c] = (p - select(0.0, 1.0, c == label)) * inv_b;
  }
  if (lid == 0u) {
    let nan = bitcast<f32>(0x7fc00000u | (label & 0u)); // built at run time: constant NaN is an error
    let loss = log(sum_exp) + m - logits[base + min(label, n - 1u)];
    let at = ROW_STATS * row;
    row_stats[at] = select(nan, loss, label < n);
    row_stats[at + 1u] = select(0.0, 1.0, u32(top.y) == label);
    row_stats[at + 2u] = top.y;
  }
}

// dpred = 2(pred − target)/(B·C); the row's loss is its mean squared difference.
@compute @workgroup_size(WG)
fn mean_squared_error(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
                      @builtin(num_workgroups) nwg: vec3u) {
  let row = row_index(wid, nwg);
  if (row >= params.rows) { return; }
  let n = params.cols;
  let base = row * n;
  let scale = 2.0 / (f32(params.rows) * f32(n));
  var s = 0.0;
  for (var c = lid; c < n; c += WG) {
    let d = pred[base + c] - targets[base + c];
    grad[base + c] = scale * d;
    s += d * d;
  }
  let total = reduce_sum(lid, vec2f(s, 0.0)).x;
  if (lid == 0u) {
    let at = ROW_STATS * row;
    row_stats[at] = total / f32(n);
    row_stats[at + 1u] = 0.0;
    row_stats[at + 2u] = 0.0;
  }
}

// out[0] = mean over rows of the row losses; out[1] = number of correct rows (exact below 2^24).
@compute @workgroup_size(WG)
fn loss_reduce(@builtin(local_invocation_index) lid: u32) {
  var acc = vec2f(0.0);
  for (var r = lid; r < params.rows; r += WG) { acc += vec2f(row_stats[ROW_STATS * r], row_stats[ROW_STATS * r + 1u]); }
  let total = reduce_sum(lid, acc);
  if (lid == 0u) {
    out[0] = total.x / f32(params.rows);
    out[1] = total.y;
  }
}
