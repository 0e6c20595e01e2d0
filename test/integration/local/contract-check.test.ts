import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseEnvironmentContext } from '../../../functions/config/environment-context';
import { loadPipelines } from '../../../functions/config/load-pipelines';
import { DatasetAccepted, DatasetRejected, lifecyclePattern } from '../../../functions/events/lifecycle';
import { objectIdentity } from '../../../functions/events/aws-s3';
import { toEventBridgePattern } from '../../../functions/events/event-pattern';
import { DatasetStore } from '../../../functions/metadata/dataset-store';
import { MlopsStack } from '../../../lib/mlops-stack';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime';
import { churnCsv } from '../../fixtures/churn/small-batch';
import { cdkJsonContext } from '../../infra/cdk-context';
import { MOTO_ENDPOINT_KEY } from '../setup/provided-context';

const ROOT = path.resolve(import.meta.dirname, '../../..');
let runtime: LocalRuntime;
let cdkOut: string;
let eventsQueueUrl: string;

/** Lifecycle events seen on the mlops bus (through a test rule with an SQS target). */
async function busEvents(): Promise<{ 'detail-type': string; detail: Record<string, unknown> }[]> {
  const all = [];
  for (;;) {
    const batch = await runtime.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: eventsQueueUrl, MaxNumberOfMessages: 10 }),
    );
    if (!batch.Messages?.length) return all;
    all.push(...batch.Messages.map((m) => JSON.parse(m.Body ?? '{}')));
  }
}

