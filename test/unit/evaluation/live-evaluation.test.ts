import * as fs from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../../functions/contracts/byte-source';
import { evaluateSources, forEachSourceLine } from '../../../functions/evaluation/evaluate-sources';
import type { EvaluationOptions } from '../../../functions/evaluation/evaluation-accumulator';
import { LiveEvaluation } from '../../../functions/evaluation/live-evaluation';
import { sample } from '../../fixtures/samples';
import { captureLine, groundTruthLine } from './capture-lines';

const SDK = 'sagemaker/sagemaker-python-sdk/tests/data/monitor';
const text = (lines: readonly string[]) => `${lines.join('\n')}\n`;

async function evaluate(
  captures: readonly string[],
  labels: readonly string[],
  options: Partial<EvaluationOptions> = {},
) {
  const evaluation = await evaluateSources(
    [{ source: bufferSource(text(captures), 'capture.jsonl', 97) }],
    [bufferSource(text(labels), 'labels.jsonl', 53)],
    { problemType: 'binary', ...options },
  );
  return { evaluation, counts: evaluation.accumulator.counts(), result: evaluation.accumulator.endpointResult() };
}

describe('LiveEvaluation join', () => {
  it("joins the SDK's 44 captures with their 44 labels (eventId, no inferenceId)", async () => {
    const evaluation = await evaluateSources(
      [{ source: bufferSource(fs.readFileSync(sample(`${SDK}/capture.jsonl`)), 'capture.jsonl') }],
      [bufferSource(fs.readFileSync(sample(`${SDK}/actuals.jsonl`)), 'actuals.jsonl')],
      { problemType: 'binary' },
    );
    const counts = evaluation.accumulator.counts();
    expect(counts.capture).toMatchObject({ lines: 44, records: 44, samples: 44, unparseable: 0, invalid: 0 });
    expect(counts.join.matched).toBe(44);
    expect(counts.unlabeled).toBe(0);
    expect(counts.labelsWithoutCapture).toBe(0);
    expect(evaluation.accumulator.endpointResult().estimates.accuracy?.n).toBe(44);
  });

  it("joins on the capture's inferenceId when it has one, else on its eventId", async () => {
    const { counts, result } = await evaluate(
      [
        captureLine({ eventId: 'ev-1', inferenceId: 'req-1', input: '1', output: '0.9' }),
        captureLine({ eventId: 'ev-2', input: '1', output: '0.1' }),
      ],
      [groundTruthLine('ev-1', '1'), groundTruthLine('req-1', '1'), groundTruthLine('ev-2', '0')],
    );
    // ev-1 has inferenceId req-1: the label keyed ev-1 finds no capture (Model Monitor's rule).
    expect(counts.join.matched).toBe(2);
    expect(counts.labelsWithoutCapture).toBe(1);
    expect(result.estimates.accuracy?.value).toBe(1);
  });

  it('keeps the first of duplicated captures and labels and counts the others', async () => {
    const { counts, result } = await evaluate(
      [
        captureLine({ eventId: 'a', output: '0.9' }),
        captureLine({ eventId: 'a', output: '0.1' }),
        captureLine({ eventId: 'b', output: '0.2' }),
      ],
      [
        groundTruthLine('a', '1'),
        groundTruthLine('a', '0'),
        groundTruthLine('b', '0'),
        groundTruthLine('x', '1'),
        groundTruthLine('x', '1'),
      ],
    );
    expect(counts.capture).toMatchObject({ records: 2, duplicates: 1 });
    expect(counts.groundTruth).toMatchObject({ lines: 5, records: 3, duplicates: 2 });
    expect(counts.labelsWithoutCapture).toBe(1);
    expect(result.estimates.accuracy?.value).toBe(1);
  });

  it('matches a request of several rows with a label record of as many lines', async () => {
    const { counts, result, evaluation } = await evaluate(
      [
        captureLine({ eventId: 'm', input: '1,2\n3,4\n5,6', output: '0.9\n0.2\n0.7' }),
        captureLine({ eventId: 'n', input: '1,2\n3,4', output: '0.9\n0.2' }),
        captureLine({ eventId: 'o', input: '1,2\n3,4', output: '0.9' }),
      ],
      [groundTruthLine('m', '1\n0\n0'), groundTruthLine('n', '1')],
    );
    expect(counts.capture).toMatchObject({ records: 2, samples: 5, invalid: 1 });
    expect(counts.join).toEqual({ matchedRecords: 1, matched: 3, invalidLabels: 1 });
    expect(counts.unlabeled).toBe(2);
    expect(result.confusionMatrix.counts).toEqual([
      [1, 1],
      [0, 1],
    ]);
    expect(evaluation.accumulator.examples.map((e) => [e.kind, e.line, e.reason])).toEqual([
      ['invalid-capture', 3, '2 request row(s) but 1 prediction(s)'],
      ['invalid-label', 2, '1 label(s) for a request of 2 row(s)'],
    ]);
  });

  it('counts unparseable lines with file, line and reason, and never stops', async () => {
    const { counts, evaluation } = await evaluate(
      [
        captureLine({ eventId: 'a', output: '0.9' }),
        '{"captureData":{',
        '{"eventMetadata":{"eventId":"z"}}',
        captureLine({ eventId: 'b', output: 'n/a' }),
      ],
      [groundTruthLine('a', '1'), 'not json', JSON.stringify({ groundTruthData: { data: '1' } })],
    );
    expect(counts.capture).toMatchObject({ lines: 4, records: 1, unparseable: 2, invalid: 1 });
    expect(counts.groundTruth).toMatchObject({ lines: 3, unparseable: 2 });
    expect(counts.join.matched).toBe(1);
    expect(evaluation.accumulator.examples).toEqual([
      { kind: 'unparseable-capture', file: 'capture.jsonl', line: 2, reason: expect.stringMatching(/^invalid JSON/) },
      { kind: 'unparseable-capture', file: 'capture.jsonl', line: 3, reason: 'no captureData' },
      { kind: 'invalid-capture', file: 'capture.jsonl', line: 4, reason: "response: prediction 'n/a' is not a number" },
      {
        kind: 'unparseable-ground-truth',
        file: 'labels.jsonl',
        line: 2,
        reason: expect.stringMatching(/^invalid JSON/),
      },
      { kind: 'unparseable-ground-truth', file: 'labels.jsonl', line: 3, reason: 'no eventMetadata.eventId' },
    ]);
  });

  it('keeps only inferences inside the window (records without a time are kept)', async () => {
    const { counts } = await evaluate(
      [
        captureLine({ eventId: 'a', output: '0.9', inferenceTime: '2026-11-21T09:59:59Z' }),
        captureLine({ eventId: 'b', output: '0.9', inferenceTime: '2026-11-21T10:00:00Z' }),
        captureLine({ eventId: 'c', output: '0.9', inferenceTime: '2026-11-21T11:00:00Z' }),
        captureLine({ eventId: 'd', output: '0.9', inferenceTime: '{%s}' }),
      ],
      [],
      { window: { start: new Date('2026-11-21T10:00:00Z'), end: new Date('2026-11-21T11:00:00Z') } },
    );
    expect(counts.capture).toMatchObject({ records: 2, outsideWindow: 2 });
  });

  it('refuses a capture line after the ground truth started (a caller bug, not data)', () => {
    const evaluation = new LiveEvaluation({ problemType: 'binary' });
    const label = Buffer.from(groundTruthLine('a', '1'));
    evaluation.groundTruthLine(label, 0, label.length, 'l', 1);
    const capture = Buffer.from(captureLine({ eventId: 'a', output: '1' }));
    expect(() => evaluation.captureLine(capture, 0, capture.length, 'c', 1)).toThrow(
      /before the first ground-truth line/,
    );
  });

  it('evaluates multiclass and regression problems', async () => {
    const multi = await evaluate(
      [
        captureLine({
          eventId: 'a',
          output: { data: '{"predictions":[{"probabilities":[0.1,0.7,0.2]}]}', encoding: 'JSON' },
        }),
        captureLine({
          eventId: 'b',
          output: { data: '{"predictions":[{"probabilities":[0.5,0.2,0.3]}]}', encoding: 'JSON' },
        }),
      ],
      [groundTruthLine('a', '1'), groundTruthLine('b', '2')],
      { problemType: 'multiclass' },
    );
    expect(multi.result.estimates.accuracy?.value).toBe(0.5);
    expect(multi.result.estimates.log_loss?.value).toBeCloseTo(-(Math.log(0.7) + Math.log(0.3)) / 2, 12);
    const reg = await evaluate(
      [captureLine({ eventId: 'a', output: '3' }), captureLine({ eventId: 'b', output: '5' })],
      [groundTruthLine('a', '4'), groundTruthLine('b', '5')],
      { problemType: 'regression' },
    );
    expect(reg.result.estimates.mae?.value).toBe(0.5);
  });
});

