import { describe, expect, it } from 'vitest';
import {
  CaptureFields,
  GroundTruthFields,
  scanCaptureLine,
  scanGroundTruthLine,
} from '../../../functions/evaluation/capture-record';
import { decodeLabels, RowLabels } from '../../../functions/evaluation/label-decoding';
import {
  decodeInput,
  decodePredictions,
  type InputRowSink,
  type PredictionKind,
  RowPredictions,
} from '../../../functions/evaluation/payload-decoding';
import { captureLine, groundTruthLine, type Payload } from './capture-lines';

/** Rows as the sink saw them: positional values as text, named ones as `name=value`. */
function rowsOf(input: Payload): { rows: string[][] } | { error: string } {
  const line = Buffer.from(captureLine({ eventId: 'e', input, output: '1' }));
  const f = new CaptureFields();
  const b = scanCaptureLine(line, 0, line.length, f);
  if (typeof b === 'string') throw new Error(b);
  const rows: string[][] = [];
  const sink: InputRowSink = {
    row: () => rows.push([]),
    bytes: (i, buf, s, e) => (rows.at(-1)![i] = Buffer.from(buf.subarray(s, e)).toString()),
    json: (i, v) => (rows.at(-1)![i] = JSON.stringify(v)),
    named: (name, v) => rows.at(-1)!.push(`${name}=${JSON.stringify(v)}`),
  };
  const result = decodeInput(b, f.input, sink);
  return typeof result === 'string' ? { error: result } : (expect(result).toBe(rows.length), { rows });
}

