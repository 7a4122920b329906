// Gradient clipping (Pascanu, Mikolov & Bengio 2013, "On the difficulty of training RNNs").

function checkMax(max: number, name: string): void {
  if (!(max > 0) || !Number.isFinite(max)) {
    throw new RangeError(`${name} max must be a positive finite number (got ${max})`);
  }
}

/** total = ‖grads‖₂ over every gradient; scale = max/total when total ≥ max, else 1. */
export function clipByNormScale(grads: ArrayLike<number>, max: number): { total: number; scale: number } {
  checkMax(max, 'clipByNormScale');
  let sum = 0;
  for (let i = 0; i < grads.length; i++) sum += grads[i]! * grads[i]!;
  const total = Math.sqrt(sum);
  return { total, scale: total >= max ? max / total : 1 };
}

/** Clamp every element to [-max, max]. */
export function clipByValue(g: ArrayLike<number>, max: number): Float64Array {
  checkMax(max, 'clipByValue');
  return Float64Array.from(g, (v) => Math.min(max, Math.max(-max, v)));
}
