// Where ROW_SUMS's row sums go in every GEMM module but the logged weight gradient's: out2[m] (db = Σ dz).
// gemm_fns.wgsl's kernels call row_sum_out, matmul_vec4 calls row_sum_out_vec4 (it reads A only as vec4s).
fn row_sum_out(m: u32, sum: f32) {
  out2[m] = sum;
}

fn row_sum_out_vec4(m: u32, sum: f32) {
  out2[m] = sum;
}
