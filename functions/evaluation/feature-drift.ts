/**
 * Drift of each input feature, and of the predictions, against the training baseline (the contract check's
 * `DatasetProfile`).
 *
 * - PSI (`populationStabilityIndex`, `driftBins` of the contract check): numeric features on the baseline's
 *   histogram bins, categorical features on its top values plus one bin for every other value.
 * - Kolmogorov-Smirnov for numeric features. The baseline keeps no raw values, only a histogram with exact counts
 *   and quantiles p1 ... p99 from a sketch (under 1 % relative error). Its CDF is therefore known at a few points
 *   only: exactly below each histogram edge, and within a 1 % band of value around each quantile. The statistic is
 *   taken at those points only, `D* = max |F_n(x) - F_0(x)|`, each quantile point counting only the deviation no
 *   value inside its band can explain. `D*` is at most the true D, so the test is conservative: it never reports
 *   drift that interpolating the baseline would have invented (a linear CDF between 11 knots is off by several
 *   percent for skewed data, which 1M samples would call significant). The p-value is the asymptotic Kolmogorov
 *   distribution with n_eff = n m / (n + m), m being the baseline's values: the baseline is itself a sample.
 *
 * Counts per cell merge exactly, so partial windows add up to one pass.
 */
import type { ColumnProfile, DatasetProfile } from '../contracts/contract-report';
import { driftBins, populationStabilityIndex } from '../contracts/population-stability-index';
import { Hasher } from '../contracts/uniqueness-table';
import { parseBooleanBytes, parseNumberBytes } from '../contracts/value-checks';
import { kolmogorovPValue } from './confidence-intervals';
import { JoinIndex } from './join-index';
import type { InputRowSink } from './payload-decoding';

/** Relative error of the baseline's quantiles (the contract check's sketch: under 1 %). */
const QUANTILE_RELATIVE_ERROR = 0.01;

/** The name the predictions' drift is reported under. */
export const PREDICTION_FEATURE = '(prediction)';

/** How one feature is compared with its baseline column. */
export type FeatureDriftSpec =
  | {
      readonly name: string;
      readonly kind: 'numeric';
      readonly edges: readonly number[];
      readonly expected: readonly number[];
      /** Sorted evaluation points; the histogram edges are among them. */
      readonly points: Float64Array;
      /** For each point: the baseline CDF below it for an edge, or the quantile's band (see {@link KsPoint}). */
      readonly ksPoints: readonly KsPoint[];
      /** Index in `points` of each edge. */
      readonly edgePoints: readonly number[];
      readonly baselineCount: number;
    }
  | {
      readonly name: string;
      readonly kind: 'categorical';
      readonly labels: readonly string[];
      readonly expected: readonly number[];
      readonly boolean: boolean;
    }
  | { readonly name: string; readonly kind: 'none'; readonly reason: string };

/**
 * A point where the baseline CDF is known: at an edge, `P(X < x) = cdf` exactly; for a quantile, `P(X < x) <= q`
 * for x at the low end of its band and `P(X <= x) >= q` at the high end (`low`/`high` index `points`).
 */
export type KsPoint =
  | { readonly kind: 'edge'; readonly point: number; readonly cdf: number }
  | { readonly kind: 'quantile'; readonly low: number; readonly high: number; readonly q: number };

/** What drift is computed on: a spec per tracked feature, the prediction's last when there is one. */
export interface DriftPlan {
  readonly features: readonly FeatureDriftSpec[];
  /** The prediction's spec (against the target's baseline column), or null. */
  readonly prediction: FeatureDriftSpec | null;
  /**
   * Whether positional values (CSV, arrays) map onto `features` in order; false when the features were taken from
   * the baseline's columns, whose order says nothing about the requests'. @default true
   */
  readonly positional?: boolean;
}

/** The smallest double above `x`. */
function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] = x > 0 ? bits[0]! + 1n : bits[0]! - 1n;
  return f[0]!;
}

const QUANTILE_LEVELS = /^p(\d{1,2})$/;

