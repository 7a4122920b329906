// A recurrent layer through time (nn.RNN tanh/relu, nn.LSTM gates i, f, g, o, nn.GRU gates r, z, n: PyTorch's
// equations and orders), forward and backward side by side. Batch first, row-major: B samples, T steps, H units,
// G gates (1, 4, 3), GH = G·H; gate g of unit j is column g·H + j. Needs activation_fns.wgsl, sumsq_fns.wgsl and
// gemm_fns.wgsl. The input projection XP = x·W_ihᵀ + b_ih of every step and the dense gradients (dW_ih, dx) are
// plain matmuls; this file holds what runs step by step and the one product that pairs steps:
//   rnn_step_forward   step t: a_g = XP + W_hh·h_{t−1} + b_hh for every (b, j), then the cell. Writes h_t into
//                      hs, the pre-activations over XP in place (pre), and LSTM c_t or GRU hn_t into state.
//   rnn_step_backward  step t, walking T−1 … t0: dh_t = dh_ext + W_hhᵀ·dg_hh(t+1) (+ GRU's z⊙dh_{t+1}), then the
//                      cell's gate gradients; the recurrent product of step t+1 and the cell of step t in one pass.
//   rnn_backward_tail  after the loop: db_ih, db_hh as column sums (zeroing truncated steps' rows on the way),
//                      and ‖dh_t‖ over the batch for every t from the steps' partial sums.
//   rnn_last_forward   hs[b, T−1, :] → last [B×H]: the top layer's last hidden state, what a head reads (its
//                      gradient goes back through rnn_step_backward with EXT_LAST).
//   gemm_*             dW_hh = Σ_t dg_hh(t)ᵀ·h_{t−1}, the GEMM core on a loader that pairs each row with the row before.
//
// Saved by the forward pass for the backward (nothing else is kept):
//   pre   [B×T×GH]  pre-activations (written over XP): rnn a; lstm a_i, a_f, a_g, a_o; gru a_r, a_z and
//                   a_n = XP_n + r⊙hn. Derivatives come from them, not from the activations: σ' and tanh' of an
//                   activation that rounded to 1 would be 0 where the true value is e^(−|a|).
//   hs    [B×T×H]   h_t (also the layer's output; the GRU's backward reads h_{t−1} from it)
//   state [B×T×H]   lstm c_t; gru hn_t = W_hn·h_{t−1} + b_hn; unused by rnn
// Gradients: dg_ih [B×T×GH] w.r.t. the input projection's pre-activations (XP), dg_hh w.r.t. W_hh·h + b_hh. They
// are equal except for the GRU's n block (dg_hh_n = dg_ih_n ⊙ r), so rnn and lstm keep one buffer, dg_ih.
// scratch: 3 floats per (t, block), Blue's three sums of the block's dh_t² (rnn_backward_tail adds them up into
// ‖dh_t‖), then for lstm and gru the carry [B×H] that hands a unit's own gradient from step t+1 to step t, read
// and rewritten by the invocation that owns the unit: lstm dc_{t+1}⊙f_{t+1} (into dc_t), gru z_{t+1}⊙dh_{t+1}
// (into dh_t: the direct path h_{t+1} = … + z⊙h_t, folded into the next step's dh instead of a pass of its own).
//
// A step is one invocation per block of 4 samples × 4 units, so every W_hh load serves 4 samples and every
// h (or dg) load 4 units, with no barriers (SwiftShader runs barriers as coroutines).
override CELL: u32 = 0u;
override PHI: u32 = 2u;         // the rnn cell's φ (ACT_TANH or ACT_RELU; gemm_fns.wgsl has ACT)
override EXT_LAST: bool = false; // backward: dh_ext is [B×H], the gradient at the last step only (a head's)
override WG: u32 = 64u;

// Ids match CELL_IDS in src/kernels/rnn.ts.
const CELL_RNN: u32 = 0u;
const CELL_LSTM: u32 = 1u;
const CELL_GRU: u32 = 2u;

struct Params {
  B: u32,
  T: u32,
  H: u32,
  GH: u32,
  t: u32,           // the step this dispatch runs
  t0: u32,          // the first step backward reaches (T − bptt, or 0)
  blocks: u32,      // ⌈B/4⌉·⌈H/4⌉ invocations per step
  unit_blocks: u32, // ⌈H/4⌉
  out_base: u32,    // rnn_backward_tail: where norm[0] goes in norms
  M: u32,           // gemm: GH, H, B·T
  N: u32,
  K: u32,
}

