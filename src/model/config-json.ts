/**
 * Locates the first syntax error in malformed JSON. JSON.parse's messages and positions differ between
 * engines (V8 often gives none), so a small scanner of the JSON grammar finds the spot the same way
 * everywhere. Only called after JSON.parse has failed.
 */

export interface JsonSyntaxError {
  /** 1-based. */
  line: number;
  column: number;
  reason: string;
}

class Scan {
  pos = 0;
  constructor(readonly text: string) {}

  fail(reason: string): never {
    throw new SyntaxPosition(this.pos, reason);
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  skipSpace(): void {
    while (/[ \t\r\n]/.test(this.peek())) this.pos++;
  }

  expect(char: string, reason: string): void {
    this.skipSpace();
    if (this.peek() !== char) this.fail(reason);
    this.pos++;
  }
}

class SyntaxPosition {
  constructor(readonly pos: number, readonly reason: string) {}
}

function describeFound(scan: Scan): string {
  const c = scan.peek();
  if (c === '') return 'the text ends';
  if (c === '/') return 'found "/" (comments are not allowed in JSON)';
  if (c === "'") return "found ' (JSON strings take double quotes)";
  const word = /^[A-Za-z_]\w*/.exec(scan.text.slice(scan.pos))?.[0];
  if (word !== undefined) return `found ${word}`;
  return `found ${JSON.stringify(c)}`;
}

function scanString(scan: Scan): void {
  scan.pos++; // opening quote
  for (;;) {
    const c = scan.peek();
    if (c === '') scan.fail('a string is not closed');
    if (c === '"') break;
    if (c < ' ') scan.fail('a string holds a raw control character (write \\n, \\t, ...)');
    if (c === '\\') {
      scan.pos++;
      const e = scan.peek();
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(scan.text.slice(scan.pos + 1, scan.pos + 5))) scan.fail('bad \\u escape');
        scan.pos += 4;
      } else if (!'"\\/bfnrt'.includes(e) || e === '') scan.fail('bad escape in a string');
    }
    scan.pos++;
  }
  scan.pos++;
}

function scanNumber(scan: Scan): void {
  const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(scan.text.slice(scan.pos));
  if (match === null) scan.fail(`expected a value, ${describeFound(scan)}`);
  scan.pos += match[0].length;
}

function scanSequence(scan: Scan, close: string, item: () => void, what: string): void {
  scan.pos++;
  scan.skipSpace();
  if (scan.peek() === close) {
    scan.pos++;
    return;
  }
  for (;;) {
    item();
    scan.skipSpace();
    if (scan.peek() === close) break;
    if (scan.peek() !== ',') scan.fail(`expected ',' or '${close}' after ${what}, ${describeFound(scan)}`);
    scan.pos++;
    scan.skipSpace();
    if (scan.peek() === close) scan.fail(`a trailing comma before '${close}' is not allowed in JSON`);
  }
  scan.pos++;
}

function scanMember(scan: Scan): void {
  scan.skipSpace();
  if (scan.peek() !== '"') scan.fail(`expected a property name in double quotes, ${describeFound(scan)}`);
  scanString(scan);
  scan.expect(':', `expected ':' after a property name, ${describeFound(scan)}`);
  scanValue(scan);
}

function scanValue(scan: Scan): void {
  scan.skipSpace();
  const c = scan.peek();
  if (c === '{') return scanSequence(scan, '}', () => scanMember(scan), 'a property value');
  if (c === '[') return scanSequence(scan, ']', () => scanValue(scan), 'an array element');
  if (c === '"') return scanString(scan);
  for (const word of ['true', 'false', 'null']) {
    if (scan.text.startsWith(word, scan.pos)) {
      scan.pos += word.length;
      return;
    }
  }
  scanNumber(scan);
}

function lineAndColumn(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return { line, column: pos - before.lastIndexOf('\n') };
}

export function jsonSyntaxError(text: string): JsonSyntaxError {
  const scan = new Scan(text);
  let found: SyntaxPosition = new SyntaxPosition(text.length, 'the JSON is not valid');
  try {
    scanValue(scan);
    scan.skipSpace();
    if (scan.pos < text.length) scan.fail(`unexpected text after the JSON value, ${describeFound(scan)}`);
  } catch (e) {
    if (!(e instanceof SyntaxPosition)) throw e;
    found = e;
  }
  return { ...lineAndColumn(text, found.pos), reason: found.reason };
}

/**
 * How deeply `[` and `{` nest in JSON text (strings skipped), scanning without recursion; stops counting
 * once past `limit`. Valid or not, the text is only scanned, never parsed.
 */
export function nestingDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      deepest = Math.max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}
