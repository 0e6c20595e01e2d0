/**
 * Uniqueness in compact hashes: each distinct value is a 64-bit hash in an open-addressing table of 32-bit pairs
 * (linear probing, at most 75 % full), 8 bytes per slot and no string kept. A Set of strings costs 60-100 bytes per
 * value and a string allocation per row; this table costs 10.7 to 21 bytes per value (16 on average) and none.
 * Dense integers (sequential ids) take 1 bit each in a bitmap instead.
 *
 * Two values are taken as equal when their 64-bit hashes are: with n distinct values a false duplicate has a
 * probability of about n^2 / 2^65 (10 million values: 3e-6).
 *
 * Memory is bounded: past `maxKeys` distinct values the table is dropped and the check reported "not evaluated"
 * (the choice between a limit and spilling to disk: a limit, since Lambda's /tmp is small and slow).
 */

/** Computes a 64-bit hash of bytes or of a number as two 32-bit halves, without allocating. */
export class Hasher {
  public h1 = 0;
  public h2 = 0;
  private readonly f64 = new Float64Array(1);
  private readonly u32 = new Uint32Array(this.f64.buffer);

  /** Two murmur3-style lanes with different seeds and constants, 4 bytes per step. */
  bytes(buf: Uint8Array, start: number, end: number): void {
    const len = end - start;
    let a = 0x9747b28c ^ len;
    let b = 0x3c6ef372 ^ Math.imul(len, 0x85ebca6b);
    let i = start;
    for (const last = end - 3; i < last; i += 4) {
      let k = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
      let j = Math.imul(k, 0x1b873593);
      k = Math.imul(k, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      a ^= Math.imul(k, 0x1b873593);
      a = (a << 13) | (a >>> 19);
      a = (Math.imul(a, 5) + 0xe6546b64) | 0;
      j = (j << 17) | (j >>> 15);
      b ^= Math.imul(j, 0xcc9e2d51);
      b = (b << 11) | (b >>> 21);
      b = (Math.imul(b, 9) + 0x7fb5d329) | 0;
    }
    const rest = end - i;
    if (rest > 0) {
      let k = buf[i]!;
      if (rest > 1) k |= buf[i + 1]! << 8;
      if (rest > 2) k |= buf[i + 2]! << 16;
      let t = Math.imul(k, 0xcc9e2d51);
      t = (t << 15) | (t >>> 17);
      a ^= Math.imul(t, 0x1b873593);
      b ^= Math.imul(k, 0x2545f491);
    }
    this.finish(a, b);
  }

  /** The hash of a number (its IEEE-754 bits, -0 as 0), so `7`, `7.0` and `07` are the same key. */
  number(value: number): void {
    this.f64[0] = value === 0 ? 0 : value;
    this.finish(this.u32[0]! ^ 0x2c1b3c6d, this.u32[1]! ^ 0x297a2d39);
  }

  /** Mixes both halves into both (each value of one half with the other fixed gives a distinct pair). */
  private finish(a: number, b: number): void {
    let h1 = a ^ ((b << 16) | (b >>> 16)) ^ Math.imul(b, 0x85ebca6b);
    h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
    h1 = Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
    h1 ^= h1 >>> 16;
    let h2 = b ^ Math.imul(h1, 0x27d4eb2f);
    h2 = Math.imul(h2 ^ (h2 >>> 15), 0x2c1b3c6d);
    h2 = Math.imul(h2 ^ (h2 >>> 12), 0x297a2d39);
    h2 ^= h2 >>> 15;
    this.h1 = h1;
    // (0, 0) marks an empty slot.
    this.h2 = (h1 | h2) === 0 ? 1 : h2;
  }
}

/** The transferable state of a table (its arrays move between threads without a copy). */
export interface UniquenessState {
  readonly slots: Int32Array;
  readonly hashed: number;
  readonly bits: Uint32Array | null;
  readonly bitsLow: number;
  readonly bitCount: number;
  readonly integersHashed: boolean;
  readonly overflowed: boolean;
}

const MAX_LOAD = 0.75;
/** A bitmap may take this much memory whatever the keys (then at most 32 bytes of bitmap per distinct key). */
const BITMAP_FREE_BYTES = 1 << 20;
const BITMAP_MAX_BYTES = 64 << 20;
const hasher = new Hasher();

/** Set bits of a 32-bit word. */
function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * A set of keys with a bound on its size: 64-bit hashes in an open-addressing table, and integers in a bitmap while
 * they are dense enough (sequential ids, the usual primary key: 1 bit per value instead of 16 bytes, and cache-friendly
 * instead of a cache miss per row). Integers too sparse for the bitmap go to the hash table, by the hash of their
 * value, so an integer is the same key in either form and any two tables can be merged.
 */
export class UniquenessTable {
  private slots: Int32Array;
  private mask: number;
  private growAt: number;
  /** Keys in the hash table. */
  private hashed = 0;
  private bits: Uint32Array | null = null;
  /** The integer of bit 0 (a multiple of 32). */
  private bitsLow = 0;
  private bitCount = 0;
  /** Integers are hashed (the bitmap was too sparse, or never used). */
  private integersHashed = false;
  /** More than `maxKeys` distinct values were seen: the table was dropped. */
  public overflowed = false;

