/**
 * Streaming statistics of one column, built in the validation pass with constant memory and merged exactly across
 * byte ranges:
 *
 * - count, nulls, min, max, mean and standard deviation (Welford, merged with Chan's formula: equal to one pass up to
 *   floating-point rounding);
 * - a quantile sketch of fixed logarithmic buckets (64 per power of two, so under 0.8 % relative error), indexed by
 *   the top bits of the IEEE-754 representation: no `Math.log` per value, bounded size (at most 2 x 2048 x 64
 *   buckets, in practice a few hundred), and merging adds counts, so the merge of byte ranges is exactly one pass;
 * - a histogram with fixed bins: the baseline's edges, counted exactly during the pass, or, without a baseline,
 *   edges cut at bucket boundaries near the deciles, so its counts are exact too and the next run reuses them;
 * - exact counts of up to `maxCategories` distinct values of string and boolean columns (top values), and exact
 *   counts of the baseline's categories (categorical drift).
 */
import type { CategoryCount, ColumnProfile, Histogram } from './contract-report';
import type { LogicalType } from './contract-plan';

const SHIFT = 14; // keep 6 of the 20 high mantissa bits: 64 buckets per power of two
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Lower bound of positive bucket `j` (the double whose high word is `j << SHIFT`). */
function bucketLow(j: number): number {
  u32[0] = 0;
  u32[1] = j << SHIFT;
  return f64[0]!;
}

/** The smallest value of negative bucket `j`, which holds `-bucketLow(j + 1) < v <= -bucketLow(j)`. */
function negativeBucketLow(j: number): number {
  u32[0] = 0xffffffff;
  u32[1] = ((j + 1) << SHIFT) - 1;
  return -f64[0]!;
}

function grown(counts: Float64Array, offset: number, index: number): { counts: Float64Array; offset: number } {
  if (counts.length === 0) {
    const fresh = new Float64Array(128);
    return { counts: fresh, offset: index - 64 };
  }
  const low = Math.min(offset, index);
  const high = Math.max(offset + counts.length, index + 1);
  const span = high - low;
  const size = Math.max(counts.length * 2, span + 64);
  const newOffset = index < offset ? high - size : low;
  const next = new Float64Array(size);
  next.set(counts, offset - newOffset);
  return { counts: next, offset: newOffset };
}

/** The transferable state of a column's statistics. */
export interface ColumnProfileState {
  count: number;
  nulls: number;
  invalid: number;
  min: number;
  max: number;
  mean: number;
  m2: number;
  zeros: number;
  pos: Float64Array;
  posOffset: number;
  neg: Float64Array;
  negOffset: number;
  binCounts: Float64Array | null;
  categories: CategoryState | null;
  baselineCounts: Float64Array | null;
}

/** The transferable state of a category counter. */
export interface CategoryState {
  slots: Int32Array;
  counts: Float64Array;
  labels: (string | null)[];
  size: number;
  overflowed: boolean;
}

/**
 * Exact counts of distinct values, keyed by their 64-bit hash, up to a bound; past it the counter is dropped (the
 * column is not categorical).
 */
export class CategoryCounter {
  slots: Int32Array;
  counts: Float64Array;
  labels: (string | null)[];
  size = 0;
  overflowed = false;
  private readonly mask: number;

  constructor(public readonly maxCategories: number) {
    let capacity = 16;
    while (capacity < maxCategories * 2) capacity *= 2;
    this.slots = new Int32Array(capacity * 2);
    this.counts = new Float64Array(capacity);
    this.labels = new Array<string | null>(capacity).fill(null);
    this.mask = capacity - 1;
  }

  /**
   * Counts a value. Returns the slot when the value is new and needs its label ({@link setLabel}), else -1.
   */
  add(h1: number, h2: number, times = 1): number {
    if (this.overflowed) return -1;
    const slots = this.slots;
    let i = h1 & this.mask;
    for (;;) {
      const a = slots[i << 1]!;
      const b = slots[(i << 1) + 1]!;
      if (a === 0 && b === 0) break;
      if (a === h1 && b === h2) {
        this.counts[i]! += times;
        return -1;
      }
      i = (i + 1) & this.mask;
    }
    if (this.size >= this.maxCategories) {
      this.overflowed = true;
      this.slots = new Int32Array(0);
      this.counts = new Float64Array(0);
      this.labels = [];
      return -1;
    }
    slots[i << 1] = h1;
    slots[(i << 1) + 1] = h2;
    this.counts[i] = times;
    this.size++;
    return i;
  }

