// Layer norm (per row, over the F features of a sample) and batch norm (per column, over the B samples
// of a feature), forward and backward, on a row-major B×F matrix with γ, β per feature.
// Variances are two-pass (mean first, then the mean squared deviation): E[x²] − E[x]² cancels
// catastrophically in f32 when the mean is large against the spread. For the same reason sums run
// over x − s with s the group's first element (exact by Sterbenz when x is near s), and the backward
// pass corrects the stored, f32-rounded mean by δ = mean(x − mean): with x = 100 + randn the rounding
// of the mean alone is ~4e-6, which a small spread would turn into a visible error in x̂.
// Every sum is a fixed-order tree over the workgroup, so results are bit-for-bit repeatable.
//
// Row kernels run one workgroup per row; column kernels one workgroup per COLS adjacent columns, with
// WG / COLS lanes striding down the rows (adjacent lanes read adjacent addresses). Layer norm also comes
// as `_rows` / `_cols` entry points: one invocation per row (or column) with sequential sums and no
// barriers, for short rows, where a workgroup per row pays for its barriers whatever the row's length;
// batch norm likewise as `_cols`, one invocation per column (src/kernels/tunables.ts chooses).
// Bindings: each entry point's interface is dense from 0; entry points that read what another writes
// (mean, rstd, running stats) declare their own variable at the same binding.
override WG: u32 = 256; // threads per workgroup, a power of two
override COLS: u32 = 16; // columns per workgroup in the column kernels, a power of two dividing WG
override EPS: f32 = 1e-5;
override MOMENTUM: f32 = 0.1;
// The one-invocation kernels sum in runs of RUN elements and then add the runs: the rounding error of a
// sum over 4,096 elements grows like 64 + 64 additions, not 4,096.
const RUN: u32 = 64u;

struct Params {
  rows: u32, // B
  cols: u32, // F
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
// Forward (training) and eval.
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> mean_out: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd_out: array<f32>;
@group(0) @binding(7) var<storage, read_write> running_mean: array<f32>;
@group(0) @binding(8) var<storage, read_write> running_var: array<f32>;
@group(0) @binding(5) var<storage, read> running_mean_in: array<f32>;
@group(0) @binding(6) var<storage, read> running_var_in: array<f32>;
// Backward.
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;
@group(0) @binding(5) var<storage, read> mean: array<f32>;
@group(0) @binding(6) var<storage, read> rstd: array<f32>;
@group(0) @binding(7) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(8) var<storage, read_write> dbeta: array<f32>;

var<workgroup> red: array<vec4f, WG>;

fn group_index(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x;
}

// Sum of v over the whole workgroup (up to four quantities at once), returned to every thread.
fn reduce_row(lid: u32, v: vec4f) -> vec4f {
  red[lid] = v;
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (lid < s) { red[lid] += red[lid + s]; }
  }
  workgroupBarrier();
  let total = red[0];
  workgroupBarrier(); // red is reused by the next reduction
  return total;
}

