// Segment tables (planSegments in src/kernels/reduce.ts), shared by reduce.wgsl and optimizer.wgsl:
// `length` floats from `offset`, reduced by `units` invocations whose partials start at `first_unit`;
// every segment owns at least one unit. Unit k of a segment takes every units-th float (or vec4) from
// the segment's k-th on, so neighbouring invocations read neighbouring memory, which a GPU coalesces and a
// CPU adapter's 4-lane groups read as one run. A module that includes this file declares
// `segs: array<Segment>`.
struct Segment {
  offset: u32,
  length: u32,
  first_unit: u32,
  units: u32,
}

// The last of the first `count` segments whose first unit is at or before unit u.
fn find_segment(u: u32, count: u32) -> u32 {
  var lo = 0u;
  var hi = count;
  while (hi - lo > 1u) {
    let mid = (lo + hi) / 2u;
    if (segs[mid].first_unit <= u) { lo = mid; } else { hi = mid; }
  }
  return lo;
}