  constructor(
    public readonly maxKeys: number,
    initialCapacity = 1 << 12,
  ) {
    this.slots = new Int32Array(initialCapacity * 2);
    this.mask = initialCapacity - 1;
    this.growAt = Math.floor(initialCapacity * MAX_LOAD);
  }

  /** Whether integers go to the bitmap (cache-friendly: no need to batch their inserts). */
  get integersInBitmap(): boolean {
    return !this.integersHashed;
  }

  /** Distinct keys held. */
  get size(): number {
    return this.hashed + this.bitCount;
  }

  /** Adds a hash; false when it was already there (a duplicate). After an overflow, always true. */
  add(h1: number, h2: number): boolean {
    if (this.overflowed) return true;
    const slots = this.slots;
    const mask = this.mask;
    let i = h1 & mask;
    for (;;) {
      const j = i << 1;
      const a = slots[j]!;
      const b = slots[j + 1]!;
      if (a === 0 && b === 0) break;
      if (a === h1 && b === h2) return false;
      i = (i + 1) & mask;
    }
    if (this.size >= this.maxKeys) {
      this.drop();
      return true;
    }
    slots[i << 1] = h1;
    slots[(i << 1) + 1] = h2;
    if (++this.hashed > this.growAt) this.grow();
    return true;
  }

  /** Adds a safe integer; false when it was already there. */
  addInteger(value: number): boolean {
    if (this.overflowed) return true;
    if (!this.integersHashed) {
      let offset = value - this.bitsLow;
      const bits = this.bits;
      if (bits === null || offset < 0 || offset >= bits.length * 32) {
        this.extendBitmap(value);
        if (this.integersHashed) return this.addInteger(value);
        offset = value - this.bitsLow;
      }
      const words = this.bits!;
      const word = offset >>> 5;
      const bit = 1 << (offset & 31);
      if ((words[word]! & bit) !== 0) return false;
      if (this.size >= this.maxKeys) {
        this.drop();
        return true;
      }
      words[word] = words[word]! | bit;
      this.bitCount++;
      return true;
    }
    hasher.number(value);
    return this.add(hasher.h1, hasher.h2);
  }

  /** Whether a hash is in the table. */
  has(h1: number, h2: number): boolean {
    const slots = this.slots;
    const mask = this.mask;
    let i = h1 & mask;
    for (;;) {
      const j = i << 1;
      const a = slots[j]!;
      const b = slots[j + 1]!;
      if (a === 0 && b === 0) return false;
      if (a === h1 && b === h2) return true;
      i = (i + 1) & mask;
    }
  }