// Sum of v over the lanes of column lane `lx` (lane ly of WG / COLS), returned to each of them.
fn reduce_col(lx: u32, ly: u32, v: vec4f) -> vec4f {
  let i = ly * COLS + lx;
  red[i] = v;
  for (var s = WG / COLS / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (ly < s) { red[i] += red[i + s * COLS]; }
  }
  workgroupBarrier();
  let total = red[lx];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(WG)
fn layer_norm_forward(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
                      @builtin(num_workgroups) nwg: vec3u) {
  let row = group_index(wid, nwg);
  if (row >= params.rows) { return; } // whole workgroups only: barriers stay uniform
  let n = params.cols;
  let base = row * n;
  let shift = x[base];
  var s = 0.0;
  for (var c = lid; c < n; c += WG) { s += x[base + c] - shift; }
  let mu = reduce_row(lid, vec4f(s, 0.0, 0.0, 0.0)).x / f32(n); // mean − shift
  var q = 0.0;
  for (var c = lid; c < n; c += WG) { let d = (x[base + c] - shift) - mu; q += d * d; }
  let r = inverseSqrt(reduce_row(lid, vec4f(q, 0.0, 0.0, 0.0)).x / f32(n) + EPS);
  for (var c = lid; c < n; c += WG) { y[base + c] = ((x[base + c] - shift) - mu) * r * gamma[c] + beta[c]; }
  if (lid == 0u) {
    mean_out[row] = shift + mu;
    rstd_out[row] = r;
  }
}

// dx = rstd·(d − mean(d) − x̂·mean(d·x̂)) over the row, with d = dy·γ.
@compute @workgroup_size(WG)
fn layer_norm_backward(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
                       @builtin(num_workgroups) nwg: vec3u) {
  let row = group_index(wid, nwg);
  if (row >= params.rows) { return; }
  let n = params.cols;
  let base = row * n;
  let mu = mean[row];
  let r = rstd[row];
  var acc = vec4f(0.0);
  for (var c = lid; c < n; c += WG) {
    let d = dy[base + c] * gamma[c];
    let xc = x[base + c] - mu;
    acc += vec4f(d, d * xc, xc, 0.0);
  }
  let m = reduce_row(lid, acc) / f32(n); // mean(d), mean(d·(x − µ)), δ
  let mean_dxhat = (m.y - m.z * m.x) * r;
  for (var c = lid; c < n; c += WG) {
    let xhat = (x[base + c] - mu - m.z) * r;
    dx[base + c] = r * (dy[base + c] * gamma[c] - m.x - xhat * mean_dxhat);
  }
}

// dγ = Σ_rows dy·x̂ and dβ = Σ_rows dy, with x̂ from the per-row statistics.
@compute @workgroup_size(COLS, WG / COLS)
fn layer_norm_backward_params(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
                              @builtin(num_workgroups) nwg: vec3u) {
  let c0 = group_index(wid, nwg) * COLS;
  if (c0 >= params.cols) { return; }
  let n = params.cols;
  let c = c0 + lid.x;
  var acc = vec4f(0.0);
  if (c < n) {
    for (var r = lid.y; r < params.rows; r += WG / COLS) {
      let g = dy[r * n + c];
      acc += vec4f(g * (x[r * n + c] - mean[r]) * rstd[r], g, 0.0, 0.0);
    }
  }
  let total = reduce_col(lid.x, lid.y, acc);
  if (lid.y == 0u && c < n) {
    dgamma[c] = total.x;
    dbeta[c] = total.y;
  }
}

// One invocation per row: the arithmetic of layer_norm_forward with sequential sums.
@compute @workgroup_size(WG)
fn layer_norm_forward_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = gid.x + gid.y * nwg.x * WG;
  if (row >= params.rows) { return; }
  let n = params.cols;
  let base = row * n;
  let shift = x[base];
  var s = 0.0;
  for (var c0 = 0u; c0 < n; c0 += RUN) {
    var part = 0.0;
    for (var c = c0; c < min(c0 + RUN, n); c++) { part += x[base + c] - shift; }
    s += part;
  }
  let mu = s / f32(n);
  var q = 0.0;
  for (var c0 = 0u; c0 < n; c0 += RUN) {
    var part = 0.0;
    for (var c = c0; c < min(c0 + RUN, n); c++) { let d = (x[base + c] - shift) - mu; part += d * d; }
    q += part;
  }
  let r = inverseSqrt(q / f32(n) + EPS);
  for (var c = 0u; c < n; c++) { y[base + c] = ((x[base + c] - shift) - mu) * r * gamma[c] + beta[c]; }
  mean_out[row] = shift + mu;
  rstd_out[row] = r;
}

// One invocation per row: the arithmetic of layer_norm_backward with sequential sums.
@compute @workgroup_size(WG)
fn layer_norm_backward_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = gid.x + gid.y * nwg.x * WG;
  if (row >= params.rows) { return; }
  let n = params.cols;
  let base = row * n;
  let mu = mean[row];
  let r = rstd[row];
  var acc = vec3f(0.0);
  for (var c0 = 0u; c0 < n; c0 += RUN) {
    var part = vec3f(0.0);
    for (var c = c0; c < min(c0 + RUN, n); c++) {
      let d = dy[base + c] * gamma[c];
      let xc = x[base + c] - mu;
      part += vec3f(d, d * xc, xc);
    }
    acc += part;
  }
  let m = acc / f32(n); // mean(d), mean(d·(x − µ)), δ
  let mean_dxhat = (m.y - m.z * m.x) * r;
  for (var c = 0u; c < n; c++) {
    let xhat = (x[base + c] - mu - m.z) * r;
    dx[base + c] = r * (dy[base + c] * gamma[c] - m.x - xhat * mean_dxhat);
  }
}

