import { describe, expect, it } from 'vitest';
import {
  capturePrefixes,
  groundTruthPrefixes,
  hourPartitions,
  parseCaptureKey,
  parseGroundTruthKey,
} from '../../../functions/evaluation/capture-layout';

const t = (iso: string) => new Date(iso);

describe('hourPartitions', () => {
  it('lists every hour folder a window overlaps, in UTC, across a day boundary', () => {
    expect(hourPartitions(t('2026-11-21T22:30:00Z'), t('2026-11-22T01:00:00Z')).map((h) => h.path)).toEqual([
      '2026/11/21/22',
      '2026/11/21/23',
      '2026/11/22/00',
    ]);
    expect(hourPartitions(t('2026-11-21T10:00:00Z'), t('2026-11-21T10:00:00.001Z')).map((h) => h.path)).toEqual([
      '2026/11/21/10',
    ]);
    expect(hourPartitions(t('2026-11-21T10:00:00Z'), t('2026-11-21T10:00:00Z'))).toEqual([]);
  });

  it('builds the prefixes to list, labels including the label lag', () => {
    expect(
      capturePrefixes(
        'data-capture/',
        'churn-prod',
        'AllTraffic',
        t('2026-01-01T00:00:00Z'),
        t('2026-01-01T02:00:00Z'),
      ),
    ).toEqual([
      'data-capture/churn-prod/AllTraffic/2026/01/01/00/',
      'data-capture/churn-prod/AllTraffic/2026/01/01/01/',
    ]);
    expect(groundTruthPrefixes('gt', t('2026-01-01T00:00:00Z'), t('2026-01-01T01:00:00Z'), 2)).toEqual([
      'gt/2026/01/01/00/',
      'gt/2026/01/01/01/',
      'gt/2026/01/01/02/',
    ]);
  });
});

describe('parsing keys', () => {
  it('reads endpoint, variant and hour from a capture key as SageMaker writes it', () => {
    expect(parseCaptureKey('capture/churn-prod/AllTraffic/2022/10/10/14/51-15-820-d0e7fdc2.jsonl', 'capture')).toEqual({
      endpoint: 'churn-prod',
      variant: 'AllTraffic',
      hour: t('2022-10-10T14:00:00Z'),
      file: '51-15-820-d0e7fdc2.jsonl',
    });
    expect(parseCaptureKey('other/churn-prod/AllTraffic/2022/10/10/14/x.jsonl', 'capture')).toBeNull();
    expect(parseCaptureKey('capture/churn-prod/2022/10/10/14/x.jsonl', 'capture')).toBeNull();
    expect(parseCaptureKey('capture/e/v/2022/02/30/14/x.jsonl', 'capture')).toBeNull();
  });

  it('reads the hour of a ground-truth key', () => {
    expect(parseGroundTruthKey('gt/2026/11/21/03/labels.jsonl', 'gt/')).toEqual({
      hour: t('2026-11-21T03:00:00Z'),
      file: 'labels.jsonl',
    });
    expect(parseGroundTruthKey('gt/2026/11/21/24/labels.jsonl', 'gt')).toBeNull();
  });
});
