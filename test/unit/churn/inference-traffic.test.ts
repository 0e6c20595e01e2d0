import { describe, expect, it } from 'vitest';

import { INFERENCE_FEATURES } from '../../../pipelines/churn/local/feature-order';
import { parseCsvInstances } from '../../../pipelines/churn/local/invocation-payloads';
import { COMPETITOR_ENTERS } from '../../../pipelines/churn/world/churn-concepts';
import { PRICE_HIKE_POPULATION } from '../../../pipelines/churn/world/customers';
import { inferenceRequests, requestRow } from '../../../pipelines/churn/world/inference-traffic';

describe('inferenceRequests', () => {
  it('is a function of its seed, with a unique inference id per request', () => {
    const requests = inferenceRequests(41, 2000);

    expect(inferenceRequests(41, 2000)).toEqual(requests);
    expect(new Set(requests.map((r) => r.inferenceId)).size).toBe(2000);
    expect(requests.every((r) => r.inferenceId.length <= 64)).toBe(true); // InvokeEndpoint's InferenceId limit
    expect(inferenceRequests(42, 10).map((r) => r.inferenceId)).not.toEqual(
      requests.slice(0, 10).map((r) => r.inferenceId),
    );
  });

  it('writes one CSV row in the serving feature order that the server reads back to the same features', () => {
    const requests = inferenceRequests(43, 3000);
    const parsed = parseCsvInstances(new TextEncoder().encode(requests.map((r) => r.body).join('\n')));

    expect(parsed.kind).toBe('instances');
    expect(parsed.kind === 'instances' ? parsed.rows : []).toEqual(requests.map((r) => r.features));
    const withComma = requests.find((r) => r.features.payment_method.includes(','));
    expect(withComma?.body).toContain('"Digital wallet (Apple Pay, Google Pay)"');
    const firstMonth = requests.find((r) => r.features.total_charges === null);
    expect(firstMonth?.body.split(',')[INFERENCE_FEATURES.indexOf('total_charges')]).toBe('');
    expect(requests.every((r) => !r.body.includes('\n'))).toBe(true);
  });

  it('spaces requests from the start time and keeps the hidden truth consistent with the labels', () => {
    const requests = inferenceRequests(44, 5000, { start: '2026-03-01T10:00:00Z', meanIntervalMs: 500 });
    const times = requests.map((r) => Date.parse(r.inferenceTime));
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

    expect(requests[0]?.inferenceTime).toBe('2026-03-01T10:00:00.000Z');
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    expect((times.at(-1)! - times[0]!) / 4999).toBeGreaterThan(400);
    expect((times.at(-1)! - times[0]!) / 4999).toBeLessThan(600);
    expect(mean(requests.map((r) => r.label))).toBeCloseTo(mean(requests.map((r) => r.probability)), 1);
  });

  it('keeps customers and ids under another concept, and draws other customers from another population', () => {
    const steady = inferenceRequests(45, 300);
    const shifted = inferenceRequests(45, 300, { concept: COMPETITOR_ENTERS });
    const hiked = inferenceRequests(45, 300, { population: PRICE_HIKE_POPULATION });

    expect(shifted.map((r) => [r.inferenceId, r.body])).toEqual(steady.map((r) => [r.inferenceId, r.body]));
    expect(shifted.map((r) => r.probability)).not.toEqual(steady.map((r) => r.probability));
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[150]!;
    expect(median(hiked.map((r) => r.features.monthly_charges))).toBeGreaterThan(
      1.5 * median(steady.map((r) => r.features.monthly_charges)),
    );
  });

  it('refuses a start that is not a time', () => {
    expect(() => inferenceRequests(46, 1, { start: 'yesterday' })).toThrow(/start: expected an ISO-8601 time/);
  });

  it('renders a request row from features', () => {
    expect(
      requestRow({
        tenure_months: 0,
        monthly_charges: 29.9,
        total_charges: null,
        contract_type: 'month-to-month',
        payment_method: 'Digital wallet (Apple Pay, Google Pay)',
        support_calls: 2,
        plan: 'basic',
      }),
    ).toBe('0,29.9,,month-to-month,"Digital wallet (Apple Pay, Google Pay)",2,basic');
  });
});
