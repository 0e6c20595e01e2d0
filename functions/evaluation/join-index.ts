/**
 * The join's index: 64-bit hashes of join keys (inference ids) mapped to an integer, in one open-addressing table of
 * three 32-bit words per slot (hash high, hash low, value), at most 2/3 full. A Map of strings costs about 100 bytes
 * per key and a string per line; this costs 18 to 36 bytes per key and no allocation (1M keys: 25 MB).
 *
 * Keys are equal when their 64-bit hashes are: with n keys a false match has a probability of about n^2 / 2^65
 * (1M keys: 3e-8), as for the contract check's uniqueness table.
 */

const MAX_LOAD = 2 / 3;

/** Hash -> integer, insert-or-find; values are any int32 the caller chooses. */
export class JoinIndex {
  private slots: Int32Array;
  private mask: number;
  private growAt: number;
  /** Keys held. */
  public size = 0;

  constructor(initialCapacity = 1 << 16) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.slots = new Int32Array(capacity * 3);
    this.mask = capacity - 1;
    this.growAt = Math.floor(capacity * MAX_LOAD);
  }

  /** The slot of a key, or -1 (hash (0, 0) is never produced by the Hasher, so it marks an empty slot). */
  find(h1: number, h2: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let i = h1 & mask;
    for (;;) {
      const j = i * 3;
      const a = slots[j]!;
      const b = slots[j + 1]!;
      if (a === h1 && b === h2) return i;
      if (a === 0 && b === 0) return -1;
      i = (i + 1) & mask;
    }
  }

  /** The value stored at a slot found by {@link find}. */
  valueAt(slot: number): number {
    return this.slots[slot * 3 + 2]!;
  }

  setValueAt(slot: number, value: number): void {
    this.slots[slot * 3 + 2] = value;
  }

  /** Adds a key with its value; the caller has checked with {@link find} that it is absent. */
  insert(h1: number, h2: number, value: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let i = h1 & mask;
    for (;;) {
      const j = i * 3;
      if (slots[j] === 0 && slots[j + 1] === 0) break;
      i = (i + 1) & mask;
    }
    slots[i * 3] = h1;
    slots[i * 3 + 1] = h2;
    slots[i * 3 + 2] = value;
    if (++this.size > this.growAt) this.grow();
  }

  /** Calls `visit(value)` for every key. */
  forEachValue(visit: (value: number) => void): void {
    const slots = this.slots;
    for (let j = 0; j < slots.length; j += 3) {
      if (slots[j] !== 0 || slots[j + 1] !== 0) visit(slots[j + 2]!);
    }
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  private grow(): void {
    const old = this.slots;
    const capacity = (this.mask + 1) * 2;
    this.slots = new Int32Array(capacity * 3);
    this.mask = capacity - 1;
    this.growAt = Math.floor(capacity * MAX_LOAD);
    this.size = 0;
    for (let j = 0; j < old.length; j += 3) {
      const a = old[j]!;
      const b = old[j + 1]!;
      if (a !== 0 || b !== 0) this.insert(a, b, old[j + 2]!);
    }
  }
}
