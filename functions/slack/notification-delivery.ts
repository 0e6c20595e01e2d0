import type { SlackMessage } from './block-kit';
import { consoleLinks, isRegion } from './console-links';
import {
  backoffDelayMs,
  handBackDelaySeconds,
  type Clock,
  type DeliveryPolicy,
  type WebhookPacer,
} from './delivery-policy';
import { parseNotificationEvent, type NotificationEvent } from './message-renderer';
import type { RenderContext } from './notification-content';
import { routeNotification, type NotificationRoutes } from './notification-routes';
import { WEBHOOK_GONE_ERRORS, type WebhookOutcome } from './webhook-client';
import { resolveWebhook, type WebhookSecretCache, type WebhookUrl } from './webhook-secret';

/**
 * What happens to one queued lifecycle event: parse, route, render, find the webhook, claim the event id, post
 * with pacing and retries, then record or release the claim. Every outcome is a value the handler maps to AWS
 * calls (delete, hand back, dead-letter); only faults of the marker store or the secret fetch are thrown.
 */

/** Marker of an event posted (or being posted) to Slack, so an event id is never posted twice. */
export interface NotificationStore {
  /** Claims `eventId` for posting; an expired claim (a crashed invocation) can be taken over. */
  claim(eventId: string, claim: NotificationClaim): Promise<ClaimResult>;
  /** The post succeeded: the marker keeps the event from being posted again (for 7 days). */
  markSent(eventId: string, claimToken: string, nowMs: number): Promise<void>;
  /** The post failed: remove this claim, so a redelivery (or a redrive from the DLQ) can post. */
  release(eventId: string, claimToken: string): Promise<void>;
}

/** Who claims, for how long. */
export interface NotificationClaim {
  readonly pipeline: string;
  readonly detailType: string;
  /** Random per claim; only its holder can mark or release it. */
  readonly token: string;
  readonly nowMs: number;
  /** The claim expires then (epoch ms): later than the invocation can run, so only a crash lets it expire. */
  readonly leaseUntilMs: number;
}

/** Outcome of {@link NotificationStore.claim}. */
export type ClaimResult =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'sent' }
  | { readonly kind: 'in-flight'; readonly leaseUntilMs: number };

/** What the notifier needs; the handler wires real clients, tests wire fakes or the emulator. */
export interface NotifierDependencies {
  readonly routes: NotificationRoutes;
  readonly webhooks: WebhookSecretCache;
  readonly store: NotificationStore;
  readonly post: (url: WebhookUrl, message: SlackMessage, timeoutMs: number) => Promise<WebhookOutcome>;
  readonly pacer: WebhookPacer;
  readonly clock: Clock;
  readonly policy: DeliveryPolicy;
  readonly random: () => number;
  readonly newToken: () => string;
  /** Region for console links when the event has none (the function's own). */
  readonly defaultRegion: string;
  readonly links: Omit<RenderContext, 'links'>;
}

/** One received queue message. */
export interface QueuedNotification {
  /** The message body: an EventBridge event, as the rule delivered it. */
  readonly body: string;
  /** SQS `ApproximateReceiveCount` (1 on the first receive). */
  readonly receiveCount: number;
  /** Epoch ms by which the work on this message must be finished (the invocation's end, less a margin). */
  readonly deadlineMs: number;
}

/** Names an event in logs and results. */
export interface EventRef {
  readonly eventId: string;
  readonly detailType: string;
  readonly pipeline: string;
}

/** What became of one queued notification. */
export type NotificationResult =
  | {
      readonly kind: 'sent';
      readonly event: EventRef;
      /** Key of the webhook used (never its URL). */
      readonly webhookKey: string;
      readonly attempts: number;
      /** The pipeline's `webhookKey` was not in the secret and `webhookKey` was used instead. */
      readonly missingKey?: string;
      /** Posted, but the marker could not be updated: a crash-free redelivery is still deduplicated by the claim. */
      readonly markerError?: unknown;
    }
  | { readonly kind: 'duplicate'; readonly event: EventRef }
  | { readonly kind: 'skipped'; readonly event: EventRef; readonly reason: string }
  | {
      readonly kind: 'not-configured';
      readonly event: EventRef;
      /** The rendered message, for the log. */
      readonly message: SlackMessage;
    }
  | {
      readonly kind: 'retry-later';
      readonly event: EventRef;
      readonly reason: string;
      readonly attempts: number;
      /** Visibility timeout to set: the message is received again after it. */
      readonly delaySeconds: number;
    }
  | {
      readonly kind: 'dead-letter';
      readonly event?: EventRef;
      readonly reason: string;
      /** `malformed_event`, `invalid_webhook_secret`, or Slack's error (`invalid_payload`, `no_service`, ...). */
      readonly code: string;
      readonly attempts: number;
    };

const refOf = (event: NotificationEvent): EventRef => ({
  eventId: event.id,
  detailType: event.detailType,
  pipeline: event.pipeline,
});

function parseBody(body: string): { ok: true; event: NotificationEvent } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, error: 'the message body is not JSON' };
  }
  const parsed = parseNotificationEvent(json);
  return parsed.ok ? { ok: true, event: parsed.value } : { ok: false, error: parsed.error };
}

