import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../../functions/slack/block-kit';
import { postToWebhook } from '../../../functions/slack/webhook-client';
import { WebhookUrl } from '../../../functions/slack/webhook-secret';
import {
  CHANNEL_IS_ARCHIVED,
  INVALID_PAYLOAD,
  NO_SERVICE,
  RATE_LIMITED,
  SERVER_ERROR,
  startSlackReceiver,
  type SlackReceiver,
} from '../../fixtures/slack/slack-receiver';

const TOKEN = 'T0001/B0001/xoxWebhookToken0123456789';
const message: SlackMessage = { text: 'hello', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }] };

function webhook(url: string): WebhookUrl {
  const parsed = WebhookUrl.parse(url);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.url;
}

describe('postToWebhook against a local Slack receiver', () => {
  let slack: SlackReceiver;
  let path = '';
  let n = 0;
  beforeAll(async () => {
    slack = await startSlackReceiver();
  });
  afterAll(() => slack.close());
  const next = () => {
    path = `/services/${TOKEN}/${++n}`;
    return webhook(slack.url(path));
  };

  it('posts the message as JSON and reports 200 ok as sent', async () => {
    const outcome = await postToWebhook(next(), message, { timeoutMs: 2000 });
    expect(outcome).toEqual({ kind: 'sent' });
    expect(slack.posts.at(-1)).toMatchObject({ path, contentType: 'application/json; charset=utf-8', body: message });
  });

  it('reports 429 as retryable with Retry-After', async () => {
    const url = next();
    slack.script(path, RATE_LIMITED(7));
    expect(await postToWebhook(url, message, { timeoutMs: 2000 })).toEqual({
      kind: 'retryable',
      status: 429,
      reason: 'HTTP 429 rate_limited (Retry-After 7)',
      retryAfterMs: 7000,
    });
  });

  it('reports 5xx as retryable', async () => {
    const url = next();
    slack.script(path, SERVER_ERROR);
    expect(await postToWebhook(url, message, { timeoutMs: 2000 })).toEqual({
      kind: 'retryable',
      status: 500,
      reason: 'HTTP 500 rollup_error',
    });
  });

  it.each([
    [INVALID_PAYLOAD, 'invalid_payload'],
    [NO_SERVICE, 'no_service'],
    [CHANNEL_IS_ARCHIVED, 'channel_is_archived'],
    [{ status: 403, body: 'action_prohibited' }, 'action_prohibited'],
    [{ status: 403, body: '<html>Forbidden</html>' }, 'http_403'],
  ])('reports %j as permanent with Slack error %s', async (answer, error) => {
    const url = next();
    slack.script(path, answer);
    expect(await postToWebhook(url, message, { timeoutMs: 2000 })).toEqual({
      kind: 'permanent',
      status: answer.status,
      error,
      reason: `HTTP ${answer.status} ${error}`,
    });
  });

  it('does not follow redirects', async () => {
    const url = next();
    slack.script(path, { status: 302, body: '', headers: { location: 'https://example.com/' } });
    expect(await postToWebhook(url, message, { timeoutMs: 2000 })).toMatchObject({ kind: 'permanent', status: 302 });
  });

  it('gives up after the timeout and reports it as retryable', async () => {
    const url = next();
    slack.script(path, { status: 200, body: 'ok', hang: true });
    const started = performance.now();
    const outcome = await postToWebhook(url, message, { timeoutMs: 300 });
    expect(outcome).toEqual({ kind: 'retryable', reason: 'no response within 300 ms' });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('reports a refused connection as a retryable network error, without the URL', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const outcome = await postToWebhook(webhook(`http://127.0.0.1:${port}/services/${TOKEN}`), message, {
      timeoutMs: 2000,
    });
    expect(outcome).toEqual({ kind: 'retryable', reason: 'network error ECONNREFUSED' });
  });
});
