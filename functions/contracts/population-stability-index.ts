/**
 * Population stability index (PSI) of a column against its baseline profile: numeric columns on the baseline's
 * histogram bins, categorical columns on the baseline's categories plus one bin for every other value.
 *
 * PSI = sum over bins of (a - e) * ln(a / e), with `e` and `a` the baseline's and the current shares of each bin;
 * empty bins take a share of 0.0001 so that the logarithm stays finite (the usual smoothing). Common reading: under
 * 0.1 stable, 0.1 to 0.25 a moderate shift, over 0.25 a significant one.
 */
import type { ColumnProfile } from './contract-report';

const EMPTY_SHARE = 1e-4;

/** PSI between two count vectors over the same bins; null when either side is empty. */
export function populationStabilityIndex(expected: readonly number[], actual: readonly number[]): number | null {
  if (expected.length !== actual.length) throw new RangeError('PSI needs the same bins on both sides');
  const e = expected.reduce((s, c) => s + c, 0);
  const a = actual.reduce((s, c) => s + c, 0);
  if (e === 0 || a === 0) return null;
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const pe = Math.max(expected[i]! / e, EMPTY_SHARE);
    const pa = Math.max(actual[i]! / a, EMPTY_SHARE);
    psi += (pa - pe) * Math.log(pa / pe);
  }
  return psi;
}

/** Which bins a drift check of this baseline column compares, or why it cannot run. */
export type DriftBins =
  | { readonly kind: 'numeric'; readonly edges: readonly number[]; readonly expected: readonly number[] }
  | { readonly kind: 'categorical'; readonly labels: readonly string[]; readonly expected: readonly number[] }
  | { readonly kind: 'none'; readonly reason: string };

/** The bins of a baseline column: its histogram, else its top values (with the other values as one more bin). */
export function driftBins(baseline: ColumnProfile | undefined): DriftBins {
  if (baseline === undefined) return { kind: 'none', reason: 'the baseline profile has no such column' };
  if (baseline.histogram !== undefined && baseline.histogram.counts.length > 1) {
    return { kind: 'numeric', edges: baseline.histogram.edges, expected: baseline.histogram.counts };
  }
  if (baseline.topValues !== undefined && baseline.topValues.length > 0) {
    return {
      kind: 'categorical',
      labels: baseline.topValues.map((t) => t.value),
      expected: [...baseline.topValues.map((t) => t.count), baseline.otherCount ?? 0],
    };
  }
  return {
    kind: 'none',
    reason: 'the baseline has neither a histogram nor top values for this column (too many distinct values?)',
  };
}
