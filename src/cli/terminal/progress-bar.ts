import { fit } from './ansi.ts';

export interface ProgressState {
  step: number;
  steps: number;
  stepsPerSecond: number;
  loss: number;
  /** Terminal columns; the line is exactly this wide so a `\r` rewrite leaves nothing behind. */
  width: number;
}

const FULL = '█';
const EMPTY = '░';
/** Below this many cells a bar says nothing the percentage does not. */
const MIN_BAR = 5;

/** One line, `  412/1000 [█████░░░░░]  41%  85.3 steps/s  loss 0.6931  eta 7s`, for `\r` updates. */
export function progressBar(p: ProgressState): string {
  const width = Math.max(0, Math.floor(p.width));
  const fraction = p.steps > 0 ? Math.min(1, Math.max(0, p.step / p.steps)) : 1;
  const count = `${String(p.step).padStart(String(p.steps).length)}/${p.steps}`;
  const right = `${String(Math.floor(fraction * 100)).padStart(3)}%  ${rate(p.stepsPerSecond)} steps/s  loss ${lossText(p.loss)}  eta ${eta(p)}`;
  const barWidth = width - count.length - right.length - 4;
  if (barWidth < MIN_BAR) return fit(`${count} ${right}`, width);
  const filled = Math.round(fraction * barWidth);
  return fit(`${count} [${FULL.repeat(filled)}${EMPTY.repeat(barWidth - filled)}] ${right}`, width);
}

function rate(r: number): string {
  if (!Number.isFinite(r) || r <= 0) return '--';
  return r >= 100 ? r.toFixed(0) : r.toPrecision(3);
}

function lossText(loss: number): string {
  if (!Number.isFinite(loss)) return String(loss);
  const a = Math.abs(loss);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? loss.toExponential(2) : loss.toPrecision(4);
}

function eta(p: ProgressState): string {
  if (!Number.isFinite(p.stepsPerSecond) || p.stepsPerSecond <= 0) return '--';
  return duration(Math.max(0, p.steps - p.step) / p.stepsPerSecond);
}

/** 7s, 3m07s, 1h02m. */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}
