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

// Image batches from bytes: the training images stay on the GPU as u8 (50,000 CIFAR images as f32
// would take 614 MB), four to a u32 word, little-endian. Out: f32 NHWC, (byte/255 − mean[c]) / std[c].
override AUGMENT: bool = false;

struct ImageParams {
  rows: u32,    // B
  h: u32,
  w: u32,
  c: u32,       // at most 4: mean and std are one vec4 each
  pad: u32,     // crop offsets are drawn from [-pad, pad]
  mean: vec4f,
  stdev: vec4f,
}

@group(0) @binding(3) var<uniform> image: ImageParams;

struct Augment {
  dy: i32,
  dx: i32,
  flip: bool,
}

// PCG hash (Jarzynski & Olano 2020, "Hash Functions for GPU Rendering"); augmentOffsets in src/kernels/data.ts is the same.
fn pcg_hash(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

// Counter-based: sample s of a step depends only on (seed, s), so every adapter draws the same crop and flip.
fn augment_offsets(seed: u32, s: u32, pad: u32) -> Augment {
  let h = pcg_hash(pcg_hash(seed) + s);
  let n = 2u * pad + 1u;
  let r = h >> 1u;
  return Augment(i32(r % n) - i32(pad), i32((r / n) % n) - i32(pad), (h & 1u) == 1u);
}

fn image_byte(b: u32) -> u32 {
  return (src_u32[b >> 2u] >> ((b & 3u) * 8u)) & 0xffu;
}

// With AUGMENT, index holds the B image ids and then the step's seed: the host writes both in one writeBuffer.
@compute @workgroup_size(WG)
fn gather_images_u8(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(g, nwg);
  let hwc = image.h * image.w * image.c;
  if (i >= image.rows * hwc) { return; }
  let s = i / hwc;
  let c = i % image.c;
  let x = (i / image.c) % image.w;
  let y = (i / (image.c * image.w)) % image.h;
  var sy = i32(y);
  var sx = i32(x);
  if (AUGMENT) {
    // Crop, then flip (torchvision's RandomCrop then RandomHorizontalFlip): the flip mirrors the output column.
    let a = augment_offsets(index[image.rows], s, image.pad);
    sy += a.dy;
    sx = i32(select(x, image.w - 1u - x, a.flip)) + a.dx;
  }
  // RandomCrop(padding=4) pads the image with 0 bytes before ToTensor and Normalize, so padding is (0 − mean)/std, not 0.
  var px = 0u;
  if (sy >= 0 && sy < i32(image.h) && sx >= 0 && sx < i32(image.w)) {
    px = image_byte(index[s] * hwc + (u32(sy) * image.w + u32(sx)) * image.c + c);
  }
  dst_f32[i] = (f32(px) / 255.0 - image.mean[c]) / image.stdev[c];
}
