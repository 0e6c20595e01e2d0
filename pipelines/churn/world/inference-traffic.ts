/**
 * Live traffic for the churn endpoint: one `text/csv` request per customer, in the serving feature order
 * (`INFERENCE_FEATURES`), with an inference id (sent as InvokeEndpoint's `InferenceId`, which data capture records and
 * ground truth joins on) and the hidden truth kept aside for labelling later. Pure: a seed gives the same requests.
 */
import { formatCsvRecord } from '../local/csv-records';
import { INFERENCE_FEATURES, type FeatureValues } from '../local/feature-order';
import { churnProbability, STEADY_MARKET, type ChurnConcept } from './churn-concepts';
import { BASELINE_POPULATION, drawCustomer, type Population } from './customers';
import { SeededRandom } from './seeded-random';

/** One request, and what the world knows about it that the endpoint does not. */
export interface InferenceRequest {
  /** Unique per request (a UUID from the seed); InvokeEndpoint's `InferenceId`, ground truth's `eventId`. */
  readonly inferenceId: string;
  /** The request body: one CSV row of the 7 features, no header, no line ending. */
  readonly body: string;
  readonly contentType: 'text/csv';
  /** When the request is meant to be sent (ISO-8601, UTC); labels become known some hours later. */
  readonly inferenceTime: string;
  readonly customerId: string;
  readonly features: FeatureValues;
  /** The true churn probability under the concept in force. */
  readonly probability: number;
  /** Whether the customer churns (drawn from `probability`): the ground truth label. */
  readonly label: 0 | 1;
}

export interface InferenceTrafficOptions {
  /** Why customers churn while this traffic is served. @default STEADY_MARKET */
  readonly concept?: ChurnConcept;
  /** Who calls. @default BASELINE_POPULATION */
  readonly population?: Population;
  /** Time of the first request. @default '2026-01-15T09:00:00.000Z' */
  readonly start?: string | Date;
  /** Mean time between requests (exponential gaps, as independent arrivals have). @default 1000 */
  readonly meanIntervalMs?: number;
}

export const DEFAULT_TRAFFIC_START = '2026-01-15T09:00:00.000Z';

/** The CSV request row for a customer's features, in {@link INFERENCE_FEATURES} order. */
export function requestRow(features: FeatureValues): string {
  return formatCsvRecord(
    INFERENCE_FEATURES.map((name) => {
      const value = features[name];
      return value === null ? '' : String(value);
    }),
  );
}

/** `n` requests from the seed. */
export function inferenceRequests(seed: number, n: number, options: InferenceTrafficOptions = {}): InferenceRequest[] {
  const root = new SeededRandom(seed);
  const customers = root.fork('traffic-customers');
  const labels = root.fork('traffic-labels');
  const arrivals = root.fork('traffic-arrivals');
  const ids = root.fork('traffic-ids');
  const concept = options.concept ?? STEADY_MARKET;
  const meanInterval = options.meanIntervalMs ?? 1000;
  let time = new Date(options.start ?? DEFAULT_TRAFFIC_START).getTime();
  if (Number.isNaN(time)) throw new RangeError(`start: expected an ISO-8601 time, got ${String(options.start)}`);
  const requests: InferenceRequest[] = [];
  for (let i = 0; i < n; i++) {
    const customer = drawCustomer(customers, options.population ?? BASELINE_POPULATION);
    const probability = churnProbability(customer, concept);
    const { customer_id: customerId, dissatisfaction: _hidden, ...features } = customer;
    requests.push({
      inferenceId: ids.uuid(),
      body: requestRow(features),
      contentType: 'text/csv',
      inferenceTime: new Date(Math.round(time)).toISOString(),
      customerId,
      features,
      probability,
      label: labels.next() < probability ? 1 : 0,
    });
    time += arrivals.exponential(meanInterval);
  }
  return requests;
}
