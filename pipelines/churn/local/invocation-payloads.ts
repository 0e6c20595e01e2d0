/**
 * The churn server's request and response bodies. `text/csv`: one row per instance with the 7 feature values in
 * {@link INFERENCE_FEATURES} order, no header (RFC 4180 quoting for values with commas), answered with one probability
 * per line. `application/json`: `{"instances":[{...named features...}]}` (or `{"features":[7 values]}` per instance,
 * SageMaker's JSON convention), answered with `{"predictions":[{"score":p,"predicted_label":0|1}]}`.
 * A bad body is a value with the reason, which the server sends as a 400.
 */
import * as z from 'zod';

import { parseCsvRecords } from './csv-records';
import { INFERENCE_FEATURES, type FeatureName, type FeatureValues } from './feature-order';
import { describeProblem, isFeatureProblem, parseFeatures } from './feature-parsing';

export type ParsedInstances =
  | { readonly kind: 'instances'; readonly rows: readonly FeatureValues[] }
  | { readonly kind: 'invalid'; readonly message: string };

export type PayloadType = 'text/csv' | 'application/json';

/** `text/csv; charset=utf-8` -> `text/csv`; undefined for a type the server does not read. */
export function payloadType(header: string | undefined): PayloadType | undefined {
  const type = (header ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'text/csv' || type === 'application/json' ? type : undefined;
}

/**
 * The response type for an `Accept` header: the request's own type when the client accepts anything, else the
 * first type it accepts that the server writes; undefined when it accepts none of them (a 406).
 */
export function responseType(accept: string | undefined, requestType: PayloadType): PayloadType | undefined {
  if (accept === undefined || accept.trim() === '') return requestType;
  const accepted = accept.split(',').map((part) => part.split(';')[0]?.trim().toLowerCase() ?? '');
  if (accepted.includes('*/*') || accepted.includes(requestType)) return requestType;
  if (accepted.includes('text/*')) return 'text/csv';
  if (accepted.includes('application/*')) return 'application/json';
  return accepted.find((type): type is PayloadType => type === 'text/csv' || type === 'application/json');
}

const invalid = (message: string): ParsedInstances => ({ kind: 'invalid', message });

/** Rows of a `text/csv` body. */
export function parseCsvInstances(body: Uint8Array): ParsedInstances {
  const parsed = parseCsvRecords(body, INFERENCE_FEATURES.length + 1);
  if (parsed.kind === 'malformed') return invalid(`malformed CSV: ${parsed.reason}`);
  if (parsed.records.length === 0) return invalid('the body has no rows');
  const rows: FeatureValues[] = [];
  for (const [index, record] of parsed.records.entries()) {
    if (record.fields.length !== INFERENCE_FEATURES.length) {
      return invalid(
        `row ${index + 1}: expected ${INFERENCE_FEATURES.length} values (${INFERENCE_FEATURES.join(', ')}), ` +
          `got ${record.fields.length}`,
      );
    }
    const features = parseFeatures((name) => record.fields[INFERENCE_FEATURES.indexOf(name)] ?? '');
    if (isFeatureProblem(features)) {
      const hint = index === 0 && features.value.trim() === features.column ? ' (send no header row)' : '';
      return invalid(`row ${index + 1}: ${describeProblem(features)}${hint}`);
    }
    rows.push(features);
  }
  return { kind: 'instances', rows };
}

const JsonBody = z.object({
  instances: z.array(z.record(z.string(), z.unknown())).min(1),
});

/** A JSON value as the text the feature parser reads; undefined for a value no column can hold. */
function jsonText(value: unknown): string | undefined {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  return undefined;
}

/** Rows of an `application/json` body. */
export function parseJsonInstances(body: Uint8Array): ParsedInstances {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch (error) {
    return invalid(`malformed JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = JsonBody.safeParse(json);
  if (!parsed.success) {
    return invalid(
      'expected {"instances":[{"tenure_months":..., ...}, ...]} with at least one instance ' +
        `(${parsed.error.issues[0]?.path.join('.') || 'body'}: ${parsed.error.issues[0]?.message ?? 'invalid'})`,
    );
  }
  const rows: FeatureValues[] = [];
  for (const [index, instance] of parsed.data.instances.entries()) {
    const features: unknown = instance.features;
    const positional: readonly unknown[] | undefined = Array.isArray(features) ? features : undefined;
    if (positional !== undefined && positional.length !== INFERENCE_FEATURES.length) {
      return invalid(
        `instances[${index}].features: expected ${INFERENCE_FEATURES.length} values (${INFERENCE_FEATURES.join(', ')}), ` +
          `got ${positional.length}`,
      );
    }
    const value = (name: FeatureName): unknown =>
      positional === undefined ? instance[name] : positional[INFERENCE_FEATURES.indexOf(name)];
    let unusable: FeatureName | undefined;
    const row = parseFeatures((name) => {
      const text = jsonText(value(name));
      if (text === undefined) unusable ??= name;
      return text ?? '';
    });
    if (unusable !== undefined) {
      return invalid(
        `instances[${index}].${unusable}: expected a number, a string or null, got ${JSON.stringify(value(unusable))}`,
      );
    }
    if (isFeatureProblem(row)) return invalid(`instances[${index}]: ${describeProblem(row)}`);
    rows.push(row);
  }
  return { kind: 'instances', rows };
}

/** One probability per line, 6 decimals (enough to rank 1M rows, short enough for capture files). */
export function formatCsvPredictions(scores: readonly number[]): string {
  return scores.map((score) => score.toFixed(6)).join('\n');
}

export function formatJsonPredictions(scores: readonly number[], threshold: number): string {
  return JSON.stringify({
    predictions: scores.map((score) => ({
      score: Number(score.toFixed(6)),
      predicted_label: score >= threshold ? 1 : 0,
    })),
  });
}