function numericSpec(name: string, column: ColumnProfile, edges: readonly number[], expected: readonly number[]) {
  const total = expected.reduce((s, c) => s + c, 0);
  const values: number[] = [...edges];
  const quantiles: { low: number; high: number; q: number }[] = [];
  for (const [key, x] of Object.entries(column.quantiles ?? {})) {
    const level = QUANTILE_LEVELS.exec(key);
    if (level === null || !Number.isFinite(x)) continue;
    const band = Math.abs(x) * QUANTILE_RELATIVE_ERROR;
    // `P(X <= high)` is `P(X < nextUp(high))`: every point counts the values strictly below it.
    quantiles.push({ low: x - band, high: nextUp(x + band), q: Number(level[1]) / 100 });
    values.push(x - band, nextUp(x + band));
  }
  const points = Float64Array.from(new Set(values)).sort();
  const at = (v: number) => points.indexOf(v);
  let below = 0;
  const ksPoints: KsPoint[] = edges.map((edge, i) => {
    below += expected[i]!;
    return { kind: 'edge', point: at(edge), cdf: total === 0 ? 0 : below / total };
  });
  for (const q of quantiles) ksPoints.push({ kind: 'quantile', low: at(q.low), high: at(q.high), q: q.q });
  return {
    name,
    kind: 'numeric' as const,
    edges,
    expected,
    points,
    ksPoints,
    edgePoints: edges.map(at),
    baselineCount: column.count,
  };
}

/** The drift spec of one feature against its baseline column. */
export function featureDriftSpec(name: string, column: ColumnProfile | undefined): FeatureDriftSpec {
  const bins = driftBins(column);
  if (bins.kind === 'none') return { name, kind: 'none', reason: bins.reason };
  if (bins.kind === 'numeric') return numericSpec(name, column!, bins.edges, bins.expected);
  return {
    name,
    kind: 'categorical',
    labels: bins.labels,
    expected: bins.expected,
    boolean: column?.logicalType === 'boolean',
  };
}

/**
 * What drift is computed on, for these features and the target column (for predictions). `positional`: the
 * features are the requests' values in order (see {@link DriftPlan}).
 */
export function planDrift(
  baseline: DatasetProfile,
  features: readonly string[],
  target?: string,
  positional = true,
): DriftPlan {
  const columns = new Map(baseline.columns.map((c) => [c.name, c]));
  return {
    features: features.map((f) => featureDriftSpec(f, columns.get(f))),
    prediction: target === undefined ? null : featureDriftSpec(PREDICTION_FEATURE, columns.get(target)),
    positional,
  };
}

/** Why a feature has no values when the requests are positional but the features' order is unknown. */
export const NO_FEATURE_ORDER =
  'no named values: CSV and array requests are positional; give the features in order (a contract or a list)';

// ---------------------------------------------------------------------------------------------------------------
// Counting

/** Cell of a value with no usable value: missing (empty, null) or invalid (not a number for a numeric feature). */
const MISSING = -1;
const INVALID = -2;

/** Counts of one window (or part of one), per feature: cells, missing and invalid values. Merges exactly. */
export interface DriftCountsState {
  /** Per feature (the prediction last, when planned): counts per cell (numeric: between points; categorical: bins). */
  readonly cells: readonly (readonly number[])[];
  readonly missing: readonly number[];
  readonly invalid: readonly number[];
}

/** The counts of every tracked feature. */
export class DriftCounts {
  readonly cells: Float64Array[];
  readonly missing: Float64Array;
  readonly invalid: Float64Array;

  constructor(readonly plan: DriftPlan) {
    const specs = allSpecs(plan);
    this.cells = specs.map(
      (s) =>
        new Float64Array(
          s.kind === 'numeric' ? s.points.length + 1 : s.kind === 'categorical' ? s.labels.length + 1 : 1,
        ),
    );
    this.missing = new Float64Array(specs.length);
    this.invalid = new Float64Array(specs.length);
  }

  /** Counts a cell of feature `f` (a cell, {@link MISSING} or {@link INVALID}). */
  count(f: number, cell: number): void {
    if (cell >= 0) this.cells[f]![cell]!++;
    else if (cell === MISSING) this.missing[f]!++;
    else this.invalid[f]!++;
  }

