// The training batch, gathered on the GPU from the data set uploaded once: x[i] = X[idx[i]], y[i] = Y[idx[i]].
// Only the B indices of each step cross from the host, so a step allocates and uploads almost nothing.
override WG: u32 = 256;

struct Params {
  rows: u32,   // B
  cols: u32,   // features per row (x) or targets per row (regression y); 1 for class ids
}

@group(0) @binding(0) var<storage, read> index: array<u32>;
@group(0) @binding(1) var<storage, read> src_f32: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst_f32: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src_u32: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst_u32: array<u32>;

fn flat_index(g: vec3u, nwg: vec3u) -> u32 {
  return g.x + g.y * nwg.x * WG;
}

@compute @workgroup_size(WG)
fn gather_rows(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(g, nwg);
  if (i >= params.rows * params.cols) { return; }
  let r = i / params.cols;
  dst_f32[i] = src_f32[index[r] * params.cols + i % params.cols];
}

@compute @workgroup_size(WG)
fn gather_labels(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(g, nwg);
  if (i >= params.rows) { return; }
  dst_u32[i] = src_u32[index[i]];
}
