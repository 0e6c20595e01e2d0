/**
 * SageMaker's data-capture record and object layout (REFERENCE 3.5, 5.1, 5.2), checked against the capture files
 * in `samples/sagemaker/sagemaker-python-sdk/tests/data/monitor/` (`captured-data.jsonl` was written by a real
 * endpoint): one JSON object per line, members in the order `captureData`, `eventMetadata`, `eventVersion`.
 */
import type { DataCaptureConfig } from './endpoint-shapes';
import type { S3Location } from './s3-location';

/** How `data` is encoded. */
export type CaptureEncoding = 'CSV' | 'JSON' | 'BASE64';

/** One side (request or response) of a captured inference. */
export interface CapturedPayload {
  readonly observedContentType: string;
  readonly mode: 'INPUT' | 'OUTPUT';
  readonly data: string;
  readonly encoding: CaptureEncoding;
}

/** One line of a capture file. */
export interface CaptureRecord {
  readonly captureData: { readonly endpointInput?: CapturedPayload; readonly endpointOutput?: CapturedPayload };
  readonly eventMetadata: { readonly eventId: string; readonly inferenceId?: string; readonly inferenceTime: string };
  readonly eventVersion: '0';
}

/** A request or response body and its content type. */
export interface Payload {
  readonly contentType: string;
  readonly body: Uint8Array;
}

/** What to capture for one invocation. */
export interface CaptureInput {
  readonly config: DataCaptureConfig;
  readonly input: Payload;
  readonly output: Payload;
  readonly eventId: string;
  readonly inferenceId?: string;
  readonly inferenceTimeMs: number;
}

/**
 * The encoding of a payload: CSV or JSON (as text) when its media type is listed in `CaptureContentTypeHeader`,
 * else BASE64; without `CaptureContentTypeHeader` everything is BASE64 (REFERENCE 3.5).
 * [U] Whether SageMaker compares the full header or the media type alone is undocumented; parameters such as
 * `; charset=utf-8` are ignored here so `text/csv; charset=utf-8` matches `text/csv`.
 */
export function captureEncoding(contentType: string, config: DataCaptureConfig): CaptureEncoding {
  const media = mediaType(contentType);
  const header = config.CaptureContentTypeHeader;
  if (header?.CsvContentTypes?.some((type) => mediaType(type) === media) === true) return 'CSV';
  if (header?.JsonContentTypes?.some((type) => mediaType(type) === media) === true) return 'JSON';
  return 'BASE64';
}

function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** `data` for a payload: the text for CSV/JSON, base64 for BASE64. */
export function encodeCaptureData(body: Uint8Array, encoding: CaptureEncoding): string {
  return encoding === 'BASE64' ? Buffer.from(body).toString('base64') : new TextDecoder().decode(body);
}

/** Which sides `CaptureOptions` asks for. */
export function captureModes(config: DataCaptureConfig): { input: boolean; output: boolean } {
  const modes = config.CaptureOptions.map((option) => option.CaptureMode);
  return {
    input: modes.includes('Input') || modes.includes('InputAndOutput'),
    output: modes.includes('Output') || modes.includes('InputAndOutput'),
  };
}

/**
 * Builds the record. `inferenceId` sits in `eventMetadata` [P: the docs say it is recorded; the placement is the
 * one Model Monitor's merge expects]; with only Input or only Output captured the other side is absent [P].
 */
export function formatCaptureRecord(capture: CaptureInput): CaptureRecord {
  const modes = captureModes(capture.config);
  const side = (payload: Payload, mode: 'INPUT' | 'OUTPUT'): CapturedPayload => {
    const encoding = captureEncoding(payload.contentType, capture.config);
    return {
      observedContentType: payload.contentType,
      mode,
      data: encodeCaptureData(payload.body, encoding),
      encoding,
    };
  };
  return {
    captureData: {
      ...(modes.input ? { endpointInput: side(capture.input, 'INPUT') } : {}),
      ...(modes.output ? { endpointOutput: side(capture.output, 'OUTPUT') } : {}),
    },
    eventMetadata: {
      eventId: capture.eventId,
      ...(capture.inferenceId === undefined ? {} : { inferenceId: capture.inferenceId }),
      inferenceTime: inferenceTime(capture.inferenceTimeMs),
    },
    eventVersion: '0',
  };
}

/** `2019-11-24T07:30:50Z`: UTC, second precision, as in the real capture sample. */
export function inferenceTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `yyyy/mm/dd/hh` in UTC [U: UTC is likely, not documented]. */
export function hourFolder(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}`;
}

/**
 * Key of a capture file: `<DestinationS3Uri key>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm>-<ss>-<mmm>-<uuid>.jsonl`.
 * The folder layout is documented [V]; the file name follows the observed `51-15-820-<uuid>.jsonl` pattern [P].
 */
export function captureObjectKey(
  destination: S3Location,
  endpointName: string,
  variantName: string,
  fileTimeMs: number,
  fileId: string,
): string {
  const iso = new Date(fileTimeMs).toISOString();
  const name = `${iso.slice(14, 16)}-${iso.slice(17, 19)}-${iso.slice(20, 23)}-${fileId}.jsonl`;
  const base = destination.key.replace(/\/+$/, '');
  return [base, endpointName, variantName, hourFolder(fileTimeMs), name].filter((part) => part !== '').join('/');
}