// Every entry point but the GEMM's binds its parameters at 0 and its tensors from 1 on, as its spec in
// src/kernels/rnn.ts lists them; one slot holds different variables for different entry points.
@group(0) @binding(0) var<uniform> params: Params;
// rnn_step_forward
@group(0) @binding(1) var<storage, read_write> pre: array<f32>;
@group(0) @binding(2) var<storage, read_write> hs: array<f32>;
@group(0) @binding(3) var<storage, read_write> state: array<f32>;
@group(0) @binding(4) var<storage, read> b_hh: array<f32>;
@group(0) @binding(5) var<storage, read> w_hh: array<f32>;
// rnn_step_backward (w_hh at 5, as above)
@group(0) @binding(1) var<storage, read_write> dg_ih: array<f32>;
@group(0) @binding(2) var<storage, read_write> dg_hh: array<f32>;
@group(0) @binding(3) var<storage, read_write> scratch: array<f32>;
@group(0) @binding(4) var<storage, read> pre_in: array<f32>;
@group(0) @binding(6) var<storage, read> hs_in: array<f32>;
@group(0) @binding(7) var<storage, read> state_in: array<f32>;
@group(0) @binding(8) var<storage, read> dh_ext: array<f32>;
// rnn_backward_tail (dg_ih, dg_hh, scratch at 1, 2, 3, as above)
@group(0) @binding(4) var<storage, read_write> db_ih: array<f32>;
@group(0) @binding(5) var<storage, read_write> db_hh: array<f32>;
@group(0) @binding(6) var<storage, read_write> norms: array<f32>;
// rnn_last_forward
@group(0) @binding(1) var<storage, read> last_hs: array<f32>;
@group(0) @binding(2) var<storage, read_write> last: array<f32>;

// A block's 4 samples and 4 units; past the edge they are clamped (results there are dropped).
struct Block {
  b0: u32,
  j0: u32,
  rows: vec4u,
  units: vec4u,
}

fn block_of(id: u32) -> Block {
  let p = params;
  let b0 = (id / p.unit_blocks) * 4u;
  let j0 = (id % p.unit_blocks) * 4u;
  let lane = vec4u(0u, 1u, 2u, 3u);
  return Block(b0, j0, min(vec4u(b0) + lane, vec4u(p.B - 1u)), min(vec4u(j0) + lane, vec4u(p.H - 1u)));
}

// Column c of the result is unit c's, its lanes the 4 samples: acc[c] += v · w[c].
fn outer(v: vec4f, w: vec4f) -> mat4x4f {
  return mat4x4f(v * w.x, v * w.y, v * w.z, v * w.w);
}

fn gather4(i: vec4u) -> vec4f {
  return vec4f(w_hh[i.x], w_hh[i.y], w_hh[i.z], w_hh[i.w]);
}

fn hs4(i: vec4u) -> vec4f {
  return vec4f(hs[i.x], hs[i.y], hs[i.z], hs[i.w]);
}

// The cell at (sample b, unit j, step t) from its hidden terms hh[g] = (W_hh·h_{t−1})[g·H + j].
fn cell_forward(b: u32, j: u32, hh: vec4f) {
  let p = params;
  let s = (b * p.T + p.t) * p.H + j;
  let g = (b * p.T + p.t) * p.GH + j;
  let H = p.H;
  if (CELL == CELL_RNN) {
    let a = pre[g] + hh.x + b_hh[j];
    pre[g] = a;
    hs[s] = act_forward(PHI, a);
  } else if (CELL == CELL_LSTM) {
    let ai = pre[g] + hh.x + b_hh[j];
    let af = pre[g + H] + hh.y + b_hh[H + j];
    let ag = pre[g + 2u * H] + hh.z + b_hh[2u * H + j];
    let ao = pre[g + 3u * H] + hh.w + b_hh[3u * H + j];
    pre[g] = ai;
    pre[g + H] = af;
    pre[g + 2u * H] = ag;
    pre[g + 3u * H] = ao;
    var c_prev = 0.0;
    if (p.t > 0u) { c_prev = state[s - H]; }
    let c = sigmoid(af) * c_prev + sigmoid(ai) * safe_tanh(ag);
    state[s] = c;
    hs[s] = sigmoid(ao) * safe_tanh(c);
  } else {
    let ar = pre[g] + hh.x + b_hh[j];
    let az = pre[g + H] + hh.y + b_hh[H + j];
    let hn = hh.z + b_hh[2u * H + j];
    let an = pre[g + 2u * H] + sigmoid(ar) * hn;
    pre[g] = ar;
    pre[g + H] = az;
    pre[g + 2u * H] = an;
    state[s] = hn;
    var h_prev = 0.0;
    if (p.t > 0u) { h_prev = hs[s - H]; }
    let z = sigmoid(az);
    hs[s] = (1.0 - z) * safe_tanh(an) + z * h_prev;
  }
}