  merge(other: DriftCounts): void {
    this.cells.forEach((c, f) => {
      const o = other.cells[f]!;
      for (let i = 0; i < c.length; i++) c[i]! += o[i]!;
    });
    for (let f = 0; f < this.missing.length; f++) {
      this.missing[f]! += other.missing[f]!;
      this.invalid[f]! += other.invalid[f]!;
    }
  }

  toState(): DriftCountsState {
    return { cells: this.cells.map((c) => [...c]), missing: [...this.missing], invalid: [...this.invalid] };
  }

  static fromState(plan: DriftPlan, state: DriftCountsState): DriftCounts {
    const counts = new DriftCounts(plan);
    if (state.cells.length !== counts.cells.length) throw new RangeError('drift state: another drift plan');
    state.cells.forEach((c, f) => {
      if (c.length !== counts.cells[f]!.length) throw new RangeError('drift state: another drift plan');
      counts.cells[f]!.set(c);
    });
    counts.missing.set(state.missing);
    counts.invalid.set(state.invalid);
    return counts;
  }
}

function allSpecs(plan: DriftPlan): FeatureDriftSpec[] {
  return plan.prediction === null ? [...plan.features] : [...plan.features, plan.prediction];
}

/** Number of points `<= v` (the cell of `v`). */
function cellOf(points: Float64Array, v: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v >= points[mid]!) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const hasher = new Hasher();

/** Up to this many categories are found by comparing bytes: a few short comparisons instead of a hash per value. */
const LINEAR_CATEGORIES = 16;

/** Maps category text (bytes) to its baseline bin. */
class CategoryBins {
  private readonly index = new JoinIndex(64);
  private readonly linear: Uint8Array[] | null;

  constructor(
    labels: readonly string[],
    private readonly other: number,
    private readonly boolean: boolean,
  ) {
    this.linear = !boolean && labels.length <= LINEAR_CATEGORIES ? labels.map((l) => Buffer.from(l, 'utf8')) : null;
    labels.forEach((label, bin) => {
      const bytes = Buffer.from(label, 'utf8');
      if (boolean) hasher.number(parseBooleanBytes(bytes, 0, bytes.length));
      else hasher.bytes(bytes, 0, bytes.length);
      if (this.index.find(hasher.h1, hasher.h2) < 0) this.index.insert(hasher.h1, hasher.h2, bin);
    });
  }

  bin(buf: Uint8Array, s: number, e: number): number {
    const linear = this.linear;
    if (linear !== null) {
      const n = e - s;
      for (let b = 0; b < linear.length; b++) {
        const label = linear[b]!;
        if (label.length !== n) continue;
        let k = 0;
        while (k < n && label[k] === buf[s + k]) k++;
        if (k === n) return b;
      }
      return this.other;
    }
    if (this.boolean) {
      const b = parseBooleanBytes(buf, s, e);
      if (b < 0) return this.other;
      hasher.number(b);
    } else hasher.bytes(buf, s, e);
    const slot = this.index.find(hasher.h1, hasher.h2);
    return slot < 0 ? this.other : this.index.valueAt(slot);
  }
}

/**
 * Stages the cells of one request's rows (an {@link InputRowSink}), so that a request found unusable after its
 * response was decoded leaves no trace; {@link commit} adds them to a window's counts.
 */
export class DriftStager implements InputRowSink {
  private readonly specs: FeatureDriftSpec[];
  private readonly categories: (CategoryBins | null)[];
  private readonly byName: Map<string, number>;
  private readonly width: number;
  private cellsOf = new Int32Array(64);
  /** Rows staged. */
  public rows = 0;
  /** Rows whose number of positional values differs from the number of features. */
  public widthMismatches = 0;
  private rowValues = 0;
  private readonly predictionIndex: number;
  /** Positional values tracked: the features, or none when their order is unknown. */
  private readonly trackedFeatures: number;