  /** The slot of a value, or -1. */
  find(h1: number, h2: number): number {
    if (this.overflowed) return -1;
    const slots = this.slots;
    let i = h1 & this.mask;
    for (;;) {
      const a = slots[i << 1]!;
      const b = slots[(i << 1) + 1]!;
      if (a === 0 && b === 0) return -1;
      if (a === h1 && b === h2) return i;
      i = (i + 1) & this.mask;
    }
  }

  setLabel(slot: number, label: string): void {
    this.labels[slot] = label;
  }

  merge(other: CategoryCounter): void {
    if (other.overflowed) this.drop();
    if (this.overflowed) return;
    for (let i = 0; i < other.counts.length; i++) {
      const count = other.counts[i]!;
      if (count === 0) continue;
      const slot = this.add(other.slots[i << 1]!, other.slots[(i << 1) + 1]!, count);
      if (slot >= 0) this.setLabel(slot, other.labels[i] ?? '');
      if (this.overflowed) return;
    }
  }

  /** Every category with its count, most frequent first (ties by value, so the order is deterministic). */
  entries(): CategoryCount[] {
    const out: CategoryCount[] = [];
    for (let i = 0; i < this.counts.length; i++) {
      const count = this.counts[i]!;
      if (count > 0) out.push({ value: this.labels[i] ?? '', count });
    }
    return out.sort((x, y) => y.count - x.count || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
  }

  toState(): CategoryState {
    return {
      slots: this.slots,
      counts: this.counts,
      labels: this.labels,
      size: this.size,
      overflowed: this.overflowed,
    };
  }

  static fromState(state: CategoryState, maxCategories: number): CategoryCounter {
    const counter = new CategoryCounter(maxCategories);
    if (state.overflowed) {
      counter.drop();
      return counter;
    }
    counter.slots = state.slots;
    counter.counts = state.counts;
    counter.labels = state.labels;
    counter.size = state.size;
    return counter;
  }

  private drop(): void {
    this.overflowed = true;
    this.slots = new Int32Array(0);
    this.counts = new Float64Array(0);
    this.labels = [];
  }
}

const QUANTILES: readonly (readonly [string, number])[] = [
  ['p1', 0.01],
  ['p5', 0.05],
  ['p10', 0.1],
  ['p25', 0.25],
  ['p50', 0.5],
  ['p75', 0.75],
  ['p90', 0.9],
  ['p95', 0.95],
  ['p99', 0.99],
];

/** Maximum number of values listed in `topValues`. */
export const TOP_VALUES = 50;

/** One bucket of the sketch in ascending value order. */
interface Bucket {
  readonly low: number;
  readonly mid: number;
  readonly count: number;
}

/** The statistics of one column, fed value by value. Fields are public for the hot loop. */
export class ColumnProfileBuilder {
  count = 0;
  nulls = 0;
  invalid = 0;
  min = Infinity;
  max = -Infinity;
  mean = 0;
  m2 = 0;
  zeros = 0;
  pos: Float64Array = new Float64Array(0);
  posOffset = 0;
  neg: Float64Array = new Float64Array(0);
  negOffset = 0;
  /** Counts on fixed edges (the baseline's), or null. */
  binCounts: Float64Array | null;
  categories: CategoryCounter | null;
  /** Counts of the baseline's categories (index = position in `baselineLabels`, last = other). */
  baselineCounts: Float64Array | null;

  constructor(
    public readonly numeric: boolean,
    categorical: boolean,
    maxCategories: number,
    private readonly binEdges: Float64Array | null,
    baselineCategories: number,
  ) {
    this.binCounts = binEdges === null ? null : new Float64Array(binEdges.length + 1);
    this.categories = categorical ? new CategoryCounter(maxCategories) : null;
    this.baselineCounts = baselineCategories > 0 ? new Float64Array(baselineCategories + 1) : null;
  }

