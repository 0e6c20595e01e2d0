/**
 * The split path of the scheduled evaluation against moto, without the local runtime: a window whose captures exceed
 * `partBytes` is planned into hour-partition parts, one SQS message each; the parts run in any order, some twice, and
 * the last one to complete the set merges them and records the evaluation once. The merged result must equal an
 * unsplit evaluation of the same objects. The data: churn traffic over seven hours on two variants, in SageMaker's
 * capture layout, with late labels, some missing, and one of each kind of line the evaluation counts but cannot use.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../../../bench/generate-evaluation-data';
import { loadPipelines } from '../../../functions/config/load-pipelines';
import { bufferSource } from '../../../functions/contracts/byte-source';
import { loadContract } from '../../../functions/contracts/odcs-contract';
import { validateStream } from '../../../functions/contracts/validate-stream';
import { evaluationSettings } from '../../../functions/evaluate/pipeline-evaluation-settings';
import {
  LiveEvaluations,
  type ChampionLookup,
  type EvaluationRunOutcome,
} from '../../../functions/evaluate/live-evaluations';
import type { PlannedCapture } from '../../../functions/evaluation/evaluation-plan';
import type { EvaluationReport } from '../../../functions/evaluation/evaluation-report';
import type { EmfDocument } from '../../../functions/evaluation/metric-documents';
import type { PutEventsEntry } from '../../../functions/events/lifecycle';
import { EvaluationStore } from '../../../functions/metadata/evaluation-store';
import { goodBatch } from '../../../pipelines/churn/world/batch-files';
import { groundTruthFiles, groundTruthRecord } from '../../../pipelines/churn/world/ground-truth';
import { inferenceRequests, type InferenceRequest } from '../../../pipelines/churn/world/inference-traffic';
import { PROJECT_ROOT } from '../../infra/cdk-context';
import { createMetadataTable } from '../setup/metadata-table';
import { useLocalAws } from '../setup/local-env';

const aws = await useLocalAws();
const TABLE = 'metadata';
const ARTIFACTS = 'artifacts';
const CAPTURE = 'capture';
const GROUND_TRUTH = 'ground-truth';
const BUS = 'mlops';
/** The schedule's time: the window is [2026-01-14T23:00, 2026-01-15T23:00) with labels looked for until now. */
const TIME = new Date('2026-01-16T00:00:00.000Z');
const PROFILE_KEY = 'profiles/churn/ds-1/profile.json';

const churn = loadPipelines(PROJECT_ROOT).find((p) => p.name === 'churn')!;
const [settings] = evaluationSettings([churn], (p) => {
  const file = path.join(PROJECT_ROOT, 'pipelines', p.name, p.data.contract);
  return { text: fs.readFileSync(file, 'utf8'), file };
});
const PIPELINE = settings!.name;
const ENDPOINT = settings!.endpointName;
const documents = DynamoDBDocumentClient.from(aws.clients.dynamodb, {
  marshallOptions: { removeUndefinedValues: true },
});
const store = new EvaluationStore(documents, TABLE);
const champions: ChampionLookup = {
  champion: () =>
    Promise.resolve({
      modelPackageArn: `arn:aws:sagemaker:us-east-1:${aws.accountId}:model-package/churn/3`,
      modelVersion: 3,
      endpointConfigName: 'churn-v3',
    }),
  trainingProfileKey: () => Promise.resolve(PROFILE_KEY),
};

let queueUrl: string;
/** Every capture object written, with its size. */
const written = new Map<string, number>();

/** A `LiveEvaluations` with its own record of what it published and emitted. */
/** The evaluation function's core on moto; `beforePublish` can hold each event before it is put on the bus. */
function evaluations(partBytes: number, beforePublish: () => Promise<void> = () => Promise.resolve()) {
  const published: PutEventsEntry[] = [];
  const metrics: EmfDocument[] = [];
  const live = new LiveEvaluations({
    s3: aws.clients.s3,
    sqs: aws.clients.sqs,
    store,
    champions,
    publish: async (entry) => {
      await beforePublish();
      published.push(entry);
    },
    emitMetrics: (docs) => metrics.push(...docs),
    pipelines: [settings!],
    artifactsBucket: ARTIFACTS,
    captureBucket: CAPTURE,
    groundTruthBucket: GROUND_TRUTH,
    busName: BUS,
    partsQueueUrl: queueUrl,
    partBytes,
    now: () => TIME,
  });
  return { live, published, metrics };
}

