/**
 * When to post, when to retry and when to give a message back to the queue. Pure: the clock and randomness are
 * passed in.
 *
 * Slack accepts about one message per second per webhook, with short bursts (REFERENCE 7.3). The notification
 * queue and a reserved concurrency of 1 serialise posts across invocations; {@link WebhookPacer} spaces them
 * inside one. A 429 or 5xx is retried a few times within the invocation, honouring `Retry-After`; after that the
 * message goes back to the queue with a growing delay, and after `maxReceiveCount` receives to the dead-letter queue.
 */

/** Knobs of the delivery policy. Durations in milliseconds unless the name says seconds. */
export interface DeliveryPolicy {
  /** Posts per message within one invocation, the first included. */
  readonly maxAttempts: number;
  /** Minimum time between two posts to one webhook. */
  readonly minIntervalMs: number;
  /** First retry delay after a 5xx or a timeout (doubles per attempt, with jitter). */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** Timeout of one HTTP request, body included. */
  readonly requestTimeoutMs: number;
  /** Delay before a handed-back message is received again the first time (doubles per receive). */
  readonly handBackBaseSeconds: number;
  readonly handBackMaxSeconds: number;
  /** Multiplies every wait (pacing, backoff, Retry-After, hand-back delay): 1 on AWS, below 1 in tests and demos. */
  readonly timeScale: number;
}

/** The policy on AWS. */
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  maxAttempts: 3,
  minIntervalMs: 1000,
  backoffBaseMs: 1000,
  backoffMaxMs: 8000,
  requestTimeoutMs: 10_000,
  handBackBaseSeconds: 30,
  handBackMaxSeconds: 900,
  timeScale: 1,
};

/** `policy` with every wait multiplied by `timeScale` (the request timeout is not a wait and is kept). */
export function scaleDeliveryPolicy(policy: DeliveryPolicy, timeScale: number): DeliveryPolicy {
  return {
    ...policy,
    minIntervalMs: policy.minIntervalMs * timeScale,
    backoffBaseMs: policy.backoffBaseMs * timeScale,
    backoffMaxMs: policy.backoffMaxMs * timeScale,
    handBackBaseSeconds: policy.handBackBaseSeconds * timeScale,
    handBackMaxSeconds: policy.handBackMaxSeconds * timeScale,
    timeScale: policy.timeScale * timeScale,
  };
}

/**
 * A `Retry-After` header in milliseconds: delta-seconds (`3`) or an HTTP date; undefined when absent or
 * unreadable (the caller then backs off on its own).
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Only the IMF-fixdate form (RFC 9110): Date.parse would read "-1" or "soon 5" as dates too.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}

/** Delay before retry `attempt` (1 = the first retry): exponential, capped, with "equal jitter" (half fixed, half random). */
export function backoffDelayMs(attempt: number, policy: DeliveryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + (ceiling / 2) * random();
}

/**
 * Visibility timeout for a message given back to the queue: 30 s, 60 s, 120 s, ... by receive count, capped, with
 * jitter, and never shorter than Slack's `Retry-After`.
 */
export function handBackDelaySeconds(
  receiveCount: number,
  retryAfterMs: number | undefined,
  policy: DeliveryPolicy,
  random: () => number,
): number {
  const ceiling = Math.min(policy.handBackMaxSeconds, policy.handBackBaseSeconds * 2 ** Math.max(0, receiveCount - 1));
  const backoff = ceiling / 2 + (ceiling / 2) * random();
  const retryAfter = retryAfterMs === undefined ? 0 : (retryAfterMs * policy.timeScale) / 1000;
  // SQS takes whole seconds up to 12 hours.
  return Math.min(43_200, Math.ceil(Math.max(backoff, retryAfter)));
}

/** Time, for the pacer and the retry loop. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Spaces posts per webhook. It lives as long as the container (module scope), so with reserved concurrency 1 it
 * paces every post of the deployment, across invocations.
 */
export class WebhookPacer {
  private readonly nextAt = new Map<string, number>();

  public constructor(
    private readonly intervalMs: number,
    private readonly clock: Clock,
  ) {}

  /** Earliest time (epoch ms) the next post to `webhook` may start. */
  public readyAt(webhook: string): number {
    return this.nextAt.get(webhook) ?? 0;
  }

  /** Waits until a post to `webhook` may start. */
  public async wait(webhook: string): Promise<void> {
    const delay = this.readyAt(webhook) - this.clock.now();
    if (delay > 0) await this.clock.sleep(delay);
  }

  /** Records a post that just ended: the next one waits a full interval. */
  public posted(webhook: string): void {
    this.holdUntil(webhook, this.clock.now() + this.intervalMs);
  }

  /** Keeps every post to `webhook` back until `time` (epoch ms), e.g. Slack's `Retry-After`. */
  public holdUntil(webhook: string, time: number): void {
    this.nextAt.set(webhook, Math.max(this.readyAt(webhook), time));
  }
}
