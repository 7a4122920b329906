// Activations φ and their derivatives φ', shared by the elementwise kernels and matmul epilogues.
// Ids match ACTIVATION_IDS in src/kernels/activation.ts.
const ACT_LINEAR: u32 = 0u;
const ACT_SIGMOID: u32 = 1u;
const ACT_TANH: u32 = 2u;
const ACT_RELU: u32 = 3u;
const ACT_LEAKY_RELU: u32 = 4u;
const ACT_GELU: u32 = 5u;
const LEAKY_SLOPE: f32 = 0.01;
const INV_SQRT2: f32 = 0.70710678118654752;
const INV_SQRT_2PI: f32 = 0.39894228040143268;

// erfc by Numerical Recipes' Chebyshev fit: relative error below 1.2e-7 everywhere, i.e. f32 precision.
fn erfc_approx(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let p = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
        + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = t * exp(p);
  return select(2.0 - r, r, x >= 0.0);
}

// Φ(x), the standard normal CDF, without cancellation for negative x.
fn normal_cdf(x: f32) -> f32 {
  return 0.5 * erfc_approx(-x * INV_SQRT2);
}

fn sigmoid(u: f32) -> f32 {
  return 1.0 / (1.0 + exp(-u));
}

// Some backends compute tanh as a ratio of exponentials that overflows to NaN; beyond ±20 it is ±1 in f32.
fn safe_tanh(u: f32) -> f32 {
  return tanh(clamp(u, -20.0, 20.0));
}

fn act_forward(kind: u32, u: f32) -> f32 {
  switch kind {
    case ACT_SIGMOID: { return sigmoid(u); }
    case ACT_TANH: { return safe_tanh(u); }
    case ACT_RELU: { return max(u, 0.0); }
    case ACT_LEAKY_RELU: { return select(LEAKY_SLOPE * u, u, u > 0.0); }
    case ACT_GELU: { return u * normal_cdf(u); }
    default: { return u; }
  }
}

// φ'(u); at the kinks of relu and leaky_relu (u = 0) the left derivative, as PyTorch does.
fn act_grad(kind: u32, u: f32) -> f32 {
  switch kind {
    // e/(1+e)² and 4e/(1+e)² with e = exp(-|u|) (resp. exp(-2|u|)) equal σ(1−σ) and 1−tanh², without
    // their cancellation in the tails, where the saturation statistics and deep products live.
    case ACT_SIGMOID: { let e = exp(-abs(u)); let d = 1.0 + e; return e / (d * d); }
    case ACT_TANH: { let e = exp(-2.0 * abs(u)); let d = 1.0 + e; return 4.0 * e / (d * d); }
    case ACT_RELU: { return select(0.0, 1.0, u > 0.0); }
    case ACT_LEAKY_RELU: { return select(LEAKY_SLOPE, 1.0, u > 0.0); }
    case ACT_GELU: { return normal_cdf(u) + u * INV_SQRT_2PI * exp(-0.5 * u * u); }
    default: { return 1.0; }
  }
}
