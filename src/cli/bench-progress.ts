import { fit } from './terminal/ansi.ts';

/**
 * The bench's progress on stderr, never on stdout (with --json, stdout holds one JSON object and nothing else).
 * On a terminal it is one line rewritten in place, cleared before anything else is printed and drawn again
 * after; elsewhere (a log file, CI) every update is a line of its own.
 */
export class ProgressLine {
  private shown = '';

  constructor(private readonly err: NodeJS.WriteStream = process.stderr) {}

  private get live(): boolean {
    return !!this.err.isTTY;
  }

  show(text: string): void {
    if (!this.live) {
      this.err.write(text + '\n');
      return;
    }
    // One column short of the width: writing the last column makes some terminals wrap.
    this.shown = fit(text, Math.max(20, (this.err.columns || 80) - 1));
    this.err.write(`\r${this.shown}`);
  }

  /** A line of output on `out` (stdout, or stderr with --json), above the progress line. */
  print(out: NodeJS.WritableStream, line: string): void {
    if (this.live && this.shown) this.err.write(`\r${' '.repeat(this.shown.length)}\r`);
    out.write(line + '\n');
    if (this.live && this.shown) this.err.write(this.shown);
  }

  /** The last word: the progress line gives way to `text`. */
  end(text: string): void {
    if (this.live && this.shown) this.err.write(`\r${' '.repeat(this.shown.length)}\r`);
    this.shown = '';
    this.err.write(text + '\n');
  }
}