// One invocation per column (adjacent invocations, adjacent columns): dγ and dβ as layer_norm_backward_params.
@compute @workgroup_size(WG)
fn layer_norm_backward_params_cols(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let c = gid.x + gid.y * nwg.x * WG;
  let n = params.cols;
  if (c >= n) { return; }
  var acc = vec2f(0.0);
  for (var r0 = 0u; r0 < params.rows; r0 += RUN) {
    var part = vec2f(0.0);
    for (var r = r0; r < min(r0 + RUN, params.rows); r++) {
      let g = dy[r * n + c];
      part += vec2f(g * (x[r * n + c] - mean[r]) * rstd[r], g);
    }
    acc += part;
  }
  dgamma[c] = acc.x;
  dbeta[c] = acc.y;
}

// Training mode: batch statistics per column; running stats move toward the batch mean and the
// unbiased variance (PyTorch; the biased one when B = 1, where the unbiased is undefined).
@compute @workgroup_size(COLS, WG / COLS)
fn batch_norm_forward_train(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
                            @builtin(num_workgroups) nwg: vec3u) {
  let c0 = group_index(wid, nwg) * COLS;
  if (c0 >= params.cols) { return; }
  let n = params.cols;
  let b = params.rows;
  let c = c0 + lid.x;
  let live = c < n;
  let shift = x[min(c, n - 1u)];
  var s = 0.0;
  if (live) { for (var r = lid.y; r < b; r += WG / COLS) { s += x[r * n + c] - shift; } }
  let mu = reduce_col(lid.x, lid.y, vec4f(s, 0.0, 0.0, 0.0)).x / f32(b); // mean − shift
  var q = 0.0;
  if (live) { for (var r = lid.y; r < b; r += WG / COLS) { let d = (x[r * n + c] - shift) - mu; q += d * d; } }
  let variance = reduce_col(lid.x, lid.y, vec4f(q, 0.0, 0.0, 0.0)).x / f32(b);
  if (!live) { return; } // no barrier follows
  let rs = inverseSqrt(variance + EPS);
  for (var r = lid.y; r < b; r += WG / COLS) { y[r * n + c] = ((x[r * n + c] - shift) - mu) * rs * gamma[c] + beta[c]; }
  if (lid.y == 0u) {
    mean_out[c] = shift + mu;
    rstd_out[c] = rs;
    let unbiased = select(variance, variance * f32(b) / f32(b - 1u), b > 1u);
    running_mean[c] = (1.0 - MOMENTUM) * running_mean[c] + MOMENTUM * (shift + mu);
    running_var[c] = (1.0 - MOMENTUM) * running_var[c] + MOMENTUM * unbiased;
  }
}

// One invocation per column (adjacent invocations, adjacent columns): batch_norm_forward_train's
// arithmetic with sequential sums.
@compute @workgroup_size(WG)
fn batch_norm_forward_train_cols(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let c = gid.x + gid.y * nwg.x * WG;
  let n = params.cols;
  let b = params.rows;
  if (c >= n) { return; }
  let shift = x[c];
  var s = 0.0;
  for (var r0 = 0u; r0 < b; r0 += RUN) {
    var part = 0.0;
    for (var r = r0; r < min(r0 + RUN, b); r++) { part += x[r * n + c] - shift; }
    s += part;
  }
  let mu = s / f32(b);
  var q = 0.0;
  for (var r0 = 0u; r0 < b; r0 += RUN) {
    var part = 0.0;
    for (var r = r0; r < min(r0 + RUN, b); r++) { let d = (x[r * n + c] - shift) - mu; part += d * d; }
    q += part;
  }
  let variance = q / f32(b);
  let rs = inverseSqrt(variance + EPS);
  for (var r = 0u; r < b; r++) { y[r * n + c] = ((x[r * n + c] - shift) - mu) * rs * gamma[c] + beta[c]; }
  mean_out[c] = shift + mu;
  rstd_out[c] = rs;
  let unbiased = select(variance, variance * f32(b) / f32(b - 1u), b > 1u);
  running_mean[c] = (1.0 - MOMENTUM) * running_mean[c] + MOMENTUM * (shift + mu);
  running_var[c] = (1.0 - MOMENTUM) * running_var[c] + MOMENTUM * unbiased;
}

