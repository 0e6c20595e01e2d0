import { describe, expect, it } from 'vitest';

import { groundTruthFiles, groundTruthRecord, hourPath } from '../../../pipelines/churn/world/ground-truth';
import { inferenceRequests } from '../../../pipelines/churn/world/inference-traffic';

const records = (body: string) =>
  body
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('ground truth', () => {
  it('writes the Model Monitor record shape, the inference id as eventId', () => {
    expect(JSON.parse(groundTruthRecord('req-1', 1))).toEqual({
      groundTruthData: { data: '1', encoding: 'CSV' },
      eventMetadata: { eventId: 'req-1' },
      eventVersion: '0',
    });
  });

  it('files each label under the UTC hour it arrives, the delay after its inference', () => {
    const served = [
      { inferenceId: 'a', inferenceTime: '2026-01-15T09:10:00Z', label: 1 as const },
      { inferenceId: 'b', inferenceTime: '2026-01-15T09:50:00Z', label: 0 as const },
      { inferenceId: 'c', inferenceTime: '2026-01-15T23:30:00Z', label: 1 as const },
    ];

    const files = groundTruthFiles(served, {
      prefix: 'ground-truth/churn/',
      missingShare: 0,
      delayHours: { min: 2, max: 2 },
    });

    expect(files.map((f) => [f.key, f.records, f.collectedAt])).toEqual([
      ['ground-truth/churn/2026/01/15/11/labels-0.jsonl', 2, '2026-01-15T11:00:00.000Z'],
      ['ground-truth/churn/2026/01/16/01/labels-0.jsonl', 1, '2026-01-16T01:00:00.000Z'],
    ]);
    expect(records(files[0]!.body).map((r) => [r.eventMetadata.eventId, r.groundTruthData.data])).toEqual([
      ['a', '1'],
      ['b', '0'],
    ]);
    expect(files[0]!.body.endsWith('\n')).toBe(true);
  });

  it('labels served traffic with its hidden truth, leaves out the missing share, and repeats for a seed', () => {
    const requests = inferenceRequests(51, 4000);
    const options = { prefix: 'gt', seed: 9, missingShare: 0.25, delayHours: { min: 1, max: 3 } };

    const files = groundTruthFiles(requests, options);
    const labelled = files.flatMap((file) => records(file.body));
    const truth = new Map(requests.map((r) => [r.inferenceId, String(r.label)]));

    expect(groundTruthFiles(requests, options)).toEqual(files);
    expect(labelled.length / requests.length).toBeGreaterThan(0.72);
    expect(labelled.length / requests.length).toBeLessThan(0.78);
    expect(labelled.every((r) => truth.get(r.eventMetadata.eventId) === r.groundTruthData.data)).toBe(true);
    expect(new Set(labelled.map((r) => r.eventMetadata.eventId)).size).toBe(labelled.length);
    for (const file of files) expect(file.key).toMatch(/^gt\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/labels-9\.jsonl$/);
    // The first labels arrive 1 to 3 hours after the first inference, in the folder of that hour.
    const hourOf = (ms: number) => ms - (ms % 3_600_000);
    const first = Date.parse(requests[0]!.inferenceTime);
    const earliest = Math.min(...files.map((file) => Date.parse(file.collectedAt)));
    expect(earliest).toBeGreaterThanOrEqual(hourOf(first + 3_600_000));
    expect(earliest).toBeLessThanOrEqual(hourOf(first + 3 * 3_600_000));
  });

  it('refuses shares and delays out of range', () => {
    expect(() => groundTruthFiles([], { prefix: 'gt', missingShare: 1.5 })).toThrow(/missingShare/);
    expect(() => groundTruthFiles([], { prefix: 'gt', delayHours: { min: 3, max: 1 } })).toThrow(/delayHours/);
  });

  it('names the hour folder in UTC', () => {
    expect(hourPath(new Date('2026-12-31T23:59:59.999Z'))).toBe('2026/12/31/23');
    expect(hourPath(new Date('2027-01-01T00:00:00.000Z'))).toBe('2027/01/01/00');
  });
});
