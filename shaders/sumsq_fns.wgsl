// Exact L2 norms across f32's whole range, shared by every kernel that reports one (reduce, optimizer,
// linear). Squares of |x| below ~1e-19 underflow f32 and those above ~1e19 overflow it, yet the
// vanishing gradients of a deep sigmoid net sit at 1e-20 and below. Blue's scaled sums: entries below
// 2^-50 are summed as (x·2^63)², those above 2^50 as (x·2^-63)², the rest as x². The three sums
// (small, medium, big) travel together as a vec3f and only become one norm at the end (blue_norm).
const T_SMALL: f32 = 8.8817842e-16; // 2^-50
const T_BIG: f32 = 1.1258999e15; // 2^50
const S_SMALL: f32 = 9.2233720e18; // 2^63
const S_BIG: f32 = 1.0842022e-19; // 2^-63

// NaN or ±Inf, by the exponent bits: comparisons with NaN are not reliable in every shader compiler.
fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

fn blue_add(acc: vec3f, x: f32) -> vec3f {
  let a = abs(x);
  if (a < T_SMALL) {
    let y = x * S_SMALL;
    return acc + vec3f(y * y, 0.0, 0.0);
  }
  if (a > T_BIG) {
    let y = x * S_BIG;
    return acc + vec3f(0.0, 0.0, y * y);
  }
  return acc + vec3f(0.0, x * x, 0.0);
}

// The L2 norm the three sums stand for; each branch scales so nothing under- or overflows on the way.
fn blue_norm(acc: vec3f) -> f32 {
  // A NaN or ∞ anywhere wins: every comparison below is false for NaN and would hide it.
  let all = acc.x + acc.y + acc.z;
  if (!is_finite(all)) { return all; }
  if (acc.z > 0.0) { return sqrt(acc.z + acc.y * S_BIG * S_BIG) / S_BIG; }
  if (acc.y > 0.0) { return sqrt(acc.y + (acc.x / S_SMALL) / S_SMALL); }
  return sqrt(acc.x) / S_SMALL;
}

// A one-pass form for kernels that cannot read their values twice (the optimizer overwrites them),
// four lanes at a time and branch-free: Σx², Σ(x·2^63)², Σ(x·2^-63)² and max |x| side by side.
// sumsq4_pick keeps the one sum the largest entry says is exact; the entries it drops are below
// rounding against the ones it keeps.
struct SumSq4 {
  plain: vec4f,
  small: vec4f,
  big: vec4f,
  biggest: vec4f,
}

fn sumsq4_add(acc: ptr<function, SumSq4>, x: vec4f) {
  let small = x * S_SMALL;
  let big = x * S_BIG;
  (*acc).plain = fma(x, x, (*acc).plain);
  (*acc).small = fma(small, small, (*acc).small);
  (*acc).big = fma(big, big, (*acc).big);
  (*acc).biggest = max((*acc).biggest, abs(x));
}

fn sumsq4_pick(acc: SumSq4) -> vec3f {
  let one = vec4f(1.0);
  let biggest = max(max(acc.biggest.x, acc.biggest.y), max(acc.biggest.z, acc.biggest.w));
  if (biggest > 0.0 && biggest < T_SMALL) { return vec3f(dot(acc.small, one), 0.0, 0.0); }
  if (biggest > T_BIG) { return vec3f(0.0, 0.0, dot(acc.big, one)); }
  return vec3f(0.0, dot(acc.plain, one), 0.0);
}

// For kernels that can read their values twice: sum x² plainly while tracking max |x|, and only when that
// maximum says the plain sum under- or overflowed go over the values again, scaled by rescan_scale
// (in vanishing or exploding layers). scaled_sums places the result among Blue's three sums.
fn rescan_scale(biggest: f32) -> f32 {
  if (biggest > 0.0 && biggest < T_SMALL) { return S_SMALL; }
  if (biggest > T_BIG) { return S_BIG; }
  return 0.0;
}

fn scaled_sums(sq: f32, biggest: f32, rescanned: f32) -> vec3f {
  if (biggest > 0.0 && biggest < T_SMALL) { return vec3f(rescanned, 0.0, 0.0); }
  if (biggest > T_BIG) { return vec3f(0.0, 0.0, rescanned); }
  return vec3f(0.0, sq, 0.0);
}
