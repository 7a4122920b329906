// Shape guards shared by the reference ops. Errors say which argument is wrong and what was expected.

export function checkSize(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer (got ${value})`);
  }
}

export function checkLength(a: ArrayLike<number>, expected: number, name: string): void {
  if (a.length !== expected) {
    throw new RangeError(`${name} must have length ${expected} (got ${a.length})`);
  }
}

export function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>, names: string): void {
  if (a.length !== b.length) {
    throw new RangeError(`${names} must have equal lengths (got ${a.length} and ${b.length})`);
  }
}