  /** A non-null value of a numeric column (dates and timestamps in epoch milliseconds). */
  addNumber(v: number): void {
    const n = ++this.count;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    const delta = v - this.mean;
    this.mean += delta / n;
    this.m2 += delta * (v - this.mean);
    if (v === 0) this.zeros++;
    else {
      f64[0] = v;
      const hi = u32[1]!;
      if (v > 0) {
        const j = hi >>> SHIFT;
        let k = j - this.posOffset;
        if (k < 0 || k >= this.pos.length) {
          const g = grown(this.pos, this.posOffset, j);
          this.pos = g.counts;
          this.posOffset = g.offset;
          k = j - g.offset;
        }
        this.pos[k]!++;
      } else {
        const j = (hi & 0x7fffffff) >>> SHIFT;
        let k = j - this.negOffset;
        if (k < 0 || k >= this.neg.length) {
          const g = grown(this.neg, this.negOffset, j);
          this.neg = g.counts;
          this.negOffset = g.offset;
          k = j - g.offset;
        }
        this.neg[k]!++;
      }
    }
    const edges = this.binEdges;
    if (edges !== null) {
      let lo = 0;
      let hi = edges.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (v >= edges[mid]!) lo = mid + 1;
        else hi = mid;
      }
      this.binCounts![lo]!++;
    }
  }

  toState(): ColumnProfileState {
    return {
      count: this.count,
      nulls: this.nulls,
      invalid: this.invalid,
      min: this.min,
      max: this.max,
      mean: this.mean,
      m2: this.m2,
      zeros: this.zeros,
      pos: this.pos,
      posOffset: this.posOffset,
      neg: this.neg,
      negOffset: this.negOffset,
      binCounts: this.binCounts,
      categories: this.categories === null ? null : this.categories.toState(),
      baselineCounts: this.baselineCounts,
    };
  }

  /** Replaces this builder's statistics with a state (from a worker). */
  load(state: ColumnProfileState, maxCategories: number): void {
    this.count = state.count;
    this.nulls = state.nulls;
    this.invalid = state.invalid;
    this.min = state.min;
    this.max = state.max;
    this.mean = state.mean;
    this.m2 = state.m2;
    this.zeros = state.zeros;
    this.pos = state.pos;
    this.posOffset = state.posOffset;
    this.neg = state.neg;
    this.negOffset = state.negOffset;
    this.binCounts = state.binCounts;
    this.categories = state.categories === null ? null : CategoryCounter.fromState(state.categories, maxCategories);
    this.baselineCounts = state.baselineCounts;
  }

  /** Adds the statistics of the following rows (a later byte range). */
  merge(other: ColumnProfileBuilder): void {
    const n = this.count + other.count;
    if (other.count > 0) {
      const delta = other.mean - this.mean;
      this.mean = n === 0 ? 0 : this.mean + (delta * other.count) / n;
      this.m2 = this.m2 + other.m2 + (delta * delta * this.count * other.count) / n;
    }
    this.count = n;
    this.nulls += other.nulls;
    this.invalid += other.invalid;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    this.zeros += other.zeros;
    for (let k = 0; k < other.pos.length; k++) {
      const c = other.pos[k]!;
      if (c === 0) continue;
      const j = k + other.posOffset;
      if (j - this.posOffset < 0 || j - this.posOffset >= this.pos.length) {
        const g = grown(this.pos, this.posOffset, j);
        this.pos = g.counts;
        this.posOffset = g.offset;
      }
      this.pos[j - this.posOffset]! += c;
    }
    for (let k = 0; k < other.neg.length; k++) {
      const c = other.neg[k]!;
      if (c === 0) continue;
      const j = k + other.negOffset;
      if (j - this.negOffset < 0 || j - this.negOffset >= this.neg.length) {
        const g = grown(this.neg, this.negOffset, j);
        this.neg = g.counts;
        this.negOffset = g.offset;
      }
      this.neg[j - this.negOffset]! += c;
    }
    if (this.binCounts !== null && other.binCounts !== null) {
      for (let i = 0; i < this.binCounts.length; i++) this.binCounts[i]! += other.binCounts[i]!;
    }
    if (this.categories !== null && other.categories !== null) this.categories.merge(other.categories);
    if (this.baselineCounts !== null && other.baselineCounts !== null) {
      for (let i = 0; i < this.baselineCounts.length; i++) this.baselineCounts[i]! += other.baselineCounts[i]!;
    }
  }

