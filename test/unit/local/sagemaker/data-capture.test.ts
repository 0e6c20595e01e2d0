import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  captureEncoding,
  captureObjectKey,
  formatCaptureRecord,
  hourFolder,
  inferenceTime,
} from '../../../../local/sagemaker/data-capture';
import type { DataCaptureConfig } from '../../../../local/sagemaker/endpoint-shapes';

const SAMPLES = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'sagemaker', 'capture-samples');

function sampleLines(file: string): unknown[] {
  return readFileSync(join(SAMPLES, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line): unknown => JSON.parse(line));
}

/** Every key path of a JSON value, e.g. `captureData.endpointInput.mode`. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => keyPaths(inner, prefix === '' ? key : `${prefix}.${key}`));
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

const csvAndJson: DataCaptureConfig = {
  InitialSamplingPercentage: 100,
  DestinationS3Uri: 's3://bucket/capture',
  CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
  CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'], JsonContentTypes: ['application/json'] },
};

describe('formatCaptureRecord', () => {
  it('has the member order and layout of a real endpoint capture (captured-data.jsonl)', () => {
    const [real] = sampleLines('captured-data.jsonl');
    const ours = formatCaptureRecord({
      config: csvAndJson,
      input: { contentType: 'application/json', body: encode('{"instances": [1.0, 2.0, 5.0]}') },
      output: { contentType: 'application/json', body: encode('{\n    "predictions": [3.5, 4.0, 5.5\n    ]\n}') },
      eventId: '12b73486-e916-45de-9d82-7fa23d4a39a6',
      inferenceTimeMs: Date.parse('2019-11-24T07:30:50Z'),
    });

    // Same bytes as the sample line: member order, encodings, text data and second-precision time.
    expect(JSON.stringify(ours)).toBe(JSON.stringify(real));
  });

  it('reproduces a CSV record of the SDK sample (capture.jsonl), up to its time placeholder', () => {
    const [sample] = sampleLines('capture.jsonl');
    const ours = formatCaptureRecord({
      config: csvAndJson,
      input: { contentType: 'text/csv', body: encode('9,45,45,42,7,5,0') },
      output: { contentType: 'text/csv', body: encode('0.302709460258') },
      eventId: '74b0dd56-e7c8-368e-94b1-14a138a96000',
      inferenceTimeMs: 0,
    });
    expect(keyPaths(ours).sort()).toEqual(keyPaths(sample).sort());
    expect(ours).toMatchObject({
      captureData: (sample as { captureData: unknown }).captureData,
      eventMetadata: { eventId: '74b0dd56-e7c8-368e-94b1-14a138a96000' },
      eventVersion: '0',
    });
  });

  it('adds inferenceId to eventMetadata only when the request had one', () => {
    const base = {
      config: csvAndJson,
      input: { contentType: 'text/csv', body: encode('1,2') },
      output: { contentType: 'text/csv', body: encode('0.5') },
      eventId: 'e-1',
      inferenceTimeMs: 0,
    };
    expect(formatCaptureRecord({ ...base, inferenceId: 'req-1' }).eventMetadata).toEqual({
      eventId: 'e-1',
      inferenceId: 'req-1',
      inferenceTime: '1970-01-01T00:00:00Z',
    });
    expect(formatCaptureRecord(base).eventMetadata).not.toHaveProperty('inferenceId');
  });

  it('captures BASE64 when the content type is not listed, and only the configured sides', () => {
    const record = formatCaptureRecord({
      config: { ...csvAndJson, CaptureOptions: [{ CaptureMode: 'Input' }] },
      input: { contentType: 'application/x-npy', body: new Uint8Array([0, 1, 255]) },
      output: { contentType: 'text/csv', body: encode('0.5') },
      eventId: 'e-2',
      inferenceTimeMs: 0,
    });
    expect(record.captureData).toEqual({
      endpointInput: { observedContentType: 'application/x-npy', mode: 'INPUT', data: 'AAH/', encoding: 'BASE64' },
    });
  });
});

describe('captureEncoding', () => {
  it('is BASE64 for everything without CaptureContentTypeHeader', () => {
    const { CaptureContentTypeHeader: _omitted, ...noHeader } = csvAndJson;
    expect(captureEncoding('text/csv', noHeader)).toBe('BASE64');
  });

  it('matches the media type, ignoring parameters and case', () => {
    expect(captureEncoding('text/csv; charset=utf-8', csvAndJson)).toBe('CSV');
    expect(captureEncoding('Application/JSON', csvAndJson)).toBe('JSON');
    expect(captureEncoding('application/jsonlines', csvAndJson)).toBe('BASE64');
  });
});

describe('capture object layout', () => {
  const at = Date.parse('2022-10-10T14:51:15.820Z');

  it('is <prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm>-<ss>-<mmm>-<uuid>.jsonl in UTC', () => {
    expect(
      captureObjectKey(
        { bucket: 'b', key: 'data-capture/' },
        'churn',
        'AllTraffic',
        at,
        'd0e7fdc2-0000-4000-8000-000000000000',
      ),
    ).toBe('data-capture/churn/AllTraffic/2022/10/10/14/51-15-820-d0e7fdc2-0000-4000-8000-000000000000.jsonl');
  });

  it('works with a bucket-root destination', () => {
    expect(captureObjectKey({ bucket: 'b', key: '' }, 'e', 'v', at, 'id')).toBe('e/v/2022/10/10/14/51-15-820-id.jsonl');
  });

  it('formats times like the real sample', () => {
    expect(inferenceTime(at)).toBe('2022-10-10T14:51:15Z');
    expect(hourFolder(Date.parse('2025-01-01T00:59:59.999Z'))).toBe('2025/01/01/00');
  });
});
