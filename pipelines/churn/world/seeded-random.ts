/**
 * The world's only source of randomness: a seeded PRNG (sfc32, seeded through splitmix32), so every batch, request
 * and label is a pure function of its seed. `Math.random` is never used: a demo run and a failing test must be
 * reproducible from the seed alone.
 */
import { fnv1a } from '../local/stable-hash';

/** splitmix32: spreads a small integer seed over 32 bits, so seeds 1 and 2 give unrelated streams. */
function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A deterministic random stream. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  constructor(readonly seed: number) {
    const init = splitmix32(seed);
    this.a = init();
    this.b = init();
    this.c = init();
    this.d = init();
    for (let i = 0; i < 12; i++) this.nextUint32(); // sfc32's recommended warm-up
  }

  /**
   * An independent stream for one purpose (`fork('traffic')`): adding draws to one part of the world does not
   * change another part's values for the same seed.
   */
  fork(label: string): SeededRandom {
    return new SeededRandom((Math.imul(this.seed, 0x9e3779b1) ^ fnv1a(label)) >>> 0);
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [low, high]. */
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Normal by Box-Muller, the second value kept for the next call. */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + sd * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Poisson by Knuth's method for small means, a rounded normal above 30 (support calls stay small). */
  poisson(mean: number): number {
    if (mean > 30) return Math.max(0, Math.round(this.normal(mean, Math.sqrt(mean))));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** One of `values`, with the given relative weights. */
  weighted<T>(values: readonly T[], weights: readonly number[]): T {
    const total = weights.reduce((sum, w) => sum + w, 0);
    let r = this.next() * total;
    for (let i = 0; i < values.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) return values[i]!;
    }
    return values[values.length - 1]!;
  }

  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.next() * values.length)]!;
  }

  /** A version-4 UUID (RFC 9562 layout) from this stream. */
  uuid(): string {
    const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');
    const a = this.nextUint32();
    const b = this.nextUint32();
    const c = this.nextUint32();
    const d = this.nextUint32();
    const version = 0x4000 | (b & 0x0fff);
    const variant = 0x8000 | ((b >>> 16) & 0x3fff);
    return `${hex(a, 8)}-${hex(c >>> 16, 4)}-${hex(version, 4)}-${hex(variant, 4)}-${hex(c & 0xffff, 4)}${hex(d, 8)}`;
  }
}