function predictions(output: Payload, kind: PredictionKind, expectedRows = 1, classLabels?: string[]) {
  const line = Buffer.from(captureLine({ eventId: 'e', output }));
  const f = new CaptureFields();
  const b = scanCaptureLine(line, 0, line.length, f);
  if (typeof b === 'string') throw new Error(b);
  const out = new RowPredictions(kind, classLabels);
  const error = decodePredictions(b, f.output, expectedRows, out);
  if (error !== null) return { error };
  return {
    scores: [...out.scores.subarray(0, out.count)],
    labels: out.labels.slice(0, out.count),
    probabilities: out.probabilities.slice(0, out.count),
  };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('decodeInput', () => {
  it('reads CSV rows by position, several rows per request, quotes and CRLF', () => {
    expect(rowsOf({ data: '12,0,153.7,1' })).toEqual({ rows: [['12', '0', '153.7', '1']] });
    expect(rowsOf({ data: '1,a\r\n2,"b, c"\n\n3,"say ""hi"""\n' })).toEqual({
      rows: [
        ['1', 'a'],
        ['2', 'b, c'],
        ['3', 'say "hi"'],
      ],
    });
    expect(rowsOf({ data: '1,,3' })).toEqual({ rows: [['1', '', '3']] });
    expect(rowsOf({ data: '1,"open' })).toEqual({ error: 'request: unclosed quote in a CSV row' });
  });

  it('reads JSON instances: arrays, features objects, named objects and scalars', () => {
    expect(rowsOf({ data: '{"instances":[[1,2],[3,4]]}', encoding: 'JSON' })).toEqual({
      rows: [
        ['1', '2'],
        ['3', '4'],
      ],
    });
    expect(rowsOf({ data: '{"instances":[{"features":[1.5,16]}]}', encoding: 'JSON' })).toEqual({
      rows: [['1.5', '16']],
    });
    expect(rowsOf({ data: '{"instances":[{"plan":"basic","tenure":3}]}', encoding: 'JSON' })).toEqual({
      rows: [['plan="basic"', 'tenure=3']],
    });
    // The SDK's captured sample: three scalar instances are three rows (three predictions come back).
    expect(rowsOf({ data: '{"instances": [1.0, 2.0, 5.0]}', encoding: 'JSON' })).toEqual({
      rows: [['1'], ['2'], ['5']],
    });
    expect(rowsOf({ data: '[1,2,3]', encoding: 'JSON' })).toEqual({ rows: [['1', '2', '3']] });
    expect(rowsOf({ data: '{"a":1}\n{"a":2}', encoding: 'JSON' })).toEqual({ rows: [['a=1'], ['a=2']] });
    expect(rowsOf({ data: '{"instances":', encoding: 'JSON' })).toMatchObject({ error: /^request: invalid JSON/ });
  });

  it('reads base64 of CSV or JSON, told apart by the content type or the first byte', () => {
    expect(rowsOf({ data: b64('7,8'), encoding: 'BASE64', contentType: 'text/csv' })).toEqual({ rows: [['7', '8']] });
    expect(
      rowsOf({ data: b64('{"instances":[[7]]}'), encoding: 'BASE64', contentType: 'application/octet-stream' }),
    ).toEqual({
      rows: [['7']],
    });
    expect(rowsOf({ data: b64('{"instances":[[7]]}'), encoding: 'BASE64', contentType: 'application/json' })).toEqual({
      rows: [['7']],
    });
  });
});

describe('decodePredictions', () => {
  it('reads one CSV score, one per line, or one line of N values for N rows', () => {
    expect(predictions({ data: '0.83' }, 'binary')).toMatchObject({ scores: [0.83] });
    expect(predictions({ data: '0.1\n0.9\n' }, 'binary', 2)).toMatchObject({ scores: [0.1, 0.9] });
    expect(predictions({ data: '0.1,0.9,0.4' }, 'binary', 3)).toMatchObject({ scores: [0.1, 0.9, 0.4] });
    // One row of two class probabilities: the positive class is the second.
    expect(predictions({ data: '0.2,0.8' }, 'binary', 1)).toMatchObject({ scores: [0.8] });
    expect(predictions({ data: 'abc' }, 'binary')).toEqual({ error: "response: prediction 'abc' is not a number" });
    expect(predictions({ data: '3.5' }, 'regression')).toMatchObject({ scores: [3.5] });
  });

  it('reads JSON predictions as numbers, objects and probability arrays', () => {
    const json = (data: string) => ({ data, encoding: 'JSON' as const });
    expect(predictions(json('{\n "predictions": [3.5, 4.0, 5.5\n ]\n}'), 'regression', 3)).toMatchObject({
      scores: [3.5, 4, 5.5],
    });
    expect(predictions(json('{"predictions":[{"score":0.7,"predicted_label":1}]}'), 'binary')).toMatchObject({
      scores: [0.7],
    });
    expect(predictions(json('{"predictions":[{"probabilities":[0.4,0.6]}]}'), 'binary')).toMatchObject({
      scores: [0.6],
    });
    expect(predictions(json('{"predictions":[{"predicted_label":1}]}'), 'binary')).toMatchObject({ scores: [1] });
    expect(predictions(json('[0.2, 0.8]'), 'binary', 1)).toMatchObject({ scores: [0.8] });
    expect(predictions(json('[0.2, 0.8]'), 'binary', 2)).toMatchObject({ scores: [0.2, 0.8] });
    expect(predictions(json('0.3'), 'binary')).toMatchObject({ scores: [0.3] });
    expect(predictions(json('{"predictions":[{"label":"x"}]}'), 'binary')).toMatchObject({ error: /not a number/ });
  });

  it('reads multiclass labels and probabilities, normalized, the label winning', () => {
    const json = (data: string) => ({ data, encoding: 'JSON' as const });
    expect(predictions(json('{"predictions":[{"score":[1,3,0]}]}'), 'multiclass')).toEqual({
      scores: [NaN],
      labels: ['1'],
      probabilities: [[0.25, 0.75, 0]],
    });
    expect(
      predictions(json('{"predictions":[{"predicted_label":"cat","probabilities":[0.6,0.4]}]}'), 'multiclass'),
    ).toMatchObject({
      labels: ['cat'],
    });
    expect(predictions({ data: '0.1,0.2,0.7' }, 'multiclass', 1, ['a', 'b', 'c'])).toMatchObject({ labels: ['c'] });
    expect(predictions({ data: '2.0\n1' }, 'multiclass', 2)).toMatchObject({ labels: ['2', '1'] });
  });
});

describe('decodeLabels', () => {
  function labels(line: string, kind: PredictionKind) {
    const buf = Buffer.from(line);
    const f = new GroundTruthFields();
    const b = scanGroundTruthLine(buf, 0, buf.length, f);
    if (typeof b === 'string') throw new Error(b);
    const out = new RowLabels(kind);
    const error = decodeLabels(b, f.label, out);
    return error ?? (kind === 'multiclass' ? out.texts.slice(0, out.count) : [...out.values.subarray(0, out.count)]);
  }

  it('reads binary labels in their usual spellings, one per line for requests of several rows', () => {
    expect(labels(groundTruthLine('e', '1'), 'binary')).toEqual([1]);
    expect(labels(groundTruthLine('e', '0.0'), 'binary')).toEqual([0]);
    expect(labels(groundTruthLine('e', 'True'), 'binary')).toEqual([1]);
    expect(labels(groundTruthLine('e', '1\n0\n1'), 'binary')).toEqual([1, 0, 1]);
    expect(labels(groundTruthLine('e', '1,0'), 'binary')).toEqual([1, 0]);
    expect(labels(groundTruthLine('e', '2'), 'binary')).toBe("label '2' is not a binary label (1/0, true/false)");
  });

  it('reads regression numbers, multiclass text, JSON and base64', () => {
    expect(labels(groundTruthLine('e', '12.5'), 'regression')).toEqual([12.5]);
    expect(labels(groundTruthLine('e', 'n/a'), 'regression')).toBe("label 'n/a' is not a number");
    expect(labels(groundTruthLine('e', ' cat '), 'multiclass')).toEqual(['cat']);
    expect(labels(groundTruthLine('e', '3.0'), 'multiclass')).toEqual(['3']);
    expect(labels(groundTruthLine('e', '[1,0]', 'JSON'), 'binary')).toEqual([1, 0]);
    expect(labels(groundTruthLine('e', b64('0\n1'), 'BASE64'), 'binary')).toEqual([0, 1]);
    expect(labels(groundTruthLine('e', '1', 'XML'), 'binary')).toBe("unknown encoding 'XML'");
  });
});