  /** Whether a safe integer is in the table. */
  hasInteger(value: number): boolean {
    if (!this.integersHashed) {
      const bits = this.bits;
      const offset = value - this.bitsLow;
      if (bits === null || offset < 0 || offset >= bits.length * 32) return false;
      return (bits[offset >>> 5]! & (1 << (offset & 31))) !== 0;
    }
    hasher.number(value);
    return this.has(hasher.h1, hasher.h2);
  }

  /**
   * Adds every key of `other` and returns how many were already here: the duplicates between two byte ranges,
   * which neither range could see alone.
   */
  merge(other: UniquenessTable): number {
    if (other.overflowed) this.drop();
    if (this.overflowed) return 0;
    if (other.integersHashed) this.hashIntegers();
    let duplicates = 0;
    const common = this.mergeBitmap(other);
    if (common >= 0) duplicates = common;
    else {
      other.forEachInteger((v) => {
        if (!this.addInteger(v)) duplicates++;
      });
    }
    other.forEachHash((a, b) => {
      if (!this.add(a, b)) duplicates++;
    });
    return this.overflowed ? 0 : duplicates;
  }

  /**
   * ORs `other`'s bitmap into this one, a word at a time (its keys one by one took 20-90 ms per byte range of the
   * benchmark, on the main thread while the workers run) and returns the keys both had; -1, with nothing changed,
   * when this table's integers are hashed or the union would be too sparse for a bitmap (then they are added one by
   * one).
   */
  private mergeBitmap(other: UniquenessTable): number {
    const theirs = other.bits;
    if (this.integersHashed || theirs === null) return -1;
    const mine = this.bits;
    const low = mine === null ? other.bitsLow : Math.min(this.bitsLow, other.bitsLow);
    const high = Math.max(
      mine === null ? -Infinity : this.bitsLow + mine.length * 32,
      other.bitsLow + theirs.length * 32,
    );
    const bytes = (high - low) / 8;
    if (bytes > BITMAP_MAX_BYTES || bytes > Math.max(BITMAP_FREE_BYTES, 32 * (this.bitCount + other.bitCount))) {
      return -1;
    }
    let words = mine;
    if (mine === null || low < this.bitsLow || high > this.bitsLow + mine.length * 32) {
      words = new Uint32Array((high - low) / 32);
      if (mine !== null) words.set(mine, (this.bitsLow - low) / 32);
      this.bits = words;
      this.bitsLow = low;
    }
    const at = (other.bitsLow - this.bitsLow) / 32;
    let common = 0;
    let added = 0;
    for (let w = 0; w < theirs.length; w++) {
      const t = theirs[w]!;
      if (t === 0) continue;
      const m = words![at + w]!;
      common += popcount(m & t);
      added += popcount(t & ~m);
      words![at + w] = m | t;
    }
    this.bitCount += added;
    // The same verdict as adding the keys one by one: past the limit the table is dropped.
    if (this.size > this.maxKeys) this.drop();
    return common;
  }

  /** How many keys of `other` are here (may move this table's integers to the hash table first). */
  countCommon(other: UniquenessTable): number {
    if (other.integersHashed) this.hashIntegers();
    let common = 0;
    const mine = this.bits;
    const theirs = other.bits;
    if (!this.integersHashed && theirs !== null) {
      // A bitmap here too (or no integer at all): a word at a time over their overlap.
      const from = mine === null ? 0 : Math.max(this.bitsLow, other.bitsLow);
      const to = mine === null ? 0 : Math.min(this.bitsLow + mine.length * 32, other.bitsLow + theirs.length * 32);
      const a = (from - this.bitsLow) / 32;
      const b = (from - other.bitsLow) / 32;
      for (let w = 0; w < (to - from) / 32; w++) common += popcount(mine![a + w]! & theirs[b + w]!);
    } else {
      other.forEachInteger((v) => {
        if (this.hasInteger(v)) common++;
      });
    }
    other.forEachHash((a, b) => {
      if (this.has(a, b)) common++;
    });
    return common;
  }

  private forEachHash(f: (h1: number, h2: number) => void): void {
    const slots = this.slots;
    for (let j = 0; j < slots.length; j += 2) {
      const a = slots[j]!;
      const b = slots[j + 1]!;
      if (a !== 0 || b !== 0) f(a, b);
    }
  }