@compute @workgroup_size(WG)
fn rnn_step_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let id = gid.x + gid.y * nwg.x * WG;
  let p = params;
  if (id >= p.blocks) { return; }
  let blk = block_of(id);
  var a0 = mat4x4f();
  var a1 = mat4x4f();
  var a2 = mat4x4f();
  var a3 = mat4x4f();
  if (p.t > 0u) {
    let hrow = (blk.rows * p.T + p.t - 1u) * p.H;
    let wrow = blk.units * p.H;
    let gate = p.H * p.H;
    for (var k = 0u; k < p.H; k++) {
      let hv = hs4(hrow + k);
      let wk = wrow + k;
      a0 += outer(hv, gather4(wk));
      if (CELL != CELL_RNN) {
        a1 += outer(hv, gather4(wk + gate));
        a2 += outer(hv, gather4(wk + 2u * gate));
      }
      if (CELL == CELL_LSTM) { a3 += outer(hv, gather4(wk + 3u * gate)); }
    }
  }
  for (var c = 0u; c < 4u; c++) {
    if (blk.j0 + c >= p.H) { break; }
    for (var r = 0u; r < 4u; r++) {
      if (blk.b0 + r >= p.B) { break; }
      cell_forward(blk.b0 + r, blk.j0 + c, vec4f(a0[c][r], a1[c][r], a2[c][r], a3[c][r]));
    }
  }
}

// The gate gradients that step t+1 hands back through W_hh (dg_ih is dg_hh but for the GRU).
fn dg_next(i: u32) -> f32 {
  if (CELL == CELL_GRU) { return dg_hh[i]; }
  return dg_ih[i];
}

fn dg_next4(i: vec4u) -> vec4f {
  return vec4f(dg_next(i.x), dg_next(i.y), dg_next(i.z), dg_next(i.w));
}

fn external_grad(b: u32, j: u32) -> f32 {
  let p = params;
  if (EXT_LAST) { return select(0.0, dh_ext[b * p.H + j], p.t + 1u == p.T); }
  return dh_ext[(b * p.T + p.t) * p.H + j];
}

// The cell's backward at (sample b, unit j, step t) from dh = ∂L/∂h_t and the carry from step t+1 (lstm's dc part
// from later steps); returns the carry for step t − 1.
fn cell_backward(b: u32, j: u32, dh: f32, carry: f32) -> f32 {
  let p = params;
  let s = (b * p.T + p.t) * p.H + j;
  let g = (b * p.T + p.t) * p.GH + j;
  let H = p.H;
  if (CELL == CELL_RNN) {
    dg_ih[g] = dh * act_grad(PHI, pre_in[g]);
    return 0.0;
  }
  if (CELL == CELL_LSTM) {
    let ai = pre_in[g];
    let af = pre_in[g + H];
    let ag = pre_in[g + 2u * H];
    let ao = pre_in[g + 3u * H];
    let c = state_in[s];
    var c_prev = 0.0;
    if (p.t > 0u) { c_prev = state_in[s - H]; }
    let dc = carry + dh * sigmoid(ao) * act_grad(ACT_TANH, c);
    dg_ih[g] = dc * safe_tanh(ag) * act_grad(ACT_SIGMOID, ai);
    dg_ih[g + H] = dc * c_prev * act_grad(ACT_SIGMOID, af);
    dg_ih[g + 2u * H] = dc * sigmoid(ai) * act_grad(ACT_TANH, ag);
    dg_ih[g + 3u * H] = dh * safe_tanh(c) * act_grad(ACT_SIGMOID, ao);
    return dc * sigmoid(af);
  }
  let ar = pre_in[g];
  let az = pre_in[g + H];
  let an = pre_in[g + 2u * H];
  var h_prev = 0.0;
  if (p.t > 0u) { h_prev = hs_in[s - H]; }
  let z = sigmoid(az);
  let dn = dh * (1.0 - z) * act_grad(ACT_TANH, an);
  let dr = dn * state_in[s] * act_grad(ACT_SIGMOID, ar);
  let dz = dh * (h_prev - safe_tanh(an)) * act_grad(ACT_SIGMOID, az);
  dg_ih[g] = dr;
  dg_hh[g] = dr;
  dg_ih[g + H] = dz;
  dg_hh[g + H] = dz;
  dg_ih[g + 2u * H] = dn;
  dg_hh[g + 2u * H] = dn * sigmoid(ar);
  return dh * z;
}

