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
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseEnvironmentContext } from '../../../functions/config/environment-context';
import { loadPipelines } from '../../../functions/config/load-pipelines';
import { DatasetAccepted, DatasetRejected, lifecyclePattern } from '../../../functions/events/lifecycle';
import { toEventBridgePattern } from '../../../functions/events/event-pattern';
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
const datasets = async () =>
  (
    await runtime.clients.dynamodb.send(
      new QueryCommand({
        TableName: runtime.physicalId('DataPlaneMetadataTable'),
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
});
