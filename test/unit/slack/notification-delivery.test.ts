import { describe, expect, it } from 'vitest';
import type { LifecycleEventName } from '../../../functions/events/lifecycle';
import type { SlackMessage } from '../../../functions/slack/block-kit';
import { DEFAULT_DELIVERY_POLICY, WebhookPacer } from '../../../functions/slack/delivery-policy';
import {
  deliverNotification,
  type NotifierDependencies,
  type QueuedNotification,
} from '../../../functions/slack/notification-delivery';
import { readNotificationRoutes, serializeNotificationRoutes } from '../../../functions/slack/notification-routes';
import type { WebhookOutcome } from '../../../functions/slack/webhook-client';
import { cacheWebhookSecret, type WebhookUrl } from '../../../functions/slack/webhook-secret';
import { fakeClock } from '../../fixtures/slack/fake-clock';
import { lifecycleEvent, TYPICAL_DETAILS } from '../../fixtures/slack/lifecycle-events';
import { MemoryNotificationStore } from '../../fixtures/slack/memory-notification-store';

const URL_DEFAULT = 'https://hooks.slack.com/services/T0/B0/defaultSecretToken';
const URL_FRAUD = 'https://hooks.slack.com/services/T0/B1/fraudSecretToken';

interface Harness {
  deps: NotifierDependencies;
  store: MemoryNotificationStore;
  clock: ReturnType<typeof fakeClock>;
  posts: { url: string; message: SlackMessage; at: number }[];
  secretReads: () => number;
}

function harness(
  answers: WebhookOutcome[] = [],
  secret: string = JSON.stringify({ default: URL_DEFAULT, 'fraud-team': URL_FRAUD }),
): Harness {
  const clock = fakeClock();
  const store = new MemoryNotificationStore();
  const posts: Harness['posts'] = [];
  let reads = 0;
  let tokens = 0;
  const deps: NotifierDependencies = {
    routes: readNotificationRoutes(
      serializeNotificationRoutes([
        { name: 'churn', notifications: { events: ['Dataset Rejected', 'Dataset Accepted'], mention: '<!here>' } },
        { name: 'fraud', notifications: { events: ['Dataset Rejected'], webhookKey: 'fraud-team' } },
        { name: 'ads', notifications: { events: ['Dataset Rejected'], webhookKey: 'missing' } },
      ]),
    ),
    webhooks: cacheWebhookSecret(
      () => {
        reads++;
        return Promise.resolve(secret);
      },
      { now: () => clock.now() },
    ),
    store,
    post: (url: WebhookUrl, message: SlackMessage) => {
      posts.push({ url: url.reveal(), message, at: clock.now() });
      clock.advance(50);
      return Promise.resolve(answers.shift() ?? { kind: 'sent' });
    },
    pacer: new WebhookPacer(DEFAULT_DELIVERY_POLICY.minIntervalMs, clock),
    clock,
    policy: DEFAULT_DELIVERY_POLICY,
    random: () => 1,
    newToken: () => `token-${++tokens}`,
    defaultRegion: 'us-east-1',
    links: { artifactsBucket: 'artifacts' },
  };
  return { deps, store, clock, posts, secretReads: () => reads };
}

function queued(
  h: Harness,
  name: LifecycleEventName = 'Dataset Rejected',
  overrides: { id?: string; pipeline?: string; receiveCount?: number; timeLeftMs?: number } = {},
): QueuedNotification {
  return {
    body: JSON.stringify(lifecycleEvent(name, TYPICAL_DETAILS[name], overrides)),
    receiveCount: overrides.receiveCount ?? 1,
    deadlineMs: h.clock.now() + (overrides.timeLeftMs ?? 57_000),
  };
}

const RATE_LIMITED = (retryAfterMs?: number): WebhookOutcome => ({
  kind: 'retryable',
  status: 429,
  reason: 'HTTP 429 rate_limited',
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});
const SERVER_ERROR: WebhookOutcome = { kind: 'retryable', status: 500, reason: 'HTTP 500 rollup_error' };