  constructor(readonly plan: DriftPlan) {
    this.specs = allSpecs(plan);
    this.width = this.specs.length;
    this.trackedFeatures = plan.positional === false ? 0 : plan.features.length;
    this.predictionIndex = plan.prediction === null ? -1 : this.width - 1;
    this.categories = this.specs.map((s) =>
      s.kind === 'categorical' ? new CategoryBins(s.labels, s.labels.length, s.boolean) : null,
    );
    this.byName = new Map(plan.features.map((s, i) => [s.name, i]));
  }

  /** Forgets what was staged. */
  reset(): void {
    this.rows = 0;
    this.rowValues = 0;
    this.widthMismatches = 0;
  }

  row(): void {
    this.closeRow();
    const base = this.rows * this.width;
    if (base + this.width > this.cellsOf.length) {
      const next = new Int32Array(Math.max(this.cellsOf.length * 2, base + this.width));
      next.set(this.cellsOf);
      this.cellsOf = next;
    }
    this.cellsOf.fill(MISSING, base, base + this.width);
    this.rows++;
    this.rowValues = 0;
  }

  private closeRow(): void {
    if (this.rows > 0 && this.rowValues > 0 && this.trackedFeatures > 0 && this.rowValues !== this.trackedFeatures) {
      this.widthMismatches++;
    }
  }

  private set(f: number, cell: number): void {
    this.cellsOf[(this.rows - 1) * this.width + f] = cell;
  }

  bytes(index: number, buf: Uint8Array, start: number, end: number): void {
    this.rowValues = index + 1;
    if (index >= this.trackedFeatures) return;
    this.set(index, this.cellOfBytes(index, buf, start, end));
  }

  private cellOfBytes(f: number, buf: Uint8Array, start: number, end: number): number {
    if (start === end) return MISSING;
    const spec = this.specs[f]!;
    if (spec.kind === 'numeric') {
      const v = parseNumberBytes(buf, start, end);
      return Number.isNaN(v) ? INVALID : cellOf(spec.points, v);
    }
    if (spec.kind === 'categorical') return this.categories[f]!.bin(buf, start, end);
    return 0;
  }

  private cellOfJson(f: number, value: unknown): number {
    if (value === null || value === undefined || value === '') return MISSING;
    const spec = this.specs[f]!;
    if (spec.kind === 'numeric') {
      const v =
        typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      return Number.isFinite(v) ? cellOf(spec.points, v) : INVALID;
    }
    if (spec.kind === 'categorical') {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      const bytes = Buffer.from(text, 'utf8');
      return this.categories[f]!.bin(bytes, 0, bytes.length);
    }
    return 0;
  }

  json(index: number, value: unknown): void {
    this.rowValues = index + 1;
    if (index < this.trackedFeatures) this.set(index, this.cellOfJson(index, value));
  }

  named(name: string, value: unknown): void {
    const f = this.byName.get(name);
    if (f !== undefined) this.set(f, this.cellOfJson(f, value));
  }

  /** The prediction of staged row `row` (a number, or a class label). */
  prediction(row: number, value: number | string): void {
    const f = this.predictionIndex;
    if (f < 0) return;
    const spec = this.specs[f]!;
    const cell =
      spec.kind === 'numeric' && typeof value === 'number' ? cellOf(spec.points, value) : this.cellOfJson(f, value);
    this.cellsOf[row * this.width + f] = cell;
  }

  /** Makes sure `rows` rows are staged (a response with no captured request: predictions only). */
  ensureRows(rows: number): void {
    while (this.rows < rows) this.row();
  }