describe('forEachSourceLine', () => {
  const collect = async (source: Parameters<typeof forEachSourceLine>[0]) => {
    const out: [number, string][] = [];
    await forEachSourceLine(source, (buf, s, e, line) => out.push([line, Buffer.from(buf.subarray(s, e)).toString()]));
    return out;
  };

  it('cuts lines across chunk boundaries, drops CR, skips blank lines and reads a last line without newline', async () => {
    const body = 'alpha\r\n\nbeta gamma\n   \ndelta';
    for (const chunk of [1, 2, 3, 7, 64]) {
      expect(await collect(bufferSource(body, 'x.jsonl', chunk))).toEqual([
        [1, 'alpha'],
        [3, 'beta gamma'],
        [5, 'delta'],
      ]);
    }
  });

  it('skips lines longer than the limit, without keeping them, and says which', async () => {
    const body = `short\n${'x'.repeat(30)}\nok\n${'y'.repeat(25)}`;
    for (const chunk of [1, 4, 7, 100]) {
      const seen: [number, string][] = [];
      const tooLong: number[] = [];
      await forEachSourceLine(
        bufferSource(body, 'x.jsonl', chunk),
        (buf, s, e, line) => seen.push([line, Buffer.from(buf.subarray(s, e)).toString()]),
        (line) => tooLong.push(line),
        10,
      );
      expect(seen).toEqual([
        [1, 'short'],
        [3, 'ok'],
      ]);
      expect(tooLong).toEqual([2, 4]);
    }
  });

  it('inflates gzip, by name or by its magic bytes', async () => {
    const gz = gzipSync(Buffer.from('one\ntwo\n'));
    expect(await collect(bufferSource(gz, 'x.jsonl.gz', 5))).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
    expect(await collect(bufferSource(gz, 'x.jsonl', 5))).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
  });
});