interface SendResult {
  readonly outcome: WebhookOutcome;
  readonly attempts: number;
}

/** Posts with pacing; retries 429, 5xx and timeouts while the invocation has time. */
async function sendWithRetries(
  url: WebhookUrl,
  webhookKey: string,
  message: SlackMessage,
  deadlineMs: number,
  deps: NotifierDependencies,
): Promise<SendResult> {
  const { policy, pacer, clock } = deps;
  let last: WebhookOutcome = { kind: 'retryable', reason: 'not enough time left in this invocation to post' };
  let attempts = 0;
  while (attempts < policy.maxAttempts) {
    const startAt = Math.max(clock.now(), pacer.readyAt(webhookKey));
    if (startAt + policy.requestTimeoutMs > deadlineMs) break;
    await pacer.wait(webhookKey);
    attempts++;
    const outcome = await deps.post(url, message, policy.requestTimeoutMs);
    pacer.posted(webhookKey);
    if (outcome.kind !== 'retryable') return { outcome, attempts };
    last = outcome;
    const delay =
      outcome.retryAfterMs !== undefined
        ? outcome.retryAfterMs * policy.timeScale
        : backoffDelayMs(attempts, policy, deps.random);
    // Held on the pacer, so other messages to this webhook wait too: a 429 is about the webhook, not the message.
    pacer.holdUntil(webhookKey, clock.now() + delay);
  }
  return { outcome: last, attempts };
}

/** Processes one queued notification; see the module comment. */
export async function deliverNotification(
  queued: QueuedNotification,
  deps: NotifierDependencies,
): Promise<NotificationResult> {
  const parsed = parseBody(queued.body);
  if (!parsed.ok) return { kind: 'dead-letter', reason: parsed.error, code: 'malformed_event', attempts: 0 };
  const event = parsed.event;
  const ref = refOf(event);

  const route = routeNotification(deps.routes, event.pipeline, event.detailType);
  if (route.kind === 'skip') return { kind: 'skipped', event: ref, reason: route.reason };

  const region = event.region !== undefined && isRegion(event.region) ? event.region : deps.defaultRegion;
  const message = event.render({
    ...deps.links,
    links: consoleLinks(region),
    ...(route.route.mention === undefined ? {} : { mention: route.route.mention }),
  });

  const secret = await deps.webhooks.get();
  if (!secret.ok) {
    deps.webhooks.invalidate(); // a corrected secret is read for the next message
    return { kind: 'dead-letter', event: ref, reason: secret.error, code: 'invalid_webhook_secret', attempts: 0 };
  }
  const webhook = resolveWebhook(secret.directory, event.pipeline, route.route.webhookKey);
  if (webhook.kind === 'none') return { kind: 'not-configured', event: ref, message };

  const retryLater = (reason: string, attempts: number, retryAfterMs?: number): NotificationResult => ({
    kind: 'retry-later',
    event: ref,
    reason,
    attempts,
    delaySeconds: handBackDelaySeconds(queued.receiveCount, retryAfterMs, deps.policy, deps.random),
  });

  const nowMs = deps.clock.now();
  if (nowMs + deps.policy.requestTimeoutMs > queued.deadlineMs) {
    return retryLater('not enough time left in this invocation to post', 0);
  }
  const token = deps.newToken();
  // The claim outlives the invocation by a margin, so only a crashed invocation's claim ever expires.
  const claim = await deps.store.claim(event.id, {
    pipeline: event.pipeline,
    detailType: event.detailType,
    token,
    nowMs,
    leaseUntilMs: queued.deadlineMs + 60_000,
  });
  if (claim.kind === 'sent') return { kind: 'duplicate', event: ref };
  if (claim.kind === 'in-flight') {
    const wait = Math.max(0, claim.leaseUntilMs - nowMs);
    return {
      kind: 'retry-later',
      event: ref,
      reason: 'another delivery of this event holds the claim',
      attempts: 0,
      delaySeconds: Math.min(43_200, Math.ceil(wait / 1000) + 1),
    };
  }

  const { outcome, attempts } = await sendWithRetries(webhook.url, webhook.key, message, queued.deadlineMs, deps);
  const missing = webhook.missingKey === undefined ? {} : { missingKey: webhook.missingKey };
  switch (outcome.kind) {
    case 'sent': {
      try {
        await deps.store.markSent(event.id, token, deps.clock.now());
      } catch (markerError) {
        return { kind: 'sent', event: ref, webhookKey: webhook.key, attempts, ...missing, markerError };
      }
      return { kind: 'sent', event: ref, webhookKey: webhook.key, attempts, ...missing };
    }
    case 'retryable':
      await deps.store.release(event.id, token);
      return retryLater(`${outcome.reason} (webhook "${webhook.key}")`, attempts, outcome.retryAfterMs);
    case 'permanent':
      await deps.store.release(event.id, token);
      if (WEBHOOK_GONE_ERRORS.has(outcome.error)) deps.webhooks.invalidate();
      return {
        kind: 'dead-letter',
        event: ref,
        reason: `Slack refused the message: ${outcome.reason} (webhook "${webhook.key}")`,
        code: outcome.error,
        attempts,
      };
  }
}
