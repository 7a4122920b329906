// Micro-kernels that measure what an adapter can do at best, so other results can say how close they come.
//   peak_fma   independent vec4 multiply-add chains in registers (no memory traffic): GFLOP/s
//   peak_copy  a vec4 copy through storage: GB/s (bytes read + written)
override WG: u32 = 64;
override ITERS: u32 = 512;

struct Params {
  n: u32, // vec4 elements (copy) or invocations (fma)
}

@group(0) @binding(0) var<storage, read> src: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4f>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn peak_fma(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = g.x + g.y * nwg.x * WG;
  if (i >= params.n) { return; }
  // Eight independent chains hide the multiply-add latency; the seed keeps the compiler from folding them.
  let s = f32(i) * 1e-9;
  var a = vec4f(s, s + 1.0, s + 2.0, s + 3.0);
  var b = a + 0.5; var c = a + 1.5; var d = a + 2.5;
  var e = a + 3.5; var f = a + 4.5; var h = a + 5.5; var k = a + 6.5;
  let m = vec4f(0.999999);
  let q = vec4f(1e-7);
  for (var t = 0u; t < ITERS; t++) {
    a = fma(a, m, q); b = fma(b, m, q); c = fma(c, m, q); d = fma(d, m, q);
    e = fma(e, m, q); f = fma(f, m, q); h = fma(h, m, q); k = fma(k, m, q);
  }
  dst[i % arrayLength(&dst)] = a + b + c + d + e + f + h + k;
}

@compute @workgroup_size(WG)
fn peak_copy(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = g.x + g.y * nwg.x * WG;
  if (i >= params.n) { return; }
  dst[i] = src[i];
}
