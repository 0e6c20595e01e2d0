// The real notifier handler against the emulator (DynamoDB, SQS, Secrets Manager) and a local Slack receiver.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LifecycleEventName } from '../../../functions/events/lifecycle';
import { NOTIFIER_ENV } from '../../../functions/notifier/environment';
import { lifecycleEvent, TYPICAL_DETAILS } from '../../fixtures/slack/lifecycle-events';
import {
  CHANNEL_IS_ARCHIVED,
  INVALID_PAYLOAD,
  NO_SERVICE,
  RATE_LIMITED,
  SERVER_ERROR,
  startSlackReceiver,
  type SlackAnswer,
  type SlackReceiver,
} from '../../fixtures/slack/slack-receiver';
import { useLocalAws } from '../setup/local-env';
import { lambdaContext, NotifierHarness, TIME_SCALE } from './notifier-harness';

const aws = await useLocalAws();
const harness = new NotifierHarness(aws);
let slack: SlackReceiver;
let paths = 0;

beforeAll(async () => {
  slack = await startSlackReceiver();
  await harness.createTable();
});
afterAll(() => slack.close());

/** A fresh webhook path; its last segment plays the part of the secret token in a real webhook URL. */
function webhookPath(): { path: string; token: string } {
  const token = `xoxSecretToken${++paths}${Math.random().toString(36).slice(2, 12)}`;
  return { path: `/services/T0TEAM/B0HOOK${paths}/${token}`, token };
}

/** Queues, a secret with one default webhook, and a fresh handler reading them. */
async function setUp(options: { secret?: (url: string) => string; extraEnv?: Record<string, string> } = {}) {
  const { path, token } = webhookPath();
  const url = slack.url(path);
  const queues = await harness.createQueues();
  const secretArn = await harness.createSecret(options.secret ? options.secret(url) : url);
  const handler = await harness.loadHandler(queues, secretArn, options.extraEnv);
  const posts = () => slack.posts.filter((p) => p.path === path);
  return { path, token, url, queues, secretArn, handler, posts };
}

const event = (name: LifecycleEventName, id: string, pipeline = 'churn') =>
  lifecycleEvent(name, TYPICAL_DETAILS[name], { id, pipeline });

async function markerStatus(eventId: string): Promise<string | undefined> {
  const response = await aws.clients.dynamodb.send(
    new GetItemCommand({
      TableName: harness.tableName,
      Key: { pk: { S: `NOTIFICATION#${eventId}` }, sk: { S: 'NOTIFICATION' } },
      ConsistentRead: true,
    }),
  );
  return response.Item?.status?.S;
}

