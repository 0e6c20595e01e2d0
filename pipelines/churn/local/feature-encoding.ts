/**
 * How the churn model turns a customer's feature values into a numeric vector, fitted on the training rows and saved
 * in the model artifact so serving encodes exactly as training did: numeric columns standardised with the training
 * mean and standard deviation (an empty value takes the mean, plus a missing-indicator when training saw empties),
 * categorical columns one-hot over the categories seen in training (an unseen category is all zeros, as scikit-learn's
 * `handle_unknown='ignore'` does, so a new payment method degrades a score instead of failing the request).
 */
import * as z from 'zod';

import {
  CATEGORICAL_FEATURES,
  NUMERIC_FEATURES,
  type CategoricalFeature,
  type FeatureValues,
  type NumericFeature,
} from './feature-order';

export const NumericEncodingSchema = z.object({
  name: z.enum(NUMERIC_FEATURES),
  mean: z.number(),
  std: z.number().positive(),
  /** Whether the vector has a `<name>:missing` entry (training saw empty values). */
  missingIndicator: z.boolean(),
});

export const CategoricalEncodingSchema = z.object({
  name: z.enum(CATEGORICAL_FEATURES),
  categories: z.array(z.string()),
});

export const FeatureEncodingSchema = z.object({
  numeric: z.array(NumericEncodingSchema),
  categorical: z.array(CategoricalEncodingSchema),
});

export type NumericEncoding = z.infer<typeof NumericEncodingSchema>;
export type CategoricalEncoding = z.infer<typeof CategoricalEncodingSchema>;
export type FeatureEncoding = z.infer<typeof FeatureEncodingSchema>;

/** Fits the encoding: means and standard deviations of the numeric columns, categories by frequency. */
export function fitEncoding(rows: readonly FeatureValues[]): FeatureEncoding {
  const numeric = NUMERIC_FEATURES.map((name): NumericEncoding => {
    let count = 0;
    let sum = 0;
    let sumSquares = 0;
    let missing = 0;
    for (const row of rows) {
      const value = row[name];
      if (value === null) {
        missing++;
        continue;
      }
      count++;
      sum += value;
      sumSquares += value * value;
    }
    const mean = count === 0 ? 0 : sum / count;
    const variance = count === 0 ? 0 : Math.max(0, sumSquares / count - mean * mean);
    // A constant column carries no information; std 1 keeps the encoded value at 0 instead of dividing by zero.
    const std = variance > 1e-12 ? Math.sqrt(variance) : 1;
    return { name, mean, std, missingIndicator: missing > 0 };
  });
  const categorical = CATEGORICAL_FEATURES.map((name): CategoricalEncoding => {
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row[name], (counts.get(row[name]) ?? 0) + 1);
    const categories = [...counts.entries()]
      .sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0))
      .map(([value]) => value);
    return { name, categories };
  });
  return { numeric, categorical };
}

/** Names of the vector's entries, in order: `tenure_months`, `total_charges:missing`, `plan=basic`, ... */
export function encodedFeatureNames(encoding: FeatureEncoding): string[] {
  const names: string[] = [];
  for (const column of encoding.numeric) {
    names.push(column.name);
    if (column.missingIndicator) names.push(`${column.name}:missing`);
  }
  for (const column of encoding.categorical)
    for (const category of column.categories) names.push(`${column.name}=${category}`);
  return names;
}

/** An encoder compiled once per model: lookups by category instead of searches per value. */
export interface FeatureEncoder {
  readonly width: number;
  /** Writes the encoded row into `out` at `offset` (a row of a row-major matrix). */
  encodeInto(row: FeatureValues, out: Float64Array, offset: number): void;
}

export function createEncoder(encoding: FeatureEncoding): FeatureEncoder {
  const numeric: { name: NumericFeature; mean: number; std: number; indicator: boolean }[] = encoding.numeric.map(
    (c) => ({ name: c.name, mean: c.mean, std: c.std, indicator: c.missingIndicator }),
  );
  let width = numeric.reduce((n, c) => n + (c.indicator ? 2 : 1), 0);
  const categorical: { name: CategoricalFeature; start: number; index: Map<string, number> }[] = [];
  for (const column of encoding.categorical) {
    categorical.push({ name: column.name, start: width, index: new Map(column.categories.map((c, i) => [c, i])) });
    width += column.categories.length;
  }
  return {
    width,
    encodeInto(row, out, offset) {
      out.fill(0, offset, offset + width);
      let at = offset;
      for (const column of numeric) {
        const value = row[column.name];
        out[at++] = value === null ? 0 : (value - column.mean) / column.std;
        if (column.indicator) out[at++] = value === null ? 1 : 0;
      }
      for (const column of categorical) {
        const index = column.index.get(row[column.name]);
        if (index !== undefined) out[offset + column.start + index] = 1;
      }
    },
  };
}
