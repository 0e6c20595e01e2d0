import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PART_BYTES,
  evaluationIdOf,
  evaluationWindow,
  planEvaluation,
} from '../../../functions/evaluation/evaluation-plan';

const key = (hour: number, file: string, variant = 'AllTraffic') =>
  `churn/churn/${variant}/2026/11/23/${String(hour).padStart(2, '0')}/${file}.jsonl`;

describe('evaluationWindow', () => {
  it('ends the label lag before the scheduled time and lasts windowHours', () => {
    const w = evaluationWindow(new Date('2026-11-23T14:00:00Z'), { windowHours: 24, labelLagHours: 1 });
    expect(w.start.toISOString()).toBe('2026-11-22T13:00:00.000Z');
    expect(w.end.toISOString()).toBe('2026-11-23T13:00:00.000Z');
  });

  it('takes fractional hours and no lag', () => {
    const w = evaluationWindow(new Date('2026-11-23T14:00:00Z'), { windowHours: 0.25, labelLagHours: 0 });
    expect(w.start.toISOString()).toBe('2026-11-23T13:45:00.000Z');
    expect(w.end.toISOString()).toBe('2026-11-23T14:00:00.000Z');
  });
});

describe('evaluationIdOf', () => {
  const t = new Date('2026-11-23T14:00:05.123Z');
  it('is the same for every delivery of one scheduled event', () => {
    expect(evaluationIdOf('churn', t)).toBe(evaluationIdOf('churn', new Date(t.getTime())));
    expect(evaluationIdOf('churn', t)).toMatch(/^20261123t140005-[0-9a-f]{8}$/);
  });

  it('differs by pipeline, time and request', () => {
    const ids = new Set([
      evaluationIdOf('churn', t),
      evaluationIdOf('fraud', t),
      evaluationIdOf('churn', new Date(t.getTime() + 1)),
      evaluationIdOf('churn', t, 'req-1'),
      evaluationIdOf('churn', t, 'req-2'),
    ]);
    expect(ids.size).toBe(5);
  });
});

describe('planEvaluation', () => {
  it('reads everything in one part when it fits, oldest hour first', () => {
    const plan = planEvaluation(
      [
        { key: key(11, 'b'), size: 10 },
        { key: key(10, 'a'), size: 10 },
      ],
      [{ key: 'churn/2026/11/23/12/labels.jsonl', size: 5 }],
      'churn',
    );
    expect(plan.parts).toHaveLength(1);
    expect(plan.parts[0]!.map((c) => c.key)).toEqual([key(10, 'a'), key(11, 'b')]);
    expect(plan.parts[0]![0]).toMatchObject({ variant: 'AllTraffic', hour: '2026-11-23T10:00:00.000Z' });
    expect(plan).toMatchObject({ captureBytes: 20, groundTruthBytes: 5, skippedKeys: 0 });
    expect(DEFAULT_PART_BYTES).toBe(2 * 1024 ** 3);
  });

  it('cuts at hour boundaries under the byte budget, keeping each hour whole when it fits', () => {
    const captures = [
      { key: key(10, 'a'), size: 40 },
      { key: key(10, 'b'), size: 40 },
      { key: key(11, 'a'), size: 50 },
      { key: key(12, 'b', 'Canary'), size: 10 },
      { key: key(12, 'a'), size: 30 },
    ];
    const plan = planEvaluation(captures, [], 'churn', 100);
    expect(plan.parts.map((p) => p.map((c) => `${c.hour.slice(11, 13)}:${c.size}`))).toEqual([
      ['10:40', '10:40'],
      ['11:50', '12:30', '12:10'],
    ]);
  });

  it('splits an hour larger than the budget by object; an object larger than the budget is a part alone', () => {
    const plan = planEvaluation(
      [
        { key: key(10, 'a'), size: 60 },
        { key: key(10, 'b'), size: 60 },
        { key: key(10, 'c'), size: 250 },
        { key: key(10, 'd'), size: 10 },
      ],
      [],
      'churn',
      100,
    );
    expect(plan.parts.map((p) => p.map((c) => c.size))).toEqual([[60], [60], [250], [10]]);
  });

  it('leaves out empty objects and keys outside the layout (counted), and plans one empty part for no capture', () => {
    const plan = planEvaluation(
      [
        { key: key(10, 'empty'), size: 0 },
        { key: 'churn/churn/AllTraffic/notes.txt', size: 9 },
        { key: 'churn/churn/AllTraffic/2026/13/40/99/x.jsonl', size: 9 },
      ],
      [
        { key: 'churn/2026/11/23/10/empty.jsonl', size: 0 },
        { key: 'churn/2026/11/23/10/l.jsonl', size: 3 },
      ],
      'churn',
    );
    expect(plan.parts).toEqual([[]]);
    expect(plan.skippedKeys).toBe(2);
    expect(plan.groundTruth).toEqual([{ key: 'churn/2026/11/23/10/l.jsonl', size: 3 }]);
  });

  it('refuses a budget that is not positive', () => {
    expect(() => planEvaluation([], [], 'churn', 0)).toThrow(RangeError);
  });
});
