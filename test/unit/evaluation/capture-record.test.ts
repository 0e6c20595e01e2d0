import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CaptureFields,
  encodingOf,
  ENCODING_CSV,
  ENCODING_JSON,
  GroundTruthFields,
  scanCaptureLine,
  scanGroundTruthLine,
} from '../../../functions/evaluation/capture-record';
import { slotText, type StringSlot } from '../../../functions/evaluation/json-line-scanner';
import { sample } from '../../fixtures/samples';
import { seededRandom } from './seeded-random';

const SDK = 'sagemaker/sagemaker-python-sdk/tests/data/monitor';
const lines = (file: string) =>
  fs
    .readFileSync(sample(file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');

const text = (buf: Uint8Array, slot: StringSlot) => (slot.present ? slotText(buf, slot) : undefined);

/** What the scanner found in a capture line, as plain values. */
function scannedCapture(line: string) {
  const buf = Buffer.from(line, 'utf8');
  const f = new CaptureFields();
  const b = scanCaptureLine(buf, 0, buf.length, f);
  if (typeof b === 'string') return { error: true };
  const payload = (p: CaptureFields['input']) =>
    p.seen
      ? {
          observedContentType: text(b, p.contentType),
          mode: text(b, p.mode),
          data: text(b, p.data),
          encoding: text(b, p.encoding),
        }
      : undefined;
  return {
    captureData: f.hasCaptureData,
    input: payload(f.input),
    output: payload(f.output),
    eventId: text(b, f.metadata.eventId),
    inferenceId: text(b, f.metadata.inferenceId),
    inferenceTime: text(b, f.metadata.inferenceTime),
    eventVersion: text(b, f.eventVersion),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: unknown, key: string) => (isObject(o) && typeof o[key] === 'string' ? o[key] : undefined);

/** The same fields read with JSON.parse: the reference the scanner must agree with. */
function parsedCapture(line: string) {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return { error: true };
  }
  if (!isObject(o)) return { error: true };
  const cd = o.captureData;
  const payload = (p: unknown) =>
    isObject(p)
      ? {
          observedContentType: str(p, 'observedContentType'),
          mode: str(p, 'mode'),
          data: str(p, 'data'),
          encoding: str(p, 'encoding'),
        }
      : undefined;
  return {
    captureData: isObject(cd),
    input: isObject(cd) ? payload(cd.endpointInput) : undefined,
    output: isObject(cd) ? payload(cd.endpointOutput) : undefined,
    eventId: str(o.eventMetadata, 'eventId'),
    inferenceId: str(o.eventMetadata, 'inferenceId'),
    inferenceTime: str(o.eventMetadata, 'inferenceTime'),
    eventVersion: str(o, 'eventVersion'),
  };
}

describe('scanCaptureLine', () => {
  it("reads the SageMaker SDK's CSV capture sample (eventMetadata first)", () => {
    const all = lines(`${SDK}/capture.jsonl`);
    expect(all).toHaveLength(44);
    expect(scannedCapture(all[0]!)).toEqual({
      captureData: true,
      input: { observedContentType: 'text/csv', mode: 'INPUT', data: '9,45,45,42,7,5,0', encoding: 'CSV' },
      output: { observedContentType: 'text/csv', mode: 'OUTPUT', data: '0.302709460258', encoding: 'CSV' },
      eventId: '74b0dd56-e7c8-368e-94b1-14a138a96000',
      inferenceId: undefined,
      inferenceTime: '{%s}',
      eventVersion: '0',
    });
    for (const line of all) expect(scannedCapture(line)).toEqual(parsedCapture(line));
  });

  it('decodes escaped JSON payloads of the JSON capture sample, newlines included', () => {
    const [first] = lines(`${SDK}/captured-data.jsonl`);
    const scanned = scannedCapture(first!);
    expect(scanned).toEqual(parsedCapture(first!));
    expect(scanned.input?.data).toBe('{"instances": [1.0, 2.0, 5.0]}');
    expect(scanned.output?.data).toBe('{\n    "predictions": [3.5, 4.0, 5.5\n    ]\n}');
    const buf = Buffer.from(first!);
    const f = new CaptureFields();
    const b = scanCaptureLine(buf, 0, buf.length, f);
    expect(typeof b === 'string' ? b : encodingOf(b, f.input)).toBe(ENCODING_JSON);
  });

  it('gives the reason for a line that is not a JSON object', () => {
    const f = new CaptureFields();
    const scan = (s: string) => scanCaptureLine(Buffer.from(s), 0, Buffer.byteLength(s), f);
    expect(scan('{"captureData":')).toMatch(/^invalid JSON: /);
    expect(scan('[1,2]')).toBe('expected a JSON object, got an array');
    expect(scan('null')).toBe('expected a JSON object, got null');
  });

  it('agrees with JSON.parse on thousands of mutated lines (valid and not)', () => {
    const random = seededRandom(2024);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const seeds = [
      ...lines(`${SDK}/capture.jsonl`).slice(0, 5),
      ...lines(`${SDK}/captured-data.jsonl`),
      '{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"1,a b,\\"q\\"","encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv","mode":"OUTPUT","data":"0.5","encoding":"CSV"}},"eventMetadata":{"eventId":"e-1","inferenceId":"i-1","inferenceTime":"2025-01-15T10:00:05Z"},"eventVersion":"0"}',
    ];
    const pieces = [
      '"',
      '\\',
      '{',
      '}',
      '[',
      ']',
      ':',
      ',',
      ' ',
      '\t',
      '\r',
      'a',
      '0',
      '-',
      '.',
      'e',
      'u',
      '\u0001',
      'é',
      'null',
      'true',
      '1e5',
      '\\u0041',
      '\\n',
    ];
    const variants = (line: string): string[] => {
      const o: unknown = JSON.parse(line);
      const reordered = isObject(o)
        ? JSON.stringify(Object.fromEntries(Object.entries(o).reverse()), null, random() < 0.5 ? 1 : undefined)
        : line;
      return [
        reordered.replace(/\n/g, ' '),
        line.replace('"eventId"', '"\\u0065ventId"'),
        line.replace('{"', '{"extra":[1,-2.5e3,{"x":null},true,false,"s"],"'),
        line.replace('"eventVersion":"0"', '"eventVersion":"0","eventVersion":"1"'),
        line.replace('"eventMetadata":{', '"eventMetadata":{"eventId":"first",'),
        line.replace(/"data":"[^"]*"/, '"data":42'),
        line.replace(/:/g, ' : '),
      ];
    };
    let checked = 0;
    let valid = 0;
    for (const seed of seeds) {
      for (const v of variants(seed)) {
        expect(scannedCapture(v), v).toEqual(parsedCapture(v));
        checked++;
      }
      for (let k = 0; k < 400; k++) {
        let line = seed;
        for (let m = 1 + Math.floor(random() * 2); m > 0; m--) {
          const at = Math.floor(random() * line.length);
          const op = random();
          if (op < 0.4) line = line.slice(0, at) + pick(pieces) + line.slice(at);
          else if (op < 0.7) line = line.slice(0, at) + line.slice(at + 1);
          else line = line.slice(0, at) + pick(pieces) + line.slice(at + 1);
        }
        const expected = parsedCapture(line);
        expect(scannedCapture(line), line).toEqual(expected);
        checked++;
        if (!('error' in expected)) valid++;
      }
    }
    expect(checked).toBeGreaterThan(3000);
    expect(valid).toBeGreaterThan(300);
  });
});

describe('scanGroundTruthLine', () => {
  it("reads the SDK's and the examples' ground truth, spaces after colons included", () => {
    const files = [
      `${SDK}/actuals.jsonl`,
      'sagemaker/amazon-sagemaker-examples/sagemaker_model_monitor/test_gt/01d3c1a8-aa99-4149-9d5e-78bea047a788.jsonl',
    ];
    for (const file of files) {
      for (const line of lines(file)) {
        const buf = Buffer.from(line);
        const f = new GroundTruthFields();
        const b = scanGroundTruthLine(buf, 0, buf.length, f);
        expect(typeof b).not.toBe('string');
        if (typeof b === 'string') continue;
        const parsed = JSON.parse(line) as { groundTruthData: { data: string }; eventMetadata: { eventId: string } };
        expect(slotText(b, f.metadata.eventId)).toBe(parsed.eventMetadata.eventId);
        expect(slotText(b, f.label.data)).toBe(parsed.groundTruthData.data);
        expect(encodingOf(b, f.label)).toBe(ENCODING_CSV);
      }
    }
  });
});
