// The option-A shortcut of the CIFAR ResNets (He et al. 2016): where a stage halves the image and
// widens the channels, the skip path takes every second row and column and pads the channels with
// zeros, (Cout − Cin)/2 on each side, so it adds no parameters. NHWC. Backward routes each gradient
// to the pixel and channel it came from; with ADD it accumulates into dx (which the block's main
// path also feeds).
override WG: u32 = 256;
override ADD: bool = false;

struct Params {
  batch: u32,
  H: u32,
  W: u32,
  Cin: u32,
  Ho: u32, // ⌈H/2⌉
  Wo: u32,
  Cout: u32,
  padC: u32, // (Cout − Cin) / 2
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

fn flat_index(g: vec3u, nwg: vec3u) -> u32 {
  return g.x + g.y * nwg.x * WG;
}

// One invocation per output element (n, oy, ox, co).
@compute @workgroup_size(WG)
fn shortcut_forward(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(g, nwg);
  if (i >= params.batch * params.Ho * params.Wo * params.Cout) { return; }
  let co = i % params.Cout;
  let p = i / params.Cout;
  let ox = p % params.Wo;
  let t = p / params.Wo;
  let oy = t % params.Ho;
  let n = t / params.Ho;
  var v = 0.0;
  if (co >= params.padC && co < params.padC + params.Cin) {
    v = src[((n * params.H + 2u * oy) * params.W + 2u * ox) * params.Cin + co - params.padC];
  }
  dst[i] = v;
}

// One invocation per element of dx (n, iy, ix, ci): src is dy.
@compute @workgroup_size(WG)
fn shortcut_backward(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(g, nwg);
  if (i >= params.batch * params.H * params.W * params.Cin) { return; }
  let ci = i % params.Cin;
  let p = i / params.Cin;
  let ix = p % params.W;
  let t = p / params.W;
  let iy = t % params.H;
  let n = t / params.H;
  var v = 0.0;
  if (iy % 2u == 0u && ix % 2u == 0u) {
    v = src[((n * params.Ho + iy / 2u) * params.Wo + ix / 2u) * params.Cout + ci + params.padC];
  }
  if (ADD) { v += dst[i]; }
  dst[i] = v;
}
