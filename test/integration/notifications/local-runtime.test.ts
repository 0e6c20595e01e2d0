// The synthesized Notifications wiring in the local runtime: an event put on the mlops bus reaches the notifier
// through the rule and the notification queue (provisioned from cdk.out), and is posted to Slack.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadPipelines } from '../../../functions/config/load-pipelines';
import { DatasetRejected, toPutEventsEntry, TrainingFailed } from '../../../functions/events/lifecycle';
import { DataPlane } from '../../../lib/data-plane';
import { Notifications } from '../../../lib/notifications';
import { Observability } from '../../../lib/observability';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime';
import { TYPICAL_DETAILS } from '../../fixtures/slack/lifecycle-events';
import { INVALID_PAYLOAD, startSlackReceiver, type SlackReceiver } from '../../fixtures/slack/slack-receiver';
import { cdkJsonContext } from '../../infra/cdk-context';
import { MOTO_ENDPOINT_KEY } from '../setup/provided-context';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const WEBHOOK_PATH = '/services/T0LOCAL/B0LOCAL/localRuntimeToken';
let runtime: LocalRuntime;
let slack: SlackReceiver;
let cdkOut: string;

beforeAll(async () => {
  cdkOut = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-notifications-test-'));
  const app = new App({
    outdir: cdkOut,
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  const stack = new Stack(app, 'NotificationsLocal');
  const dataPlane = new DataPlane(stack, 'DataPlane', { stage: 'local' });
  const observability = new Observability(stack, 'Observability', { stage: 'local', encryptionKey: dataPlane.key });
  new Notifications(stack, 'Notifications', {
    bus: dataPlane.bus,
    metadataTable: dataPlane.metadataTable,
    key: dataPlane.key,
    webhookSecret: dataPlane.slackWebhookSecret,
    observability,
    stage: 'local',
    pipelines: loadPipelines(ROOT),
    artifactsBucket: dataPlane.artifactsBucket,
    quarantineBucket: dataPlane.quarantineBucket,
  });
  app.synth();
  slack = await startSlackReceiver();
  runtime = await startLocalRuntime({ projectRoot: ROOT, cdkOutDir: cdkOut, motoEndpoint: inject(MOTO_ENDPOINT_KEY) });
  await runtime.clients.secretsManager.send(
    new PutSecretValueCommand({
      SecretId: runtime.physicalId('DataPlaneSlackWebhookSecret'),
      SecretString: JSON.stringify({ default: slack.url(WEBHOOK_PATH) }),
    }),
  );
}, 120_000);

afterAll(async () => {
  await runtime?.close();
  await slack?.close();
  fs.rmSync(cdkOut, { recursive: true, force: true });
});

async function putOnBus(entry: ReturnType<typeof toPutEventsEntry>): Promise<void> {
  const result = await runtime.clients.eventbridge.send(new PutEventsCommand({ Entries: [entry] }));
  expect(result.FailedEntryCount).toBe(0);
}

describe('Notifications in the local runtime', () => {
  it('posts an event from the mlops bus to Slack through the rule, the queue and the notifier', async () => {
    const bus = runtime.physicalId('DataPlaneBus');
    await putOnBus(toPutEventsEntry(DatasetRejected, TYPICAL_DETAILS['Dataset Rejected'], bus));

    const deliveries = await runtime.settle();

    expect(deliveries.map((d) => [d.via, d.outcome])).toEqual([['queue', { kind: 'batch', failedMessageIds: [] }]]);
    const posts = slack.posts.filter((p) => p.path === WEBHOOK_PATH);
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]?.body)).toContain(`region=${runtime.region}`);
  }, 60_000);

  it('parks a message Slack refuses in the notifier dead-letter queue, with the reason', async () => {
    const bus = runtime.physicalId('DataPlaneBus');
    slack.script(WEBHOOK_PATH, INVALID_PAYLOAD);
    await putOnBus(toPutEventsEntry(TrainingFailed, TYPICAL_DETAILS['Training Failed'], bus));

    await runtime.settle();

    const parked = await runtime.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: runtime.physicalId('NotificationsNotifierDeadLetterQueue'),
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 1,
      }),
    );
    expect(parked.Messages?.map((m) => m.MessageAttributes?.errorCode?.StringValue)).toEqual(['invalid_payload']);
  }, 60_000);
});
