/**
 * A seeded generator that gives the same numbers in every JavaScript engine: xoshiro128** on 32-bit
 * integer math (Math.imul), seeded through splitmix32. Streams for different purposes (init, data,
 * shuffling) are forked by label so adding draws to one never shifts another.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** An independent stream named `label` (FNV-1a of the label mixed with this stream's next word). */
  fork(label: string): Rng {
    let h = 0x811c9dc5;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
    return new Rng((h ^ this.nextU32()) >>> 0);
  }

  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(a: T[] | Uint32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }

  /** The generator's whole state (a checkpoint resumes the stream exactly where it was). */
  state(): RngState {
    return { words: [this.s0, this.s1, this.s2, this.s3], spare: this.spare ?? null };
  }

  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = state.words.map((w) => w >>> 0) as [number, number, number, number];
    rng.spare = state.spare ?? undefined;
    return rng;
  }

  fill(out: Float32Array | Float64Array, draw: () => number): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = draw();
    return out;
  }
}

export interface RngState {
  words: readonly [number, number, number, number] | readonly number[];
  spare: number | null;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
