// A bring-your-own matmul for `gradscope bench --kernel examples/custom-matmul.wgsl`: C = A·B, row-major f32.
// The binding contract (src/bench/custom-kernel.ts): a, b read-only storage; c read-write storage; params uniform;
// entry point `main`; TILE_M × TILE_N elements of C per workgroup (the bench dispatches from them).
override TILE_M: u32 = 8u;
override TILE_N: u32 = 8u;

struct Params {
  M: u32,
  N: u32,
  K: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(TILE_N, TILE_M)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let m = g.y;
  let n = g.x;
  if (m >= params.M || n >= params.N) { return; }
  var acc = 0.0;
  for (var k = 0u; k < params.K; k++) { acc = fma(a[m * params.K + k], b[k * params.N + n], acc); }
  c[m * params.N + n] = acc;
}
