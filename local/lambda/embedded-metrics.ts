/**
 * What CloudWatch Logs does with a Lambda function's log on AWS: every line that is an embedded-metric-format (EMF)
 * document becomes metric data points, with no call from the function. Locally the functions' output goes to log
 * files; this module reads the same lines and puts the points into the emulator's CloudWatch (`PutMetricData`), so
 * `GetMetricStatistics`, `ListMetrics` and alarms on those metrics see what they would see on AWS.
 *
 * The EMF specification (REFERENCE.md; AWS docs "Embedded metric format specification"): a JSON object with
 * `_aws.Timestamp` (epoch ms) and `_aws.CloudWatchMetrics[]`, each directive with `Namespace`, `Dimensions` (sets of
 * member names) and `Metrics` (`Name`, optional `Unit`); the values, and the dimension values, are top-level
 * members: a number or an array of numbers (at most 100 values).
 */
import {
  PutMetricDataCommand,
  type CloudWatchClient,
  type MetricDatum,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import type { BackgroundErrorHandler } from '../sagemaker/event-sink';

/** The metric data of one EMF document, by namespace; null when the line is not an EMF document. */
export function emfMetricData(line: string): { namespace: string; data: MetricDatum[] }[] | null {
  if (!line.includes('"_aws"')) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null) return null;
  const members = doc as Record<string, unknown>;
  const aws = members['_aws'];
  if (typeof aws !== 'object' || aws === null) return null;
  const { Timestamp, CloudWatchMetrics } = aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown };
  if (typeof Timestamp !== 'number' || !Array.isArray(CloudWatchMetrics)) return null;
  const out: { namespace: string; data: MetricDatum[] }[] = [];
  for (const directive of CloudWatchMetrics as unknown[]) {
    if (typeof directive !== 'object' || directive === null) continue;
    const { Namespace, Dimensions, Metrics } = directive as Record<string, unknown>;
    if (typeof Namespace !== 'string' || !Array.isArray(Metrics)) continue;
    const sets = Array.isArray(Dimensions) && Dimensions.length > 0 ? (Dimensions as unknown[]) : [[]];
    const data: MetricDatum[] = [];
    for (const set of sets) {
      if (!Array.isArray(set)) continue;
      const dimensions = set.flatMap((name) => {
        const value = typeof name === 'string' ? members[name] : undefined;
        return typeof value === 'string' || typeof value === 'number'
          ? [{ Name: name as string, Value: String(value) }]
          : [];
      });
      if (dimensions.length !== set.length) continue; // a dimension without its value: CloudWatch drops the set
      for (const metric of Metrics as unknown[]) {
        if (typeof metric !== 'object' || metric === null) continue;
        const { Name, Unit } = metric as { Name?: unknown; Unit?: unknown };
        if (typeof Name !== 'string') continue;
        const value = members[Name];
        const values = (Array.isArray(value) ? value : [value]).filter(
          (v): v is number => typeof v === 'number' && Number.isFinite(v),
        );
        if (values.length === 0) continue;
        data.push({
          MetricName: Name,
          Dimensions: dimensions,
          Timestamp: new Date(Timestamp),
          ...(values.length === 1 ? { Value: values[0] } : { Values: values.slice(0, 100) }),
          ...(typeof Unit === 'string' ? { Unit: Unit as StandardUnit } : {}),
        });
      }
    }
    if (data.length > 0) out.push({ namespace: Namespace, data });
  }
  return out;
}

/** Puts the EMF documents of functions' log lines into the emulator's CloudWatch; `flush()` waits for them. */
export class LocalEmbeddedMetrics {
  private readonly pending = new Set<Promise<void>>();
  private readonly partial = new Map<string, string>();

  public constructor(
    private readonly cloudwatch: CloudWatchClient,
    private readonly onError: BackgroundErrorHandler,
  ) {}

  /** A chunk of a function's stdout (`stream` names it, so lines split across chunks are joined). */
  public write(stream: string, chunk: Buffer | string): void {
    const text = (this.partial.get(stream) ?? '') + chunk.toString();
    const lines = text.split('\n');
    this.partial.set(stream, lines.pop() ?? '');
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    const metrics = emfMetricData(line.trim());
    if (metrics === null) return;
    for (const { namespace, data } of metrics) {
      for (let i = 0; i < data.length; i += 1000) {
        const put = this.cloudwatch
          .send(new PutMetricDataCommand({ Namespace: namespace, MetricData: data.slice(i, i + 1000) }))
          .then(
            () => undefined,
            (error: unknown) => this.onError(error, `PutMetricData ${namespace}`),
          );
        this.pending.add(put);
        void put.finally(() => this.pending.delete(put));
      }
    }
  }

  /** Waits until every metric read so far is in CloudWatch. */
  public async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