describe('notifier handler', () => {
  it('posts a lifecycle event from the queue to Slack in Block Kit, and records it', async () => {
    const t = await setUp();
    await harness.send(t.queues.queueUrl, event('Dataset Rejected', 'evt-delivery'));

    const { failed } = await harness.deliver(t.handler, t.queues.queueUrl);

    expect(failed).toEqual([]);
    const [post] = t.posts();
    expect(post?.contentType).toBe('application/json; charset=utf-8');
    expect(post?.body).toMatchObject({
      text: expect.stringMatching(/^<!subteam\^S0123ONCALL> :no_entry: Dataset rejected · churn:/),
      blocks: expect.arrayContaining([{ type: 'header', text: expect.objectContaining({ type: 'plain_text' }) }]),
    });
    expect(await markerStatus('evt-delivery')).toBe('sent');
    expect(await harness.receive(t.queues.queueUrl)).toEqual([]);
  });

  it('retries after a 429, waiting as long as Retry-After says', async () => {
    const t = await setUp();
    slack.script(t.path, RATE_LIMITED(2));
    await harness.send(t.queues.queueUrl, event('Training Failed', 'evt-429'));

    const { failed } = await harness.deliver(t.handler, t.queues.queueUrl);

    expect(failed).toEqual([]);
    const [first, second] = t.posts();
    expect(first?.answer.status).toBe(429);
    expect(second?.answer.status).toBe(200);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(2000 * TIME_SCALE - 5);
  });

  it('retries 5xx a few times, then hands the message back; the redelivery posts it', async () => {
    const t = await setUp();
    slack.script(t.path, SERVER_ERROR, SERVER_ERROR, SERVER_ERROR);
    await harness.send(t.queues.queueUrl, event('Dataset Rejected', 'evt-5xx'));

    const first = await harness.deliver(t.handler, t.queues.queueUrl);

    expect(first.failed).toEqual([first.messages[0]?.MessageId]);
    expect(t.posts().map((p) => p.answer.status)).toEqual([500, 500, 500]);
    expect(await markerStatus('evt-5xx')).toBeUndefined(); // claim released, so the redelivery may post
    expect(await harness.receive(t.queues.queueUrl)).toEqual([]); // handed back with a delay, not at once

    // The hand-back delay is 15 to 30 s at scale 1, so 1.5 to 3 s here.
    const again = await harness.receive(t.queues.queueUrl, 10, 5);
    expect(again).toHaveLength(1);
    expect(again[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    const response = await t.handler(harness.sqsEvent(t.queues.queueUrl, again), lambdaContext());
    expect(response).toEqual({ batchItemFailures: [] });
    expect(t.posts().map((p) => p.answer.status)).toEqual([500, 500, 500, 200]);
    expect(await markerStatus('evt-5xx')).toBe('sent');
  }, 30_000);

  it.each([
    ['400 invalid_payload', INVALID_PAYLOAD],
    ['404 no_service', NO_SERVICE],
    ['410 channel_is_archived', CHANNEL_IS_ARCHIVED],
  ])(
    'sends a message Slack refuses with %s to the dead-letter queue at once, without retries',
    async (_, answer: SlackAnswer) => {
      const t = await setUp();
      slack.script(t.path, answer);
      const sent = event('Deployment Failed', `evt-${answer.body}`);
      await harness.send(t.queues.queueUrl, sent);

      const { failed } = await harness.deliver(t.handler, t.queues.queueUrl);

      expect(failed).toEqual([]);
      expect(t.posts()).toHaveLength(1);
      const [parked] = await harness.receive(t.queues.deadLetterQueueUrl);
      expect(JSON.parse(parked?.Body ?? '')).toEqual(sent);
      expect(parked?.MessageAttributes?.errorCode?.StringValue).toBe(answer.body);
      expect(parked?.MessageAttributes?.reason?.StringValue).toBe(
        `Slack refused the message: HTTP ${answer.status} ${answer.body} (webhook "default")`,
      );
      expect(await markerStatus(`evt-${answer.body}`)).toBeUndefined();
      // Deleted from the source queue by the handler, not left for redelivery.
      const attributes = await harness.receive(t.queues.queueUrl, 10, 0);
      expect(attributes).toEqual([]);
    },
  );

  it('paces a burst: posts to one webhook at least the interval apart', async () => {
    const t = await setUp();
    for (let i = 0; i < 5; i++) await harness.send(t.queues.queueUrl, event('Dataset Accepted', `evt-burst-${i}`));

    let delivered = 0;
    while (delivered < 5) delivered += (await harness.deliver(t.handler, t.queues.queueUrl, 5)).messages.length;

    const times = t.posts().map((p) => p.at);
    expect(times).toHaveLength(5);
    const gaps = times.slice(1).map((at, i) => at - (times[i] ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1000 * TIME_SCALE - 5);
  });

  it('posts an event once when the same message, or the same event id, is delivered twice', async () => {
    const t = await setUp();
    const sent = event('Drift Detected', 'evt-twice');
    await harness.send(t.queues.queueUrl, sent);
    await harness.send(t.queues.queueUrl, sent); // EventBridge delivered the event twice

    const [message] = await harness.receive(t.queues.queueUrl, 1, 1);
    const batch = harness.sqsEvent(t.queues.queueUrl, message ? [message] : []);
    await t.handler(batch, lambdaContext());
    await t.handler(batch, lambdaContext()); // the same SQS message again (visibility timeout ran out)
    await harness.deliver(t.handler, t.queues.queueUrl);

    expect(t.posts()).toHaveLength(1);
  });

  it('routes a pipeline to its own webhook (webhookKey) and skips events it does not want', async () => {
    const fraud = webhookPath();
    const t = await setUp({ secret: (url) => JSON.stringify({ default: url, 'fraud-team': slack.url(fraud.path) }) });
    await harness.send(t.queues.queueUrl, event('Dataset Rejected', 'evt-fraud', 'fraud'));
    await harness.send(t.queues.queueUrl, event('Dataset Accepted', 'evt-fraud-accepted', 'fraud'));

    await harness.deliver(t.handler, t.queues.queueUrl);

    expect(slack.posts.filter((p) => p.path === fraud.path)).toHaveLength(1);
    expect(t.posts()).toEqual([]);
  });

  it('renders and logs "not sent: no webhook configured" when the secret is {}', async () => {
    const t = await setUp({ secret: () => '{}', extraEnv: { POWERTOOLS_LOG_LEVEL: 'INFO' } });
    const output = captureOutput();
    await harness.send(t.queues.queueUrl, event('Dataset Rejected', 'evt-unconfigured'));

    const { failed } = await harness.deliver(t.handler, t.queues.queueUrl);
    output.restore();

    expect(failed).toEqual([]);
    const line = output.lines().find((l) => l.includes('not sent: no webhook configured'));
    expect(line).toBeDefined();
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      level: 'WARN',
      eventId: 'evt-unconfigured',
      pipeline: 'churn',
      text: expect.stringContaining('Dataset rejected · churn'),
    });
    expect(await harness.receive(t.queues.deadLetterQueueUrl)).toEqual([]);
  });

  it('dead-letters a message that is not a lifecycle event, with the reason', async () => {
    const t = await setUp();
    await harness.send(t.queues.queueUrl, { 'detail-type': 'Object Created', source: 'aws.s3', detail: {} });

    await harness.deliver(t.handler, t.queues.queueUrl);

    const [parked] = await harness.receive(t.queues.deadLetterQueueUrl);
    expect(parked?.MessageAttributes?.errorCode?.StringValue).toBe('malformed_event');
    expect(t.posts()).toEqual([]);
  });

  it('uses SLACK_WEBHOOK_URL instead of the secret when it is set (local runtime)', async () => {
    const local = webhookPath();
    const t = await setUp({
      extraEnv: {
        [NOTIFIER_ENV.webhookUrlOverride]: slack.url(local.path),
        [NOTIFIER_ENV.webhookSecretArn]: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:does-not-exist',
      },
    });
    await harness.send(t.queues.queueUrl, event('Training Failed', 'evt-local'));

    await harness.deliver(t.handler, t.queues.queueUrl);

    expect(slack.posts.filter((p) => p.path === local.path)).toHaveLength(1);
  });

  it('never lets the webhook URL or its token appear in logs, errors, responses, queues or the table', async () => {
    const t = await setUp({ extraEnv: { POWERTOOLS_LOG_LEVEL: 'DEBUG' } });
    slack.script(t.path, SERVER_ERROR, SERVER_ERROR, SERVER_ERROR, NO_SERVICE);
    const output = captureOutput();
    const seen: unknown[] = [];
    try {
      await harness.send(t.queues.queueUrl, event('Model Degraded', 'evt-leak-1')); // 5xx x3, handed back
      await harness.send(t.queues.queueUrl, event('Model Rejected', 'evt-leak-2')); // 404, dead-lettered
      for (let i = 0; i < 2; i++) {
        const messages = await harness.receive(t.queues.queueUrl, 1, 1);
        seen.push(await t.handler(harness.sqsEvent(t.queues.queueUrl, messages), lambdaContext()));
      }
      // An unusable secret and a thrown fault (no such table) too.
      const broken = await harness.loadHandler(t.queues, await harness.createSecret(`ftp://hooks.example/${t.token}`), {
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
      });
      await harness.send(t.queues.queueUrl, event('Drift Detected', 'evt-leak-3'));
      seen.push(await harness.deliver(broken, t.queues.queueUrl));
      const noTable = await harness.loadHandler(t.queues, t.secretArn, {
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
        [NOTIFIER_ENV.metadataTable]: 'no-such-table',
      });
      await harness.send(t.queues.queueUrl, event('Training Failed', 'evt-leak-4'));
      seen.push(await harness.deliver(noTable, t.queues.queueUrl).catch((error: unknown) => error));
    } finally {
      output.restore();
    }
    const parked = await harness.receive(t.queues.deadLetterQueueUrl);
    const item = await aws.clients.dynamodb.send(
      new GetItemCommand({
        TableName: harness.tableName,
        Key: { pk: { S: 'NOTIFICATION#evt-leak-1' }, sk: { S: 'NOTIFICATION' } },
      }),
    );

    const everything = [output.text(), JSON.stringify(seen), JSON.stringify(parked), JSON.stringify(item)].join('\n');
    // The logs were captured: each failure path logged its line.
    const messages = output.lines().map((line) => {
      const entry: unknown = JSON.parse(line);
      return typeof entry === 'object' && entry !== null && 'message' in entry ? entry.message : undefined;
    });
    expect(messages).toEqual(
      expect.arrayContaining([
        'not posted yet; handed back to the queue',
        'not deliverable; sent to the dead-letter queue',
        'fault while notifying; the rest of the batch is handed back',
      ]),
    );
    expect(everything).toContain('rollup_error');
    expect(everything).toContain('no_service');
    expect(parked.map((m) => m.MessageAttributes?.errorCode?.StringValue).sort()).toEqual([
      'invalid_webhook_secret',
      'no_service',
    ]);
    expect(everything).not.toContain(t.url);
    expect(everything).not.toContain(t.token);
    expect(everything).not.toContain(t.path);
  }, 30_000);
});

/** Captures what the process writes to stdout and stderr (Powertools logs) and to the console. */
function captureOutput() {
  const chunks: string[] = [];
  const record = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(record),
    vi.spyOn(process.stderr, 'write').mockImplementation(record),
    ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        record(args.map(String).join(' '));
      }),
    ),
  ];
  return {
    restore: () => spies.forEach((spy) => spy.mockRestore()),
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim() !== ''),
  };
}