/** The captured record of a request, as SageMaker writes it (sagemaker-python-sdk's capture.jsonl, with an inferenceId). */
function captureLine(r: InferenceRequest, score: number, inferenceTime = r.inferenceTime): string {
  return JSON.stringify({
    captureData: {
      endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: r.body, encoding: 'CSV' },
      endpointOutput: {
        observedContentType: 'text/csv; charset=utf-8',
        mode: 'OUTPUT',
        data: score.toFixed(6),
        encoding: 'CSV',
      },
    },
    eventMetadata: {
      eventId: `e-${r.inferenceId}`,
      inferenceId: r.inferenceId,
      inferenceTime: inferenceTime.replace(/\.\d{3}Z$/, 'Z'),
    },
    eventVersion: '0',
  });
}

async function put(bucket: string, key: string, body: string): Promise<void> {
  await aws.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  if (bucket === CAPTURE) written.set(key, Buffer.byteLength(body));
}

async function json<T>(bucket: string, key: string): Promise<T> {
  const object = await aws.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse((await object.Body?.transformToString()) ?? 'null') as T;
}

/** Receives (and deletes) every message in the parts queue. */
async function drainQueue(): Promise<{ pipeline: string; evaluationId: string; part: number }[]> {
  const bodies: { pipeline: string; evaluationId: string; part: number }[] = [];
  for (;;) {
    const { Messages = [] } = await aws.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return bodies;
    for (const m of Messages) bodies.push(JSON.parse(m.Body!) as (typeof bodies)[number]);
    await aws.clients.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

/** Equal up to the order of floating-point additions. */
function expectClose(actual: number | null | undefined, expected: number | null | undefined): void {
  if (typeof expected === 'number') expect(actual).toBeCloseTo(expected, 9);
  else expect(actual).toBe(expected);
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = prng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

beforeAll(async () => {
  for (const bucket of [ARTIFACTS, CAPTURE, GROUND_TRUTH]) {
    await aws.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  // A second plan would be a second version of plan.json.
  await aws.clients.s3.send(
    new PutBucketVersioningCommand({ Bucket: ARTIFACTS, VersioningConfiguration: { Status: 'Enabled' } }),
  );
  await createMetadataTable(aws.clients.dynamodb, TABLE);
  queueUrl = (await aws.clients.sqs.send(new CreateQueueCommand({ QueueName: 'evaluation-parts' }))).QueueUrl!;

  // The drift baseline: the contract check's profile of a good training batch.
  const contractFile = path.join(PROJECT_ROOT, 'pipelines/churn/contract.yaml');
  const plan = loadContract(fs.readFileSync(contractFile, 'utf8'), contractFile).plan;
  const batch = goodBatch(1, { rows: 3000 });
  const report = await validateStream(plan, bufferSource(batch.bytes, batch.name));
  expect(report.status).toBe('accepted');
  await put(ARTIFACTS, PROFILE_KEY, JSON.stringify(report.profile));

  // 1500 requests from 09:00, one every 15 s on average: hours 09 to 15. One in five goes to the challenger.
  const requests = inferenceRequests(7, 1500, { meanIntervalMs: 15_000 });
  const noise = prng(11);
  const files = new Map<string, string[]>();
  requests.forEach((r, i) => {
    const variant = i % 5 === 0 ? 'Challenger' : 'AllTraffic';
    const half = Number(r.inferenceTime.slice(14, 16)) < 30 ? '00' : '30';
    const hour = r.inferenceTime.slice(0, 13).replace(/[-T]/g, '/');
    const key = `${PIPELINE}/${ENDPOINT}/${variant}/${hour}/${half}-00-000-${variant.toLowerCase()}.jsonl`;
    const lines = files.get(key) ?? [];
    lines.push(captureLine(r, Math.min(1, Math.max(0, 0.7 * r.probability + 0.3 * noise()))));
    files.set(key, lines);
  });
  const keys = [...files.keys()].sort();
  const inHour = (h: string) => keys.find((k) => k.includes(`/AllTraffic/2026/01/15/${h}/`))!;
  files.get(inHour('10'))!.push('{"captureData": not json');
  files.get(inHour('11'))!.push(files.get(inHour('11'))![0]!);
  // Written to the last hour of the window, but inferred after its end.
  const late = inferenceRequests(8, 1, { start: '2026-01-15T23:30:00.000Z' })[0]!;
  files.set(`${PIPELINE}/${ENDPOINT}/AllTraffic/2026/01/15/22/59-59-000-late.jsonl`, [captureLine(late, 0.5)]);
  for (const [key, lines] of files) await put(CAPTURE, key, `${lines.join('\n')}\n`);

  // Labels up to two hours late, one in ten never; then one label of each unusable kind.
  const relabeled = requests[7]!;
  const labels = groundTruthFiles(
    requests.filter((r) => r !== relabeled),
    { prefix: PIPELINE, seed: 3, missingShare: 0.1, delayHours: { min: 0, max: 2 } },
  );
  for (const file of labels) await put(GROUND_TRUTH, file.key, file.body);
  const labeled = labels[0]!.body.split('\n')[0]!;
  await put(
    GROUND_TRUTH,
    `${PIPELINE}/2026/01/15/18/late-labels.jsonl`,
    [
      labeled,
      groundTruthRecord('no-such-capture', 1),
      groundTruthRecord(late.inferenceId, late.label),
      labeled
        .replace(/"data":"[01]"/, '"data":"maybe"')
        .replace(/"eventId":"[^"]+"/, `"eventId":"${relabeled.inferenceId}"`),
      '{"groundTruthData":',
    ].join('\n'),
  );
}, 120_000);

describe('a window larger than partBytes', () => {
  let split: Extract<EvaluationRunOutcome, { kind: 'split' }>;
  let messages: Awaited<ReturnType<typeof drainQueue>>;
  let scheduled: ReturnType<typeof evaluations>;

  it('is split by hour partition: the plan in S3, one SQS message per part, nothing recorded yet', async () => {
    const total = [...written.values()].reduce((a, b) => a + b, 0);
    scheduled = evaluations(Math.ceil(total / 3));
    const { live, published } = scheduled;

    const outcome = await live.evaluate({ kind: 'evaluate', pipeline: PIPELINE, time: TIME });

    expect(outcome).toMatchObject({ kind: 'split', pipeline: PIPELINE });
    split = outcome as typeof split;
    expect(split.parts).toBeGreaterThanOrEqual(3);
    messages = await drainQueue();
    expect(messages.map((m) => m.part).sort((a, b) => a - b)).toEqual([...Array(split.parts).keys()]);
    expect(new Set(messages.map((m) => `${m.pipeline} ${m.evaluationId}`))).toEqual(
      new Set([`${PIPELINE} ${split.evaluationId}`]),
    );
    // Every capture object is read by exactly one part, and an hour is never cut (each is under the budget).
    const plan = await json<{ parts: PlannedCapture[][]; groundTruth: { key: string }[] }>(
      ARTIFACTS,
      `evaluations/${PIPELINE}/${split.evaluationId}/plan.json`,
    );
    expect(plan.parts).toHaveLength(split.parts);
    const planned = plan.parts.flat().map((c) => c.key);
    expect(planned.sort()).toEqual([...written.keys()].sort());
    const partOfHour = new Map<string, number>();
    plan.parts.forEach((part, i) => {
      expect(part.length).toBeGreaterThan(0);
      for (const c of part) {
        expect(partOfHour.get(c.hour) ?? i).toBe(i);
        partOfHour.set(c.hour, i);
      }
    });
    expect(plan.groundTruth.length).toBeGreaterThan(5);
    expect(await store.get(PIPELINE, '2026-01-15T23:00:00.000Z', split.evaluationId)).toBeUndefined();
    expect(published).toEqual([]);
  });

  it('a redelivered schedule finds the plan and queues the parts again without a second plan', async () => {
    const again = await scheduled.live.evaluate({ kind: 'evaluate', pipeline: PIPELINE, time: TIME });

    expect(again).toEqual(split);
    const redelivered = await drainQueue();
    expect(redelivered.map((m) => m.part).sort((a, b) => a - b)).toEqual([...Array(split.parts).keys()]);
    const { Versions = [] } = await aws.clients.s3.send(
      new ListObjectVersionsCommand({
        Bucket: ARTIFACTS,
        Prefix: `evaluations/${PIPELINE}/${split.evaluationId}/plan.json`,
      }),
    );
    expect(Versions).toHaveLength(1);
    messages.push(...redelivered);
  });

  it('runs the parts in any order, a redelivered part counts once, and only the last completion records', async () => {
    const { live, published } = scheduled;
    // Each part once in a shuffled order, the first one delivered again right after itself; every other
    // redelivery after the evaluation is recorded.
    const first = shuffled(messages.slice(0, split.parts), 5);
    const later = messages.slice(split.parts).filter((m) => m.part !== first[0]!.part);
    const order = [first[0]!, first[0]!, ...first.slice(1), ...shuffled(later, 6)];
    expect(order).toHaveLength(2 * split.parts);
    const done = new Set<number>();
    const outcomes: EvaluationRunOutcome[] = [];
    for (const message of order) {
      const outcome = await live.part({ kind: 'part', ...message });
      done.add(message.part);
      outcomes.push(outcome);
      const recorded = await store.get(PIPELINE, '2026-01-15T23:00:00.000Z', split.evaluationId);
      if (done.size < split.parts) {
        expect(outcome).toEqual({
          kind: 'part-done',
          pipeline: PIPELINE,
          evaluationId: split.evaluationId,
          part: message.part,
          done: done.size,
          total: split.parts,
        });
        expect(recorded).toBeUndefined();
      } else {
        expect(outcome).toMatchObject({ kind: 'evaluated', evaluationId: split.evaluationId });
        expect(recorded).toMatchObject({ parts: split.parts, eventsSent: true, trigger: 'schedule' });
      }
    }
    const evaluated = outcomes.filter((o) => o.kind === 'evaluated');
    expect(evaluated.map((o) => o.duplicate)).toEqual([false, ...Array<boolean>(split.parts - 1).fill(true)]);
    expect(published.map((e) => e.DetailType)).toEqual(['Evaluation Completed']);
    expect(JSON.parse(published[0]!.Detail)).toMatchObject({ evaluationId: split.evaluationId, modelVersion: 3 });
    expect(await store.recent(PIPELINE, 10)).toHaveLength(1);
    const states = await aws.clients.s3.send(
      new ListObjectsV2Command({ Bucket: ARTIFACTS, Prefix: `evaluations/${PIPELINE}/${split.evaluationId}/parts/` }),
    );
    expect(states.KeyCount).toBe(split.parts);
  });

  it('merges to the same metrics, counts and drift as an unsplit evaluation of the same objects', async () => {
    const whole = evaluations(1024 ** 3);
    const outcome = await whole.live.evaluate({
      kind: 'evaluate',
      pipeline: PIPELINE,
      time: TIME,
      requestId: 'unsplit-1',
    });
    expect(outcome).toMatchObject({ kind: 'evaluated', duplicate: false });
    const unsplit = outcome as Extract<EvaluationRunOutcome, { kind: 'evaluated' }>;
    expect(unsplit.evaluationId).not.toBe(split.evaluationId);

    const merged = (await store.get(PIPELINE, unsplit.windowEnd, split.evaluationId))!;
    const alone = (await store.get(PIPELINE, unsplit.windowEnd, unsplit.evaluationId))!;
    expect(alone.parts).toBe(1);
    expect(Object.keys(alone.metrics)).toEqual(expect.arrayContaining(['roc_auc', 'accuracy', 'log_loss', 'f1']));
    expect(merged.samples).toBe(alone.samples);
    expect(merged.matched).toBe(alone.matched);
    expect(merged.verdict).toBe(alone.verdict);
    expect(Object.keys(merged.metrics).sort()).toEqual(Object.keys(alone.metrics).sort());
    for (const [name, value] of Object.entries(alone.metrics)) expect(merged.metrics[name]).toBeCloseTo(value, 9);

    type Report = EvaluationReport & { parts: number };
    const a = await json<Report>(ARTIFACTS, merged.reportKey);
    const b = await json<Report>(ARTIFACTS, alone.reportKey);
    expect([a.parts, b.parts]).toEqual([split.parts, 1]);
    expect(a.counts).toEqual(b.counts);
    // The data holds one of each: the counts are those of the objects, not of a part.
    expect(b.counts).toMatchObject({
      capture: { unparseable: 1, duplicates: 1, outsideWindow: 1, invalid: 0 },
      groundTruth: { unparseable: 1, duplicates: 1 },
      join: { invalidLabels: 1 },
      labelsWithoutCapture: 2,
    });
    expect(b.counts.capture.records).toBe(1500);
    expect(a.confusionMatrix).toEqual(b.confusionMatrix);
    expect(a.metricSamples).toEqual(b.metricSamples);
    for (const [name, interval] of Object.entries(b.confidenceIntervals)) {
      expect(a.confidenceIntervals[name]?.low).toBeCloseTo(interval?.low ?? NaN, 9);
      expect(a.confidenceIntervals[name]?.high).toBeCloseTo(interval?.high ?? NaN, 9);
    }
    expect(b.drift?.features.map((f) => f.feature).sort()).toEqual([...settings!.features].sort());
    expect(a.drift?.status).toBe(b.drift?.status);
    expect(a.drift?.features).toHaveLength(b.drift!.features.length);
    b.drift!.features.forEach((f, i) => {
      const g = a.drift!.features[i]!;
      expect(g.feature).toBe(f.feature);
      expectClose(g.psi, f.psi);
      expect(g.drifted).toBe(f.drifted);
    });
    expectClose(a.drift?.prediction?.psi, b.drift?.prediction?.psi);
    expect(b.drift?.prediction?.psi).toEqual(expect.any(Number));
    expect(a.variants.map((v) => [v.name, v.samples, v.matched])).toEqual(
      b.variants.map((v) => [v.name, v.samples, v.matched]),
    );
    expect(b.variants.map((v) => v.name)).toEqual(['AllTraffic', 'Challenger']);
    const problems = (r: Report) => r.examples.map((e) => `${e.kind} ${e.file}:${e.line}`).sort();
    expect(problems(a)).toEqual(problems(b));
    expect(whole.published.map((e) => e.DetailType)).toEqual(['Evaluation Completed']);
    // The parts emitted the window's metrics once, with the values of the unsplit evaluation.
    expect(scheduled.metrics.map((d) => Object.keys(d).sort())).toEqual(
      whole.metrics.map((d) => Object.keys(d).sort()),
    );
    expect(whole.metrics.length).toBeGreaterThanOrEqual(2);
    whole.metrics.forEach((doc, i) => {
      for (const [name, value] of Object.entries(doc)) {
        if (typeof value === 'number') expect(scheduled.metrics[i]![name]).toBeCloseTo(value, 9);
        else expect(scheduled.metrics[i]![name]).toEqual(value);
      }
    });
  });

  it('records once when the parts run at the same time, as concurrent Lambda invocations do', async () => {
    const total = [...written.values()].reduce((a, b) => a + b, 0);
    const { live, published } = evaluations(Math.ceil(total / 3));
    const request = { kind: 'evaluate', pipeline: PIPELINE, time: TIME, requestId: 'concurrent-1' } as const;
    const planned = (await live.evaluate(request)) as Extract<EvaluationRunOutcome, { kind: 'split' }>;
    expect(planned).toMatchObject({ kind: 'split', parts: split.parts });
    const parts = await drainQueue();

    const outcomes = await Promise.all(parts.map((m) => live.part({ kind: 'part', ...m })));

    expect(outcomes.filter((o) => o.kind === 'evaluated')).toEqual([
      expect.objectContaining({ evaluationId: planned.evaluationId, duplicate: false }),
    ]);
    expect(published.map((e) => e.DetailType)).toEqual(['Evaluation Completed']);
    const record = await store.get(PIPELINE, '2026-01-15T23:00:00.000Z', planned.evaluationId);
    const scheduledRecord = await store.get(PIPELINE, '2026-01-15T23:00:00.000Z', split.evaluationId);
    expect(record).toMatchObject({ parts: split.parts, eventsSent: true, trigger: 'request' });
    expect(record?.matched).toBe(scheduledRecord?.matched);
    expect(record?.metrics.roc_auc).toBeCloseTo(scheduledRecord!.metrics.roc_auc!, 9);
  });

  it('sends the events and metrics once when the last part is delivered twice at the same time', async () => {
    const total = [...written.values()].reduce((a, b) => a + b, 0);
    // The winner is held just before it puts its event on the bus, until the other delivery has given up.
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
      setTimeout(resolve, 10_000).unref();
    });
    const { live, published, metrics } = evaluations(Math.ceil(total / 3), () => gate);
    const request = { kind: 'evaluate', pipeline: PIPELINE, time: TIME, requestId: 'racing-last-part' } as const;
    const planned = (await live.evaluate(request)) as Extract<EvaluationRunOutcome, { kind: 'split' }>;
    const [last, ...others] = await drainQueue();
    for (const m of others) expect(await live.part({ kind: 'part', ...m })).toMatchObject({ kind: 'part-done' });

    const racing = [live.part({ kind: 'part', ...last! }), live.part({ kind: 'part', ...last! })];
    const loser = await Promise.race(
      racing.map((p, i) =>
        p.then(
          () => -1,
          () => i,
        ),
      ),
    );
    open();
    const settled = await Promise.allSettled(racing);

    expect(loser).toBeGreaterThanOrEqual(0);
    expect(settled[loser]).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ name: 'EventsInFlightError' }),
    });
    expect(settled[1 - loser]).toMatchObject({
      status: 'fulfilled',
      value: { kind: 'evaluated', evaluationId: planned.evaluationId, duplicate: false },
    });
    expect(published.map((e) => e.DetailType)).toEqual(['Evaluation Completed']);
    expect(metrics.length).toBeGreaterThan(0);
    expect(new Set(metrics.map((d) => JSON.stringify(d))).size).toBe(metrics.length);
    // The platform's retry of the loser finds everything sent.
    const emitted = metrics.length;
    expect(await live.part({ kind: 'part', ...last! })).toMatchObject({ kind: 'evaluated', duplicate: true });
    expect(published).toHaveLength(1);
    expect(metrics).toHaveLength(emitted);
    expect(await store.get(PIPELINE, '2026-01-15T23:00:00.000Z', planned.evaluationId)).toMatchObject({
      eventsSent: true,
    });
  });

  it('a part whose plan is missing throws, and so does a part the plan does not have', async () => {
    const { live } = scheduled;

    await expect(
      live.part({ kind: 'part', pipeline: PIPELINE, evaluationId: '20260116t000000-00000000', part: 0 }),
    ).rejects.toThrow(/no plan for evaluation 20260116t000000-00000000/);
    await expect(
      live.part({ kind: 'part', pipeline: PIPELINE, evaluationId: split.evaluationId, part: split.parts }),
    ).rejects.toThrow(RangeError);
  });
});