  private forEachInteger(f: (value: number) => void): void {
    const bits = this.bits;
    if (bits === null) return;
    for (let w = 0; w < bits.length; w++) {
      let word = bits[w]!;
      while (word !== 0) {
        const low = word & -word;
        f(this.bitsLow + w * 32 + (31 - Math.clz32(low)));
        word ^= low;
      }
    }
  }

  /** Bytes held by the table. */
  get byteLength(): number {
    return this.slots.byteLength + (this.bits === null ? 0 : this.bits.byteLength);
  }

  toState(): UniquenessState {
    return {
      slots: this.slots,
      hashed: this.hashed,
      bits: this.bits,
      bitsLow: this.bitsLow,
      bitCount: this.bitCount,
      integersHashed: this.integersHashed,
      overflowed: this.overflowed,
    };
  }

  static fromState(state: UniquenessState, maxKeys: number): UniquenessTable {
    const table = new UniquenessTable(maxKeys, 1);
    table.slots = state.slots;
    const capacity = state.slots.length >>> 1;
    table.mask = capacity - 1;
    table.growAt = Math.floor(capacity * MAX_LOAD);
    table.hashed = state.hashed;
    table.bits = state.bits;
    table.bitsLow = state.bitsLow;
    table.bitCount = state.bitCount;
    table.integersHashed = state.integersHashed;
    table.overflowed = state.overflowed;
    return table;
  }

  /** Makes room in the bitmap for `value`, or moves the integers to the hash table when it would be too sparse. */
  private extendBitmap(value: number): void {
    const bits = this.bits;
    const floor32 = (v: number) => Math.floor(v / 32) * 32;
    if (bits === null) {
      this.bits = new Uint32Array(128);
      this.bitsLow = floor32(value) - 2048;
      return;
    }
    const low = Math.min(this.bitsLow, floor32(value));
    const high = Math.max(this.bitsLow + bits.length * 32, floor32(value) + 32);
    // Grow ahead (doubling) in the direction of the new value.
    const span = Math.max(high - low, bits.length * 64);
    const bytes = span / 8;
    if (
      !Number.isSafeInteger(span) ||
      bytes > BITMAP_MAX_BYTES ||
      bytes > Math.max(BITMAP_FREE_BYTES, 32 * this.bitCount)
    ) {
      this.hashIntegers();
      return;
    }
    const newLow = value < this.bitsLow ? high - span : low;
    const next = new Uint32Array(span / 32);
    next.set(bits, (this.bitsLow - newLow) / 32);
    this.bits = next;
    this.bitsLow = newLow;
  }

  /** Moves the integers of the bitmap to the hash table, for good. */
  private hashIntegers(): void {
    if (this.integersHashed) return;
    this.integersHashed = true;
    const values: number[] = [];
    this.forEachInteger((v) => values.push(v));
    this.bits = null;
    this.bitCount = 0;
    for (const v of values) {
      hasher.number(v);
      this.add(hasher.h1, hasher.h2);
    }
  }

  private drop(): void {
    this.overflowed = true;
    this.slots = new Int32Array(2);
    this.mask = 0;
    this.hashed = 0;
    this.bits = null;
    this.bitCount = 0;
  }

  private grow(): void {
    const old = this.slots;
    const capacity = (this.mask + 1) * 2;
    const slots = new Int32Array(capacity * 2);
    const mask = capacity - 1;
    for (let j = 0; j < old.length; j += 2) {
      const a = old[j]!;
      const b = old[j + 1]!;
      if (a === 0 && b === 0) continue;
      let i = a & mask;
      while (slots[i << 1] !== 0 || slots[(i << 1) + 1] !== 0) i = (i + 1) & mask;
      slots[i << 1] = a;
      slots[(i << 1) + 1] = b;
    }
    this.slots = slots;
    this.mask = mask;
    this.growAt = Math.floor(capacity * MAX_LOAD);
  }
}
