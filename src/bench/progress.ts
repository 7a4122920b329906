/**
 * Overall progress of a suite run, with an estimate of the time left. Pure: the CLI prints it on stderr, the
 * page shows it above the table.
 *
 * Each case comes with a prior (estimate.ts: seconds on the reference adapter, SwiftShader on two cores). As
 * cases finish, the priors are scaled by how this machine compares with the reference so far; a few seconds
 * of prior weight keep the first, quick cases from swinging the estimate.
 */
export interface SuiteProgress {
  /** Cases finished so far (the case running now is number done + 1). */
  done: number;
  total: number;
  /** The case starting now; empty once the run is over. */
  id: string;
  /** Seconds since the run started. */
  elapsedS: number;
  /** Estimated seconds until the last case is done, this one included. */
  remainingS: number;
}

/** Seconds of prior the calibration starts from: the first few seconds of a run barely move the estimate. */
const PRIOR_WEIGHT_S = 20;

/**
 * Seconds left: the priors of the cases not finished, times how much slower (or faster) than their priors the
 * finished ones ran. `estimates` holds every case's prior in run order; `actual` the measured seconds of the
 * first `actual.length` of them.
 */
export function remainingSeconds(estimates: readonly number[], actual: readonly number[]): number {
  const k = Math.min(actual.length, estimates.length);
  let [spent, expected, left] = [0, 0, 0];
  for (let i = 0; i < estimates.length; i++) {
    if (i < k) {
      spent += actual[i]!;
      expected += estimates[i]!;
    } else left += estimates[i]!;
  }
  const pace = (spent + PRIOR_WEIGHT_S) / (expected + PRIOR_WEIGHT_S);
  return left * pace;
}

/** `< 5 s`, `~40 s`, `~3 min`, `~1 h 05 min`: an estimate, so no more precision than it has. */
export function formatRemaining(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 5) return '< 5 s';
  if (seconds < 55) return `~${Math.round(seconds / 5) * 5} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `~${minutes} min`;
  return `~${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** `[12/84] matmul/vec4 512 · ~3 min left`: the case starting now, counted from 1. */
export function progressLine(p: SuiteProgress): string {
  return `[${Math.min(p.done + 1, p.total)}/${p.total}] ${p.id} · ${formatRemaining(p.remainingS)} left`;
}

/** `84 cases in 8 min 12 s` (`1 case in 3.2 s`), the line a run ends with. */
export function finishedLine(total: number, seconds: number): string {
  const cases = `${total} case${total === 1 ? '' : 's'}`;
  if (seconds < 60) return `${cases} in ${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  return `${cases} in ${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * Before a run: how many cases and about how long, and what a quick run would save when it would.
 * `161 cases, ~7 min on a CPU adapter like the reference (less on a GPU); --quick runs 144 in ~3 min`.
 */
export function planLine(full: { cases: number; seconds: number }, quick?: { cases: number; seconds: number }): string {
  const cases = `${full.cases} case${full.cases === 1 ? '' : 's'}`;
  const head = `${cases}, ${formatRemaining(full.seconds)} on a CPU adapter like the reference (less on a GPU)`;
  const worth = quick && quick.cases < full.cases && quick.seconds < 0.8 * full.seconds;
  return worth ? `${head}; --quick runs ${quick.cases} of them in ${formatRemaining(quick.seconds)}` : head;
}