  /** Adds the staged rows to `counts`; returns how many had another number of values than there are features. */
  commit(counts: DriftCounts): number {
    this.closeRow();
    const mismatches = this.widthMismatches;
    const width = this.width;
    const cells = this.cellsOf;
    for (let r = 0; r < this.rows; r++) {
      const base = r * width;
      for (let f = 0; f < width; f++) counts.count(f, cells[base + f]!);
    }
    this.reset();
    return mismatches;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Results

/** Drift of one feature (or of the predictions) in a window. */
export interface FeatureDrift {
  readonly feature: string;
  readonly kind: 'numeric' | 'categorical' | 'none';
  /** Values compared (missing and invalid ones left out). */
  readonly n: number;
  readonly missing: number;
  /** Values that are not numbers in a numeric feature. */
  readonly invalid: number;
  readonly psi: number | null;
  /** Kolmogorov-Smirnov statistic D* (see the module comment), numeric features only. */
  readonly ks: number | null;
  readonly ksPValue: number | null;
  /** The bins compared: edges (numeric) or labels plus "other" (categorical), with both sides' counts. */
  readonly bins?: {
    readonly edges?: readonly number[];
    readonly labels?: readonly string[];
    readonly expected: readonly number[];
    readonly actual: readonly number[];
  };
  /** Why PSI or KS is missing. */
  readonly reason?: string;
}

function numericResult(spec: Extract<FeatureDriftSpec, { kind: 'numeric' }>, cells: Float64Array) {
  // Histogram bin b holds the values between edges b-1 and b: the cells between their points.
  const actual: number[] = [];
  let from = 0;
  for (const edgePoint of spec.edgePoints) {
    let sum = 0;
    for (let c = from; c <= edgePoint; c++) sum += cells[c]!;
    actual.push(sum);
    from = edgePoint + 1;
  }
  let rest = 0;
  for (let c = from; c < cells.length; c++) rest += cells[c]!;
  actual.push(rest);
  const n = actual.reduce((s, c) => s + c, 0);
  // below[k] = values strictly below points[k].
  const below = new Float64Array(spec.points.length);
  let cumulative = 0;
  for (let k = 0; k < spec.points.length; k++) {
    cumulative += cells[k]!;
    below[k] = cumulative;
  }
  let d = 0;
  if (n > 0) {
    for (const p of spec.ksPoints) {
      const deviation =
        p.kind === 'edge'
          ? Math.abs(below[p.point]! / n - p.cdf)
          : Math.max(0, below[p.low]! / n - p.q, p.q - below[p.high]! / n);
      if (deviation > d) d = deviation;
    }
  }
  const m = spec.baselineCount;
  const nEff = n + m === 0 ? 0 : (n * m) / (n + m);
  return {
    n,
    psi: populationStabilityIndex(spec.expected, actual),
    ks: n > 0 && spec.ksPoints.length > 0 ? d : null,
    ksPValue: n > 0 && m > 0 && spec.ksPoints.length > 0 ? kolmogorovPValue(d, nEff) : null,
    bins: { edges: spec.edges, expected: spec.expected, actual },
  };
}

/** The drift of every tracked feature (the prediction's last) from a window's counts. */
export function driftResults(counts: DriftCounts): FeatureDrift[] {
  const noValues = counts.plan.positional === false ? NO_FEATURE_ORDER : 'no values in the window';
  return allSpecs(counts.plan).map((spec, f) => {
    const cells = counts.cells[f]!;
    const missing = counts.missing[f]!;
    const invalid = counts.invalid[f]!;
    if (spec.kind === 'none') {
      return {
        feature: spec.name,
        kind: 'none',
        n: 0,
        missing,
        invalid,
        psi: null,
        ks: null,
        ksPValue: null,
        reason: spec.reason,
      };
    }
    if (spec.kind === 'categorical') {
      const actual = [...cells];
      const n = actual.reduce((s, c) => s + c, 0);
      const psi = populationStabilityIndex(spec.expected, actual);
      return {
        feature: spec.name,
        kind: 'categorical',
        n,
        missing,
        invalid,
        psi,
        ks: null,
        ksPValue: null,
        bins: { labels: [...spec.labels, '(other)'], expected: spec.expected, actual },
        ...(psi === null ? { reason: n === 0 ? noValues : 'the baseline has no values' } : {}),
      };
    }
    const r = numericResult(spec, cells);
    return {
      feature: spec.name,
      kind: 'numeric',
      missing,
      invalid,
      ...r,
      ...(r.psi === null ? { reason: r.n === 0 ? noValues : 'the baseline has no values' } : {}),
    };
  });
}
