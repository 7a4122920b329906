// Global average pooling of NHWC images to N×C, forward and backward. The backward pass spreads each
// gradient evenly over the H·W pixels it averaged; with ADD it accumulates into dx instead of writing it.
override WG: u32 = 256;
override ADD: bool = false;

struct Params {
  batch: u32,
  pixels: u32, // H·W
  C: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

fn flat_index(g: vec3u, nwg: vec3u) -> u32 {
  return g.x + g.y * nwg.x * WG;
}

// One invocation per (n, c): neighbouring invocations read neighbouring channels of a pixel.
@compute @workgroup_size(WG)
fn avg_pool_forward(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(g, nwg);
  if (i >= params.batch * params.C) { return; }
  let n = i / params.C;
  let c = i % params.C;
  var acc = 0.0;
  for (var p = 0u; p < params.pixels; p++) { acc += src[(n * params.pixels + p) * params.C + c]; }
  dst[i] = acc / f32(params.pixels);
}

// One invocation per element of dx: src is dy (N×C), dst is dx (NHWC).
@compute @workgroup_size(WG)
fn avg_pool_backward(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(g, nwg);
  if (i >= params.batch * params.pixels * params.C) { return; }
  let c = i % params.C;
  let n = i / (params.pixels * params.C);
  var v = src[n * params.C + c] / f32(params.pixels);
  if (ADD) { v += dst[i]; }
  dst[i] = v;
}