@compute @workgroup_size(WG)
fn rnn_step_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let id = gid.x + gid.y * nwg.x * WG;
  let p = params;
  if (id >= p.blocks) { return; }
  let blk = block_of(id);
  let later = p.t + 1u < p.T;
  // acc[c][r] = Σ_k dg_hh[b_r, t+1, k] · W_hh[k, j_c]: W_hh's row k, four neighbouring units.
  var acc = mat4x4f();
  if (later) {
    let grow = (blk.rows * p.T + p.t + 1u) * p.GH;
    for (var k = 0u; k < p.GH; k++) {
      acc += outer(dg_next4(grow + k), gather4(blk.units + k * p.H));
    }
  }
  let carries = 3u * p.T * p.blocks;
  var sums = vec3f(0.0);
  for (var c = 0u; c < 4u; c++) {
    let j = blk.j0 + c;
    if (j >= p.H) { break; }
    for (var r = 0u; r < 4u; r++) {
      let b = blk.b0 + r;
      if (b >= p.B) { break; }
      let ci = carries + b * p.H + j;
      var carry = 0.0;
      if (later && CELL != CELL_RNN) { carry = scratch[ci]; }
      var dh = acc[c][r] + external_grad(b, j);
      // GRU: h_{t+1} = … + z⊙h_t hands z⊙dh_{t+1} to h_t directly, unit by unit.
      if (CELL == CELL_GRU) { dh += carry; }
      let next = cell_backward(b, j, dh, carry);
      if (CELL != CELL_RNN) { scratch[ci] = next; }
      sums = blue_add(sums, dh);
    }
  }
  let o = 3u * (p.t * p.blocks + id);
  scratch[o] = sums.x;
  scratch[o + 1u] = sums.y;
  scratch[o + 2u] = sums.z;
}

@compute @workgroup_size(WG)
fn rnn_last_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let id = gid.x + gid.y * nwg.x * WG;
  let p = params;
  if (id >= p.B * p.H) { return; }
  let b = id / p.H;
  last[id] = last_hs[(b * p.T + p.T - 1u) * p.H + id % p.H];
}

// One invocation per gate column (bias gradients) and per step (norms), whichever are in range. Columns walk
// sample by sample, each sample's steps summed apart (shorter runs of rounding); a truncated step's rows are
// zeroed, not read, so the weight GEMMs after this see zeros there.
@compute @workgroup_size(WG)
fn rnn_backward_tail(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let id = gid.x + gid.y * nwg.x * WG;
  let p = params;
  if (id < p.GH) {
    var si = 0.0;
    var sh = 0.0;
    for (var b = 0u; b < p.B; b++) {
      var ri = 0.0;
      var rh = 0.0;
      for (var t = 0u; t < p.T; t++) {
        let k = (b * p.T + t) * p.GH + id;
        if (t < p.t0) {
          dg_ih[k] = 0.0;
          if (CELL == CELL_GRU) { dg_hh[k] = 0.0; }
          continue;
        }
        ri += dg_ih[k];
        if (CELL == CELL_GRU) { rh += dg_hh[k]; }
      }
      si += ri;
      sh += rh;
    }
    db_ih[id] = si;
    db_hh[id] = select(si, sh, CELL == CELL_GRU);
  }
  if (id < p.T) {
    var total = vec3f(0.0);
    if (id >= p.t0) {
      for (var run = 0u; run < p.blocks; run += 64u) {
        var part = vec3f(0.0);
        for (var u = run; u < min(run + 64u, p.blocks); u++) {
          let o = 3u * (id * p.blocks + u);
          part += vec3f(scratch[o], scratch[o + 1u], scratch[o + 2u]);
        }
        total += part;
      }
    }
    norms[p.out_base + id] = blue_norm(total);
  }
}

// dW_hh[GH × H] = Σ_{b, t ≥ 1} dg_hh[b, t]ᵀ · h[b, t − 1] on the GEMM core: K runs over the B·T rows (b, t), and
// the row before row k is (b, t − 1) except where t = 0, which pairs with the zero initial state.
@group(0) @binding(0) var<storage, read> gemm_dg: array<f32>;
@group(0) @binding(1) var<storage, read> gemm_hs: array<f32>;
@group(0) @binding(8) var<uniform> gemm: Params;

fn dim_m() -> u32 { return gemm.M; }
fn dim_n() -> u32 { return gemm.N; }
fn dim_k() -> u32 { return gemm.K; }

fn load_a(m: u32, k: u32) -> f32 {
  return gemm_dg[k * gemm.GH + m];
}

fn load_b(k: u32, n: u32) -> f32 {
  if (k % gemm.T == 0u) { return 0.0; }
  return gemm_hs[(k - 1u) * gemm.H + n];
}