describe('deliverNotification', () => {
  it('posts the rendered event to the pipeline webhook and marks it sent', async () => {
    const h = harness();
    const result = await deliverNotification(queued(h), h.deps);
    expect(result).toMatchObject({ kind: 'sent', webhookKey: 'default', attempts: 1 });
    expect(h.posts).toHaveLength(1);
    expect(h.posts[0]?.url).toBe(URL_DEFAULT);
    expect(h.posts[0]?.message.text).toMatch(/^<!here> :no_entry: Dataset rejected · churn/);
    expect([...h.store.markers.values()]).toEqual([
      { status: 'sent', token: 'token-1', leaseUntilMs: expect.any(Number) },
    ]);
  });

  it('never posts the same event id twice', async () => {
    const h = harness();
    await deliverNotification(queued(h, 'Dataset Rejected', { id: 'same' }), h.deps);
    const again = await deliverNotification(queued(h, 'Dataset Rejected', { id: 'same' }), h.deps);
    expect(again).toMatchObject({ kind: 'duplicate', event: { eventId: 'same' } });
    expect(h.posts).toHaveLength(1);
  });

  it('uses the webhookKey of the pipeline, and falls back to default when the secret lacks it', async () => {
    const h = harness();
    expect(await deliverNotification(queued(h, 'Dataset Rejected', { pipeline: 'fraud' }), h.deps)).toMatchObject({
      kind: 'sent',
      webhookKey: 'fraud-team',
    });
    expect(h.posts[0]?.url).toBe(URL_FRAUD);
    expect(
      await deliverNotification(queued(h, 'Dataset Rejected', { pipeline: 'ads', id: 'ads-1' }), h.deps),
    ).toMatchObject({ kind: 'sent', webhookKey: 'default', missingKey: 'missing' });
  });

  it('skips events the pipeline does not notify', async () => {
    const h = harness();
    const result = await deliverNotification(queued(h, 'Dataset Accepted', { pipeline: 'fraud' }), h.deps);
    expect(result).toMatchObject({ kind: 'skipped', reason: expect.stringContaining('notifications.events') });
    expect(h.posts).toEqual([]);
  });

  it('renders but does not send when no webhook is configured', async () => {
    const h = harness([], '{}');
    const result = await deliverNotification(queued(h), h.deps);
    expect(result.kind).toBe('not-configured');
    expect(result.kind === 'not-configured' && result.message.text).toContain('Dataset rejected · churn');
    expect(h.store.calls).toEqual([]);
  });

  it('retries a 429 after Retry-After, holding every post to that webhook', async () => {
    const h = harness([RATE_LIMITED(3000)]);
    const result = await deliverNotification(queued(h), h.deps);
    expect(result).toMatchObject({ kind: 'sent', attempts: 2 });
    const [first, second] = h.posts;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(3000);
  });

  it('retries 5xx with backoff, then releases the claim and hands the message back with a delay', async () => {
    const h = harness([SERVER_ERROR, SERVER_ERROR, SERVER_ERROR]);
    const result = await deliverNotification(queued(h, 'Dataset Rejected', { receiveCount: 2 }), h.deps);
    expect(result).toMatchObject({ kind: 'retry-later', attempts: 3, delaySeconds: 60 });
    expect(result.kind === 'retry-later' && result.reason).toContain('HTTP 500 rollup_error (webhook "default")');
    expect(h.clock.sleeps).toEqual([1000, 2000]);
    expect(h.store.markers.size).toBe(0);
  });

  it('hands back at once when Retry-After is longer than the invocation has left', async () => {
    const h = harness([RATE_LIMITED(120_000)]);
    const result = await deliverNotification(queued(h), h.deps);
    expect(result).toMatchObject({ kind: 'retry-later', attempts: 1, delaySeconds: 120 });
    expect(h.posts).toHaveLength(1);
    expect(h.store.markers.size).toBe(0);
  });

  it('dead-letters a permanent refusal at once, without retrying, and releases the claim', async () => {
    const h = harness([
      { kind: 'permanent', status: 400, error: 'invalid_payload', reason: 'HTTP 400 invalid_payload' },
    ]);
    const result = await deliverNotification(queued(h), h.deps);
    expect(result).toMatchObject({ kind: 'dead-letter', code: 'invalid_payload', attempts: 1 });
    expect(h.posts).toHaveLength(1);
    expect(h.store.markers.size).toBe(0);
  });

  it('reads the secret again after Slack says the webhook is gone', async () => {
    const h = harness([{ kind: 'permanent', status: 404, error: 'no_service', reason: 'HTTP 404 no_service' }]);
    await deliverNotification(queued(h, 'Dataset Rejected', { id: 'a' }), h.deps);
    await deliverNotification(queued(h, 'Dataset Rejected', { id: 'b' }), h.deps);
    expect(h.secretReads()).toBe(2);
  });

  it('dead-letters a malformed body and an unusable secret, naming why', async () => {
    const h = harness();
    expect(await deliverNotification({ ...queued(h), body: '{"not": "an event"' }, h.deps)).toMatchObject({
      kind: 'dead-letter',
      code: 'malformed_event',
      reason: 'the message body is not JSON',
    });
    const bad = harness([], 'hooks.slack.com/services/T/B/secretToken');
    const result = await deliverNotification(queued(bad), bad.deps);
    expect(result).toMatchObject({ kind: 'dead-letter', code: 'invalid_webhook_secret' });
    expect(JSON.stringify(result)).not.toContain('secretToken');
  });

  it('hands back without claiming when the invocation is about to end', async () => {
    const h = harness();
    const result = await deliverNotification(queued(h, 'Dataset Rejected', { timeLeftMs: 5000 }), h.deps);
    expect(result).toMatchObject({ kind: 'retry-later', attempts: 0 });
    expect(h.store.calls).toEqual([]);
  });

  it('waits for a claim held by another delivery instead of dropping the event', async () => {
    const h = harness();
    await h.deps.store.claim('held', {
      pipeline: 'churn',
      detailType: 'Dataset Rejected',
      token: 'other',
      nowMs: h.clock.now(),
      leaseUntilMs: h.clock.now() + 30_000,
    });
    const result = await deliverNotification(queued(h, 'Dataset Rejected', { id: 'held' }), h.deps);
    expect(result).toMatchObject({ kind: 'retry-later', delaySeconds: 31 });
    h.clock.advance(31_000);
    expect(await deliverNotification(queued(h, 'Dataset Rejected', { id: 'held' }), h.deps)).toMatchObject({
      kind: 'sent',
    });
  });

  it('reports a post whose marker could not be updated as sent, with the error', async () => {
    const h = harness();
    h.store.failNext = 'markSent';
    const result = await deliverNotification(queued(h), h.deps);
    expect(result).toMatchObject({ kind: 'sent', markerError: expect.any(Error) });
  });

  it('lets a fault of the store through, before anything is posted', async () => {
    const h = harness();
    h.store.failNext = 'claim';
    await expect(deliverNotification(queued(h), h.deps)).rejects.toThrow('claim failed on request');
    expect(h.posts).toEqual([]);
  });

  it('paces posts to one webhook at least the interval apart', async () => {
    const h = harness();
    for (let i = 0; i < 4; i++) await deliverNotification(queued(h, 'Dataset Rejected', { id: `e${i}` }), h.deps);
    const gaps = h.posts.slice(1).map((p, i) => p.at - (h.posts[i]?.at ?? 0));
    expect(gaps).toHaveLength(3);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(DEFAULT_DELIVERY_POLICY.minIntervalMs);
  });

  it('links console pages of the event region, or of the function region without one', async () => {
    const h = harness();
    const body = lifecycleEvent('Dataset Rejected', TYPICAL_DETAILS['Dataset Rejected']);
    const { region: _region, ...withoutRegion } = body;
    await deliverNotification({ ...queued(h), body: JSON.stringify(withoutRegion) }, h.deps);
    expect(JSON.stringify(h.posts[0]?.message)).toContain('region=us-east-1');
  });
});
