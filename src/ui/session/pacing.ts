/**
 * How fast the page trains, as pure functions: steps per animation frame, where records land, and
 * where a run stops. One submit per frame per run, and one record per submit, so the steps a frame
 * runs are also the stride between records.
 */

/** Steps per frame the page offers. Below 1 is slow motion: one step every 1/speed frames. */
export const SPEEDS: readonly number[] = [1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8, 16, 32, 64];
export const DEFAULT_SPEED = 4;
/** The most steps one submit records (the nets are built for it). */
export const MAX_SPEED = 64;

/** "1/8" for slow motion, "4" otherwise. */
export function speedLabel(speed: number): string {
  return speed < 1 ? `1/${Math.round(1 / speed)}` : String(speed);
}

/** The offered speed nearest to `speed` (a typed or stale value never selects an unsupported one). */
export function nearestSpeed(speed: number): number {
  const by = (s: number) => Math.abs(Math.log2(s) - Math.log2(speed > 0 ? speed : DEFAULT_SPEED));
  return SPEEDS.reduce((a, b) => (by(b) < by(a) ? b : a));
}

/** Steps between records at this speed: what one frame runs (1 in slow motion). */
export function logStride(speed: number): number {
  return Math.max(1, Math.min(MAX_SPEED, Math.round(speed)));
}

/**
 * Steps to submit on frame number `frame`: up to the next multiple of the stride, so records land on
 * multiples of it (what `log.every` means in the CLI), and never past `goal`. In slow motion, one step
 * on every (1/speed)-th frame and none on the others. A fresh run's first chunk is one step, so the first
 * record (the depth chart's reference line) shows the network as initialized, and shows it soon.
 */
export function stepsThisFrame(p: { step: number; speed: number; frame: number; goal: number }): number {
  if (p.step >= p.goal) return 0;
  if (p.speed < 1 && p.frame % Math.round(1 / p.speed) !== 0) return 0;
  if (p.step === 0) return 1;
  const stride = logStride(p.speed);
  return Math.min(stride - (p.step % stride), p.goal - p.step);
}

/** The stride the chunk submitted from `step` logs at: the first step of a run is a stride of its own. */
export function chunkStride(step: number, speed: number): number {
  return step === 0 ? 1 : logStride(speed);
}

/** Where a run played from `step` stops: the next multiple of train.steps (Continue extends by train.steps). */
export function nextGoal(step: number, trainSteps: number): number {
  return (Math.floor(step / trainSteps) + 1) * trainSteps;
}