// Eval mode: elementwise with the running statistics.
@compute @workgroup_size(WG)
fn batch_norm_forward_eval(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = g.x + g.y * nwg.x * WG;
  if (i >= params.rows * params.cols) { return; }
  let c = i % params.cols;
  y[i] = (x[i] - running_mean_in[c]) * inverseSqrt(running_var_in[c] + EPS) * gamma[c] + beta[c];
}

// Same formula as layer_norm_backward along columns; Σd = γ·dβ and Σd·x̂ = γ·dγ come for free.
@compute @workgroup_size(COLS, WG / COLS)
fn batch_norm_backward(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u,
                       @builtin(num_workgroups) nwg: vec3u) {
  let c0 = group_index(wid, nwg) * COLS;
  if (c0 >= params.cols) { return; }
  let n = params.cols;
  let b = params.rows;
  let c = c0 + lid.x;
  let live = c < n;
  let mu = mean[min(c, n - 1u)];
  var acc = vec4f(0.0);
  if (live) {
    for (var r = lid.y; r < b; r += WG / COLS) {
      let g = dy[r * n + c];
      let xc = x[r * n + c] - mu;
      acc += vec4f(g * xc, g, xc, 0.0);
    }
  }
  let total = reduce_col(lid.x, lid.y, acc); // Σ dy·(x − µ), Σ dy, Σ (x − µ)
  if (!live) { return; }
  let rs = rstd[c];
  let delta = total.z / f32(b);
  let sum_dy_xhat = (total.x - delta * total.y) * rs;
  let mean_d = gamma[c] * total.y / f32(b);
  let mean_dxhat = gamma[c] * sum_dy_xhat / f32(b);
  for (var r = lid.y; r < b; r += WG / COLS) {
    let xhat = (x[r * n + c] - mu - delta) * rs;
    dx[r * n + c] = rs * (dy[r * n + c] * gamma[c] - mean_d - xhat * mean_dxhat);
  }
  if (lid.y == 0u) {
    dgamma[c] = sum_dy_xhat;
    dbeta[c] = total.y;
  }
}

// One invocation per column: batch_norm_backward's arithmetic with sequential sums.
@compute @workgroup_size(WG)
fn batch_norm_backward_cols(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let c = gid.x + gid.y * nwg.x * WG;
  let n = params.cols;
  let b = params.rows;
  if (c >= n) { return; }
  let mu = mean[c];
  var total = vec3f(0.0); // Σ dy·(x − µ), Σ dy, Σ (x − µ)
  for (var r0 = 0u; r0 < b; r0 += RUN) {
    var part = vec3f(0.0);
    for (var r = r0; r < min(r0 + RUN, b); r++) {
      let g = dy[r * n + c];
      let xc = x[r * n + c] - mu;
      part += vec3f(g * xc, g, xc);
    }
    total += part;
  }
  let rs = rstd[c];
  let delta = total.z / f32(b);
  let sum_dy_xhat = (total.x - delta * total.y) * rs;
  let mean_d = gamma[c] * total.y / f32(b);
  let mean_dxhat = gamma[c] * sum_dy_xhat / f32(b);
  for (var r = 0u; r < b; r++) {
    let xhat = (x[r * n + c] - mu - delta) * rs;
    dx[r * n + c] = rs * (dy[r * n + c] * gamma[c] - mean_d - xhat * mean_dxhat);
  }
  dgamma[c] = sum_dy_xhat;
  dbeta[c] = total.y;
}
