/**
 * Ground truth for served requests, as SageMaker Model Monitor reads it (REFERENCE 5.3): one JSON object per line,
 * `{"groundTruthData":{"data":"1","encoding":"CSV"},"eventMetadata":{"eventId":"<inference id>"},"eventVersion":"0"}`,
 * in files under `<prefix>/yyyy/mm/dd/hh/` of the UTC hour the labels were collected, which is some hours after the
 * inference. Some labels never arrive (customers who cannot be followed up), as in real feedback loops.
 */
import { SeededRandom } from './seeded-random';

/** A served request the world knows the outcome of (an `InferenceRequest` is one). */
export interface ServedInference {
  readonly inferenceId: string;
  /** When it was served (ISO-8601 or a Date). */
  readonly inferenceTime: string | Date;
  readonly label: 0 | 1;
}

export interface GroundTruthOptions {
  /** Key prefix, e.g. `ground-truth/churn` (a trailing slash is ignored). */
  readonly prefix: string;
  /** Seed for which labels go missing and how late each arrives. @default 0 */
  readonly seed?: number;
  /** Share of labels that never arrive, 0 to 1. @default 0.1 */
  readonly missingShare?: number;
  /** Hours between inference and label, uniform in [min, max]. @default { min: 1, max: 3 } */
  readonly delayHours?: { readonly min: number; readonly max: number };
  /** File name stem inside each hour folder. @default 'labels' */
  readonly fileStem?: string;
}

/** One JSON Lines file of labels. */
export interface GroundTruthFile {
  /** `<prefix>/yyyy/mm/dd/hh/<stem>-<seed>.jsonl` */
  readonly key: string;
  readonly body: string;
  readonly records: number;
  /** The UTC hour the labels were collected (ISO-8601, minutes zero). */
  readonly collectedAt: string;
}

/** One ground-truth record (no line ending). */
export function groundTruthRecord(inferenceId: string, label: 0 | 1): string {
  return JSON.stringify({
    groundTruthData: { data: String(label), encoding: 'CSV' },
    eventMetadata: { eventId: inferenceId },
    eventVersion: '0',
  });
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `yyyy/mm/dd/hh` of a UTC time. */
export function hourPath(time: Date): string {
  return `${time.getUTCFullYear()}/${pad(time.getUTCMonth() + 1)}/${pad(time.getUTCDate())}/${pad(time.getUTCHours())}`;
}

/**
 * The label files for `served`: each label lands in the hour folder of its inference time plus its delay; labels
 * drawn as missing are left out. Files are ordered by hour, records by arrival time.
 */
export function groundTruthFiles(served: readonly ServedInference[], options: GroundTruthOptions): GroundTruthFile[] {
  const seed = options.seed ?? 0;
  const missingShare = options.missingShare ?? 0.1;
  const delay = options.delayHours ?? { min: 1, max: 3 };
  if (missingShare < 0 || missingShare > 1) throw new RangeError(`missingShare: expected 0 to 1, got ${missingShare}`);
  if (delay.min < 0 || delay.max < delay.min) {
    throw new RangeError(`delayHours: expected 0 <= min <= max, got ${delay.min} and ${delay.max}`);
  }
  const random = new SeededRandom(seed).fork('ground-truth');
  const prefix = options.prefix.replace(/\/+$/, '');
  const stem = options.fileStem ?? 'labels';
  const byHour = new Map<string, { at: number; line: string }[]>();
  for (const inference of served) {
    const missing = random.bernoulli(missingShare);
    const arrives = new Date(inference.inferenceTime).getTime() + random.uniform(delay.min, delay.max) * 3_600_000;
    if (missing) continue;
    if (Number.isNaN(arrives)) {
      throw new RangeError(
        `inference ${inference.inferenceId}: invalid inferenceTime ${String(inference.inferenceTime)}`,
      );
    }
    const hour = hourPath(new Date(arrives));
    const entries = byHour.get(hour) ?? [];
    entries.push({ at: arrives, line: groundTruthRecord(inference.inferenceId, inference.label) });
    byHour.set(hour, entries);
  }
  return [...byHour.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([hour, entries]) => {
      entries.sort((a, b) => a.at - b.at);
      const [y, m, d, h] = hour.split('/');
      return {
        key: `${prefix}/${hour}/${stem}-${seed}.jsonl`,
        body: entries.map((e) => e.line).join('\n') + '\n',
        records: entries.length,
        collectedAt: `${y}-${m}-${d}T${h}:00:00.000Z`,
      };
    });
}
