/**
 * Word wrap for help and diagnosis text: lines break at spaces, never inside a word (a word longer than
 * the line stands alone on its own). `indent` prefixes the first line, `hang` every later one.
 */
export function wrap(text: string, width: number, indent = '', hang = indent): string[] {
  const lines: string[] = [];
  let line = indent;
  let fresh = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!fresh && line.length + 1 + word.length > width) {
      lines.push(line);
      line = hang + word;
    } else {
      line += (fresh ? '' : ' ') + word;
    }
    fresh = false;
  }
  lines.push(line);
  return lines;
}

/** The width to wrap at: the terminal's, else 80 (pipes, files), never narrower than 40. */
export function textWidth(stream: { columns?: number } = process.stdout): number {
  return Math.max(40, Math.min(stream.columns || 80, 120));
}