  /** The sketch's non-empty buckets in ascending value order. */
  private buckets(): Bucket[] {
    const out: Bucket[] = [];
    for (let k = this.neg.length - 1; k >= 0; k--) {
      const count = this.neg[k]!;
      if (count === 0) continue;
      const j = k + this.negOffset;
      out.push({ low: negativeBucketLow(j), mid: -(bucketLow(j) + bucketLow(j + 1)) / 2, count });
    }
    if (this.zeros > 0) out.push({ low: 0, mid: 0, count: this.zeros });
    for (let k = 0; k < this.pos.length; k++) {
      const count = this.pos[k]!;
      if (count === 0) continue;
      const j = k + this.posOffset;
      out.push({ low: bucketLow(j), mid: (bucketLow(j) + bucketLow(j + 1)) / 2, count });
    }
    return out;
  }

  private quantiles(buckets: readonly Bucket[]): Record<string, number> {
    const result: Record<string, number> = {};
    const n = this.count;
    let b = 0;
    let cumulative = 0;
    for (const [name, q] of QUANTILES) {
      const rank = q * (n - 1);
      while (b < buckets.length - 1 && cumulative + buckets[b]!.count <= rank) {
        cumulative += buckets[b]!.count;
        b++;
      }
      const mid = buckets[b]!.mid;
      result[name] = Math.min(this.max, Math.max(this.min, mid));
    }
    return result;
  }

  /** Bins cut at bucket boundaries near the deciles, with their exact counts. */
  private decileHistogram(buckets: readonly Bucket[]): Histogram {
    const edges: number[] = [];
    const counts: number[] = [];
    let binCount = 0;
    let cumulative = 0;
    let decile = 1;
    for (let b = 0; b < buckets.length; b++) {
      const bucket = buckets[b]!;
      cumulative += bucket.count;
      binCount += bucket.count;
      const next = buckets[b + 1];
      if (next === undefined) break;
      if (cumulative >= (this.count * decile) / 10) {
        edges.push(next.low);
        counts.push(binCount);
        binCount = 0;
        while (decile < 10 && cumulative >= (this.count * decile) / 10) decile++;
      }
    }
    counts.push(binCount);
    return { edges, counts };
  }

  /** The column's profile; `edges` are the fixed bins counted during the pass, if any. */
  toProfile(
    name: string,
    logicalType: LogicalType,
    edges: readonly number[] | null,
    topValues: number = TOP_VALUES,
  ): ColumnProfile {
    const base = { name, logicalType, count: this.count, nulls: this.nulls, invalid: this.invalid };
    let numeric: Partial<ColumnProfile> = {};
    if (this.numeric && this.count > 0) {
      const buckets = this.buckets();
      const temporal = logicalType === 'date' || logicalType === 'timestamp';
      numeric = {
        min: this.min,
        max: this.max,
        mean: this.mean,
        stddev: this.count > 1 ? Math.sqrt(this.m2 / (this.count - 1)) : 0,
        ...(temporal ? { minTime: isoTime(this.min), maxTime: isoTime(this.max) } : {}),
        quantiles: this.quantiles(buckets),
        histogram:
          edges !== null && this.binCounts !== null
            ? { edges: [...edges], counts: [...this.binCounts] }
            : this.decileHistogram(buckets),
      };
    }
    let categorical: Partial<ColumnProfile> = {};
    if (this.categories !== null && !this.categories.overflowed) {
      const all = this.categories.entries();
      const top = all.slice(0, topValues);
      const listed = top.reduce((sum, c) => sum + c.count, 0);
      categorical = { distinctValues: all.length, topValues: top, otherCount: this.count - listed };
    }
    return { ...base, ...numeric, ...categorical };
  }
}

function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}
