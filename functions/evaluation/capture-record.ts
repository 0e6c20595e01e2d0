/**
 * One line of SageMaker data capture (JSON Lines, one inference per line; REFERENCE.md 5.1):
 *
 * ```json
 * {"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"12,0,153.7,1","encoding":"CSV"},
 *                 "endpointOutput":{"observedContentType":"text/csv","mode":"OUTPUT","data":"0.83","encoding":"CSV"}},
 *  "eventMetadata":{"eventId":"0f8f…","inferenceId":"req-000123","inferenceTime":"2025-01-15T10:00:05Z"},"eventVersion":"0"}
 * ```
 *
 * The byte scanner finds the fields where they are; a line it does not accept goes through `JSON.parse` and comes
 * back in a canonical form, so both paths yield the same fields. Members may come in any order (the SDK's samples put
 * `eventMetadata` first), `inferenceId` is optional, and either side of `captureData` may be missing (capture of
 * input or output only).
 */
import { ObjectShape, scanLine, StringSlot } from './json-line-scanner';

/** How a captured payload's `data` string is encoded. */
export const ENCODING_CSV = 1;
export const ENCODING_JSON = 2;
export const ENCODING_BASE64 = 3;

/** `endpointInput` or `endpointOutput`, or `groundTruthData`: a payload and how it is encoded. */
export class PayloadFields extends ObjectShape {
  constructor(
    public readonly contentType = new StringSlot(),
    public readonly mode = new StringSlot(),
    public readonly data = new StringSlot(),
    public readonly encoding = new StringSlot(),
  ) {
    super({ observedContentType: contentType, mode, data, encoding });
  }
}

/** `eventMetadata`. */
export class EventMetadataFields extends ObjectShape {
  constructor(
    public readonly eventId = new StringSlot(),
    public readonly inferenceId = new StringSlot(),
    public readonly inferenceTime = new StringSlot(),
  ) {
    super({ eventId, inferenceId, inferenceTime });
  }
}

/** The fields of a capture line, reused from line to line (the hot loop allocates nothing). */
export class CaptureFields extends ObjectShape {
  private readonly captureData: ObjectShape;

  constructor(
    public readonly input = new PayloadFields(),
    public readonly output = new PayloadFields(),
    public readonly metadata = new EventMetadataFields(),
    public readonly eventVersion = new StringSlot(),
    captureData = new ObjectShape({ endpointInput: input, endpointOutput: output }),
  ) {
    super({ captureData, eventMetadata: metadata, eventVersion });
    this.captureData = captureData;
  }

  /** Whether the line had a `captureData` object. */
  get hasCaptureData(): boolean {
    return this.captureData.seen;
  }
}

/** The fields of a ground-truth line (REFERENCE.md 5.3). */
export class GroundTruthFields extends ObjectShape {
  constructor(
    public readonly label = new PayloadFields(),
    public readonly metadata = new EventMetadataFields(),
    public readonly eventVersion = new StringSlot(),
  ) {
    super({ groundTruthData: label, eventMetadata: metadata, eventVersion });
  }
}

/**
 * What scanning a line gives: the buffer its fields point into (the line's own, or a canonical copy made by the
 * fallback), or why the line is not a JSON object.
 */
export type ScannedLine = Uint8Array | string;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Only the members the scanner reads, each kept only when it has the type the scanner expects. */
function pick(value: unknown, shape: Readonly<Record<string, true | Readonly<Record<string, unknown>>>>): unknown {
  if (!isObject(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, inner] of Object.entries(shape)) {
    const v = value[name];
    if (inner === true) {
      if (typeof v === 'string') out[name] = v;
    } else if (isObject(v)) {
      out[name] = pick(v, inner as Readonly<Record<string, true | Readonly<Record<string, unknown>>>>);
    }
  }
  return out;
}

const PAYLOAD = { observedContentType: true, mode: true, data: true, encoding: true } as const;
const METADATA = { eventId: true, inferenceId: true, inferenceTime: true } as const;
const CAPTURE_SHAPE = {
  captureData: { endpointInput: PAYLOAD, endpointOutput: PAYLOAD },
  eventMetadata: METADATA,
  eventVersion: true,
} as const;
const GROUND_TRUTH_SHAPE = { groundTruthData: PAYLOAD, eventMetadata: METADATA, eventVersion: true } as const;

/**
 * Scans a line into `fields`: the bytes themselves when the scanner accepts them, else `JSON.parse` and a canonical
 * copy of the members it knows. Returns the buffer the fields point into, or the reason the line is not JSON.
 */
function scanWithFallback(
  buf: Uint8Array,
  start: number,
  end: number,
  fields: CaptureFields | GroundTruthFields,
  shape: Readonly<Record<string, unknown>>,
): ScannedLine {
  if (scanLine(buf, start, end, fields)) return buf;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8', start, end));
  } catch (error) {
    return `invalid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (!isObject(parsed))
    return `expected a JSON object, got ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed}`;
  const canonical = Buffer.from(
    JSON.stringify(pick(parsed, shape as Readonly<Record<string, true | Readonly<Record<string, unknown>>>>)),
  );
  if (!scanLine(canonical, 0, canonical.length, fields)) throw new Error('the canonical form of a line did not scan');
  return canonical;
}

/** Scans a data-capture line. */
export function scanCaptureLine(buf: Uint8Array, start: number, end: number, fields: CaptureFields): ScannedLine {
  return scanWithFallback(buf, start, end, fields, CAPTURE_SHAPE);
}

/** Scans a ground-truth line. */
export function scanGroundTruthLine(
  buf: Uint8Array,
  start: number,
  end: number,
  fields: GroundTruthFields,
): ScannedLine {
  return scanWithFallback(buf, start, end, fields, GROUND_TRUTH_SHAPE);
}

/** The encoding code of a payload (`CSV`, `JSON`, `BASE64`, any case), or 0 when absent or unknown. */
export function encodingOf(buf: Uint8Array, fields: PayloadFields): number {
  const slot = fields.encoding;
  if (!slot.present || slot.escaped) return 0;
  const n = slot.end - slot.start;
  const c = buf[slot.start]! | 0x20;
  if (n === 3 && c === 0x63 && (buf[slot.start + 1]! | 0x20) === 0x73 && (buf[slot.start + 2]! | 0x20) === 0x76) {
    return ENCODING_CSV;
  }
  if (n === 4 && c === 0x6a) {
    return (buf[slot.start + 1]! | 0x20) === 0x73 &&
      (buf[slot.start + 2]! | 0x20) === 0x6f &&
      (buf[slot.start + 3]! | 0x20) === 0x6e
      ? ENCODING_JSON
      : 0;
  }
  if (n === 6 && c === 0x62) {
    const text = Buffer.from(buf.buffer, buf.byteOffset + slot.start, n)
      .toString('latin1')
      .toUpperCase();
    return text === 'BASE64' ? ENCODING_BASE64 : 0;
  }
  return 0;
}
