/**
 * What one scheduled evaluation reads, decided before anything is read:
 *
 * - the window: `[time - labelLagHours - windowHours, time - labelLagHours)` of inference times, where `time` is the
 *   schedule's (EventBridge's `time` of the scheduled event) or the request's; its labels are looked for up to `time`;
 * - its id, the same for every delivery of one scheduled event (so a redelivery finds the evaluation it made);
 * - its parts: the window's capture objects, grouped by hour partition, cut so that no part reads more than a byte
 *   budget (a part's join index grows with its captures). Every part reads all the window's ground truth, as
 *   {@link EvaluationAccumulator.merge} requires; the parts' states are merged into one evaluation.
 */
import { createHash } from 'node:crypto';
import { parseCaptureKey } from './capture-layout';

const HOUR_MS = 3_600_000;

/** The evaluated window of inference times, `[start, end)`. */
export interface EvaluationWindow {
  readonly start: Date;
  readonly end: Date;
}

/** The window evaluated at `time`. */
export function evaluationWindow(
  time: Date,
  config: { readonly windowHours: number; readonly labelLagHours: number },
): EvaluationWindow {
  const end = new Date(time.getTime() - config.labelLagHours * HOUR_MS);
  return { start: new Date(end.getTime() - config.windowHours * HOUR_MS), end };
}

const compact = (t: Date) =>
  t
    .toISOString()
    .replace(/\.\d{3}Z$/, '')
    .replace(/[-:]/g, '')
    .toLowerCase();

/**
 * The id of the evaluation of `pipeline` at `time`: `<yyyymmddthhmmss>-<8 hex>`, the hex a hash of the pipeline, the
 * time and `nonce` (a request id for evaluations asked for by people; none for the schedule, so that every delivery
 * of one scheduled event gets the same id).
 */
export function evaluationIdOf(pipeline: string, time: Date, nonce = ''): string {
  const hash = createHash('sha256').update(`${pipeline}\n${time.toISOString()}\n${nonce}`).digest('hex');
  return `${compact(time)}-${hash.slice(0, 8)}`;
}

/** A listed capture or ground-truth object. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
}

/** A capture object with the variant and hour its key names. */
export interface PlannedCapture extends ListedObject {
  readonly variant: string;
  /** ISO-8601 hour of its partition. */
  readonly hour: string;
}

/** What the evaluation reads, in parts. */
export interface EvaluationPlan {
  readonly parts: readonly (readonly PlannedCapture[])[];
  readonly groundTruth: readonly ListedObject[];
  readonly captureBytes: number;
  readonly groundTruthBytes: number;
  /** Listed capture keys outside the layout (not read, counted). */
  readonly skippedKeys: number;
}

/** The default byte budget of one part: about 5M captured requests, a join index of about 300 MB. */
export const DEFAULT_PART_BYTES = 2 * 1024 ** 3;

/**
 * Cuts the window's captures into parts of at most `partBytes` (a single object larger than the budget is a part
 * of its own). Objects are taken hour by hour, oldest first, so a part is a run of whole hours unless one hour alone
 * exceeds the budget. Zero-byte objects are left out (SageMaker never writes them; they hold nothing).
 */
export function planEvaluation(
  captures: readonly ListedObject[],
  groundTruth: readonly ListedObject[],
  capturePrefix: string,
  partBytes = DEFAULT_PART_BYTES,
): EvaluationPlan {
  if (!(partBytes > 0)) throw new RangeError(`partBytes must be > 0, got ${partBytes}`);
  const planned: PlannedCapture[] = [];
  let skippedKeys = 0;
  for (const object of captures) {
    const parsed = parseCaptureKey(object.key, capturePrefix);
    if (parsed === null) {
      skippedKeys++;
      continue;
    }
    if (object.size === 0) continue;
    planned.push({ ...object, variant: parsed.variant, hour: parsed.hour.toISOString() });
  }
  planned.sort((a, b) => (a.hour < b.hour ? -1 : a.hour > b.hour ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const parts: PlannedCapture[][] = [];
  let current: PlannedCapture[] = [];
  let bytes = 0;
  for (let i = 0; i < planned.length;) {
    // One hour's objects, kept together when they fit.
    let j = i;
    let hourBytes = 0;
    while (j < planned.length && planned[j]!.hour === planned[i]!.hour) hourBytes += planned[j++]!.size;
    const hour = planned.slice(i, j);
    i = j;
    if (bytes + hourBytes <= partBytes) {
      current.push(...hour);
      bytes += hourBytes;
      continue;
    }
    if (current.length > 0) parts.push(current);
    current = [];
    bytes = 0;
    for (const object of hour) {
      if (current.length > 0 && bytes + object.size > partBytes) {
        parts.push(current);
        current = [];
        bytes = 0;
      }
      current.push(object);
      bytes += object.size;
    }
  }
  if (current.length > 0 || parts.length === 0) parts.push(current);
  const usableTruth = groundTruth.filter((o) => o.size > 0);
  return {
    parts,
    groundTruth: usableTruth,
    captureBytes: planned.reduce((s, o) => s + o.size, 0),
    groundTruthBytes: usableTruth.reduce((s, o) => s + o.size, 0),
    skippedKeys,
  };
}