beforeAll(async () => {
  cdkOut = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-contract-test-'));
  const app = new App({
    outdir: cdkOut,
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  new MlopsStack(app, 'ContractTest', {
    pipelines: loadPipelines(ROOT),
    environment: parseEnvironmentContext((key) => app.node.tryGetContext(key)),
  });
  app.synth();
  runtime = await startLocalRuntime({
    projectRoot: ROOT,
    cdkOutDir: cdkOut,
    motoEndpoint: inject(MOTO_ENDPOINT_KEY),
    retryDelaysMs: [10, 10],
  });
  const bus = runtime.physicalId('DataPlaneBus');
  eventsQueueUrl =
    (await runtime.clients.sqs.send(new CreateQueueCommand({ QueueName: 'test-lifecycle-events' }))).QueueUrl ?? '';
  const queueArn = (
    await runtime.clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: eventsQueueUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes?.QueueArn;
  await runtime.clients.eventbridge.send(
    new PutRuleCommand({
      Name: 'test-datasets',
      EventBusName: bus,
      EventPattern: JSON.stringify(
        toEventBridgePattern(lifecyclePattern([DatasetAccepted, DatasetRejected], ['churn'])),
      ),
    }),
  );
  await runtime.clients.eventbridge.send(
    new PutTargetsCommand({ Rule: 'test-datasets', EventBusName: bus, Targets: [{ Id: 'q', Arn: queueArn }] }),
  );
});

afterAll(async () => {
  await runtime?.close();
  fs.rmSync(cdkOut, { recursive: true, force: true });
});

const landing = () => runtime.physicalId('DataPlaneLandingBucket');
const metadataTable = () => runtime.physicalId('DataPlaneMetadataTable');
const datasets = async () =>
  (
    await runtime.clients.dynamodb.send(
      new QueryCommand({
        TableName: metadataTable(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': { S: 'PIPELINE#churn' }, ':sk': { S: 'DATASET#' } },
      }),
    )
  ).Items ?? [];

describe('contract check on the local runtime', () => {
  it('accepts a good file end to end: record, report, profile and Dataset Accepted', async () => {
    const put = await runtime.clients.s3.send(
      new PutObjectCommand({ Bucket: landing(), Key: 'churn/incoming/batch 1.csv', Body: churnCsv(150) }),
    );
    const [delivery] = await runtime.settle();

    expect(delivery?.outcome).toMatchObject({ kind: 'succeeded', value: { status: 'accepted', rows: 150 } });
    const [event] = await busEvents();
    expect(event).toMatchObject({
      'detail-type': 'Dataset Accepted',
      detail: { pipeline: 'churn', key: 'churn/incoming/batch 1.csv', versionId: put.VersionId, rows: 150 },
    });
    const report = JSON.parse(
      (await (
        await runtime.clients.s3.send(
          new GetObjectCommand({
            Bucket: runtime.physicalId('DataPlaneArtifactsBucket'),
            Key: String(event?.detail.reportKey),
          }),
        )
      ).Body?.transformToString()) ?? '{}',
    );
    expect(report).toMatchObject({ status: 'accepted', rows: 150 });
    expect(report.checks.length).toBeGreaterThan(10);
    const records = await datasets();
    expect(records.map((r) => r.status?.S)).toEqual(['accepted']);
  });

  it('rejects a bad file: quarantined with tags, recorded, reported, Dataset Rejected with the failing lines', async () => {
    const bad = churnCsv(150)
      .replace(/,basic,/, ',platinum,')
      .replace(/\n[^,]+,2026-11-21,\d+,/, '\n,2026-11-21,-4,');
    const put = await runtime.clients.s3.send(
      new PutObjectCommand({ Bucket: landing(), Key: 'churn/incoming/bad.csv', Body: bad }),
    );
    await runtime.settle();

    const [event] = await busEvents();
    expect(event?.['detail-type']).toBe('Dataset Rejected');
    const failed = (event?.detail.failedChecks ?? []) as {
      name: string;
      examples: { line?: number; value: string }[];
    }[];
    expect(failed.flatMap((c) => c.examples.map((e) => e.value))).toEqual(expect.arrayContaining(['platinum']));
    const quarantine = runtime.physicalId('DataPlaneQuarantineBucket');
    const tags = await runtime.clients.s3.send(
      new GetObjectTaggingCommand({ Bucket: quarantine, Key: 'churn/incoming/bad.csv' }),
    );
    expect(Object.fromEntries((tags.TagSet ?? []).map((t) => [t.Key, t.Value]))).toMatchObject({
      'mlops:pipeline': 'churn',
      'mlops:datasetId': event?.detail.datasetId,
    });
    const versions = await runtime.clients.s3.send(
      new ListObjectVersionsCommand({ Bucket: landing(), Prefix: 'churn/incoming/bad.csv' }),
    );
    expect((versions.Versions ?? []).map((v) => v.VersionId)).not.toContain(put.VersionId);
    expect((await datasets()).map((r) => r.status?.S).sort()).toEqual(['accepted', 'rejected']);
  });

  it('changes nothing when the same object version is delivered again', async () => {
    const first = runtime.dispatcher.history.find((d) => d.source.startsWith('ContractCheckOnObjectCreated'));
    const fn = runtime.stack.functions.find((f) => f.entry === 'functions/contract-check/handler.ts');
    const again = await runtime.functions.invoke(fn!, first?.event);

    expect(again).toMatchObject({ ok: true, value: { duplicate: true } });
    expect(await busEvents()).toEqual([]);
    expect(await datasets()).toHaveLength(2);
  });

  it('emits one event when the same object version is delivered twice at the same time', async () => {
    const key = 'churn/incoming/batch 3.csv';
    const { event, put, fn } = await putWithSecondDelivery(key, churnCsv(120));

    const [deliveries, direct] = await Promise.all([runtime.settle(), runtime.functions.invoke(fn, event)]);

    // One of the two records and sends; the other finds it done, or finds the event being sent and fails to be
    // retried (then it is settled by its retry, or by the lease's end): never a second event.
    const events = await busEvents();
    expect(events.map((e) => [e['detail-type'], e.detail.key, e.detail.versionId])).toEqual([
      ['Dataset Accepted', key, put.VersionId],
    ]);
    expect((await datasets()).filter((r) => r.key?.S === key)).toHaveLength(1);
    const checks = deliveries.filter((d) => d.source.startsWith('ContractCheckOnObjectCreated'));
    expect(checks.length).toBeGreaterThan(0);
    const outcomes = [...checks.map((d) => d.outcome), direct];
    for (const outcome of outcomes) {
      expect(JSON.stringify(outcome)).toMatch(/"status":"accepted"|"duplicate":true|EventsInFlightError/);
    }
    expect(outcomes.some((o) => JSON.stringify(o).includes('"status":"accepted"'))).toBe(true);
  });

  it('leaves an event another delivery is sending to that delivery, and takes it over once its lease lapsed', async () => {
    const store = new DatasetStore(DynamoDBDocumentClient.from(runtime.clients.dynamodb), metadataTable());
    const recordedBy = async (key: string, put: { VersionId?: string | undefined }, at: Date) => {
      const identity = objectIdentity({ bucket: landing(), key, versionId: put.VersionId });
      const detail = { pipeline: 'churn', datasetId: `ds-${key}`, key, versionId: put.VersionId, rows: 120 };
      const recorded = await store.recordOnce(
        identity,
        {
          pipeline: 'churn',
          datasetId: `ds-${key}`,
          status: 'accepted',
          bucket: landing(),
          key,
          size: 1,
          rows: 120,
          receivedAt: at.toISOString(),
          checkedAt: at.toISOString(),
        },
        { detailType: 'Dataset Accepted', detail: JSON.stringify(detail) },
        at,
      );
      expect(recorded).toEqual({ kind: 'recorded' });
      return identity;
    };

    // Recorded a moment ago by a delivery that is sending its event now: this one must not send it too.
    const sending = await putWithSecondDelivery('churn/incoming/batch 4.csv', churnCsv(120));
    const identity = await recordedBy('churn/incoming/batch 4.csv', sending.put, new Date());
    const inFlight = await runtime.functions.invoke(sending.fn, sending.event);
    expect(JSON.stringify(inFlight)).toMatch(/EventsInFlightError.*being sent by another delivery/);
    expect(await busEvents()).toEqual([]);
    await store.settleEventSend(identity, true); // the other delivery's send went through

    // Recorded three minutes ago by a delivery that died before sending: this one sends the recorded event.
    const crashed = await putWithSecondDelivery('churn/incoming/batch 5.csv', churnCsv(120));
    await recordedBy('churn/incoming/batch 5.csv', crashed.put, new Date(Date.now() - 3 * 60_000));
    expect(await runtime.functions.invoke(crashed.fn, crashed.event)).toMatchObject({ ok: true });
    expect((await busEvents()).map((e) => [e['detail-type'], e.detail.datasetId])).toEqual([
      ['Dataset Accepted', 'ds-churn/incoming/batch 5.csv'],
    ]);

    // S3's own deliveries of both objects find everything settled.
    await runtime.settle();
    expect(await busEvents()).toEqual([]);
  });
});

/**
 * Puts an object to the landing bucket and returns a copy of the event S3 is about to deliver for it (the same
 * object version, as EventBridge may deliver it twice), and the contract-check function to invoke with it.
 */
async function putWithSecondDelivery(key: string, body: string) {
  const put = await runtime.clients.s3.send(new PutObjectCommand({ Bucket: landing(), Key: key, Body: body }));
  const delivered = runtime.dispatcher.history.find((d) => d.source.startsWith('ContractCheckOnObjectCreated'));
  const event = structuredClone(delivered!.event) as { id: string; detail: { object: Record<string, unknown> } };
  event.id = `a-second-delivery-of-${key}`;
  event.detail.object = {
    ...event.detail.object,
    key,
    size: Buffer.byteLength(body),
    etag: put.ETag?.replaceAll('"', ''),
    'version-id': put.VersionId,
  };
  const fn = runtime.stack.functions.find((f) => f.entry === 'functions/contract-check/handler.ts')!;
  return { put, event, fn };
}
