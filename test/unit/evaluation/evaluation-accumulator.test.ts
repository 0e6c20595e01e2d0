import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../../functions/contracts/byte-source';
import { evaluateSources } from '../../../functions/evaluation/evaluate-sources';
import {
  EvaluationAccumulator,
  type EvaluationOptions,
  EvaluationStateError,
  parseEvaluationState,
} from '../../../functions/evaluation/evaluation-accumulator';
import { CHURN_FEATURES, churnBaseline, churnTraffic } from './churn-traffic';

describe('EvaluationAccumulator', () => {
  it('gives the same result when a window is split by capture file and the parts merged through JSON', async () => {
    const options: EvaluationOptions = {
      problemType: 'binary',
      baseline: await churnBaseline(2000, 1),
      features: CHURN_FEATURES,
      target: 'churned',
    };
    const { captures, labels } = churnTraffic(1500, 4);
    // Duplicates (within a part: see the module comment), a label without capture and a bad line.
    captures.push(captures[1100]!, '{broken', captures[1200]!);
    labels.push(
      labels[5]!,
      '{"groundTruthData":{"data":"1","encoding":"CSV"},"eventMetadata":{"eventId":"late"}}',
      '{not a label',
    );
    const hours = [captures.slice(0, 500), captures.slice(500, 1000), captures.slice(1000)];
    const source = (lines: string[], name: string) => bufferSource(`${lines.join('\n')}\n`, name);
    const truth = () => [source(labels.slice(0, 800), 'l1.jsonl'), source(labels.slice(800), 'l2.jsonl')];

    const whole = await evaluateSources(
      hours.map((h, i) => ({ source: source(h, `h${i}.jsonl`), variant: i === 2 ? 'Canary' : 'Primary' })),
      truth(),
      options,
    );
    const parts = await Promise.all(
      hours.map((h, i) =>
        evaluateSources(
          [{ source: source(h, `h${i}.jsonl`), variant: i === 2 ? 'Canary' : 'Primary' }],
          truth(),
          options,
        ),
      ),
    );
    const merged = EvaluationAccumulator.fromState(
      parseEvaluationState(JSON.parse(JSON.stringify(parts[0]!.accumulator.toState()))),
      options,
    );
    for (const part of parts.slice(1)) {
      merged.merge(
        EvaluationAccumulator.fromState(
          parseEvaluationState(JSON.parse(JSON.stringify(part.accumulator.toState()))),
          options,
        ),
      );
    }
    const a = whole.accumulator;
    expect(merged.counts()).toEqual({ ...a.counts(), capture: { ...a.counts().capture, files: 3 } });
    expect(merged.counts().labelsWithoutCapture).toBe(1);
    expect(merged.endpointResult()).toEqual(a.endpointResult());
    expect(merged.variantResults()).toEqual(a.variantResults());
    expect(merged.variantResults().map((v) => v.name)).toEqual(['Canary', 'Primary']);
    // Every part read the unreadable label line; the merged report lists it once, as one pass does.
    const sorted = (examples: readonly { kind: string; file: string; line: number }[]) =>
      examples.map((e) => `${e.kind} ${e.file}:${e.line}`).sort();
    expect(sorted(merged.examples)).toEqual(sorted(a.examples));
    expect(merged.examples.filter((e) => e.kind === 'unparseable-ground-truth')).toHaveLength(1);
  });

  it('refuses to merge parts that read different ground truth', async () => {
    const { captures, labels } = churnTraffic(20, 2);
    const options: EvaluationOptions = { problemType: 'binary' };
    const one = await evaluateSources(
      [{ source: bufferSource(captures.join('\n'), 'a') }],
      [bufferSource(labels.join('\n'), 'l')],
      options,
    );
    const two = await evaluateSources([], [bufferSource(labels.slice(1).join('\n'), 'l')], options);
    expect(() => one.accumulator.merge(two.accumulator)).toThrow(/every part must read the same files/);
  });

  it('rejects a state that is not one, with the path of the problem', () => {
    expect(() => parseEvaluationState({ version: 1, problemType: 'binary' })).toThrow(EvaluationStateError);
    expect(() => parseEvaluationState({ version: 2 })).toThrow(/version/);
  });
});
