/**
 * Conv weights live OHWI on the GPU (w[co][ky][kx][ci], so a filter's taps for one pixel are contiguous,
 * as NHWC images are) and OIHW in PyTorch and in files. `shape` is PyTorch's [C_out, C_in, KH, KW].
 */
export function ohwiFromOihw(w: Float32Array, shape: readonly number[]): Float32Array {
  return permute(w, shape, 'toOhwi');
}

export function oihwFromOhwi(w: Float32Array, shape: readonly number[]): Float32Array {
  return permute(w, shape, 'toOihw');
}

function permute(w: Float32Array, shape: readonly number[], way: 'toOhwi' | 'toOihw'): Float32Array {
  const [O, I, H, W] = shape as [number, number, number, number];
  if (shape.length !== 4 || w.length !== O * I * H * W) throw new RangeError(`a conv weight of shape [${shape.join(', ')}] needs ${shape.reduce((a, b) => a * b, 1)} values, got ${w.length}`);
  const out = new Float32Array(w.length);
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const oihw = ((o * I + i) * H + y) * W + x;
          const ohwi = ((o * H + y) * W + x) * I + i;
          if (way === 'toOhwi') out[ohwi] = w[oihw]!;
          else out[oihw] = w[ohwi]!;
        }
      }
    }
  }
  return out;
}
