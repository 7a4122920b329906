/** Small helpers for lines that carry ANSI colour escapes. */

const ESCAPE = /\x1b\[[0-9;]*m/g;

export const RESET = '\x1b[0m';

/** Foreground colour from the xterm 256-colour table, optionally bold. */
export function fg256(color: number, bold = false): string {
  return `\x1b[0;${bold ? '1;' : ''}38;5;${color}m`;
}

export function stripAnsi(s: string): string {
  return s.replace(ESCAPE, '');
}

/** Columns a line takes on screen: every character used here is one column wide. */
export function visibleLength(s: string): number {
  return stripAnsi(s).length;
}

/** Pad with spaces or cut to exactly `width` columns (plain text only). */
export function fit(s: string, width: number): string {
  return s.length >= width ? s.slice(0, width) : s + ' '.repeat(width - s.length);
}
