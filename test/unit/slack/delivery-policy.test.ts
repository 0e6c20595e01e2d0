import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  DEFAULT_DELIVERY_POLICY,
  handBackDelaySeconds,
  parseRetryAfter,
  scaleDeliveryPolicy,
  WebhookPacer,
} from '../../../functions/slack/delivery-policy';
import { fakeClock } from '../../fixtures/slack/fake-clock';

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter(' 0 ', 0)).toBe(0);
    const now = Date.parse('2026-05-01T00:00:00Z');
    expect(parseRetryAfter('Fri, 01 May 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Fri, 01 May 2026 00:00:00 GMT', now + 5000)).toBe(0);
  });

  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter('-1', 0)).toBeUndefined();
  });
});

describe('backoff', () => {
  it('doubles per attempt, stays within the cap, and jitters the upper half', () => {
    const p = DEFAULT_DELIVERY_POLICY;
    expect(backoffDelayMs(1, p, () => 0)).toBe(500);
    expect(backoffDelayMs(1, p, () => 1)).toBe(1000);
    expect(backoffDelayMs(3, p, () => 1)).toBe(4000);
    expect(backoffDelayMs(10, p, () => 1)).toBe(p.backoffMaxMs);
  });

  it('gives messages back with a growing delay, never shorter than Retry-After', () => {
    const p = DEFAULT_DELIVERY_POLICY;
    expect(handBackDelaySeconds(1, undefined, p, () => 1)).toBe(30);
    expect(handBackDelaySeconds(3, undefined, p, () => 1)).toBe(120);
    expect(handBackDelaySeconds(20, undefined, p, () => 1)).toBe(900);
    expect(handBackDelaySeconds(1, 600_000, p, () => 0)).toBe(600);
  });

  it('scales every wait but the request timeout', () => {
    const scaled = scaleDeliveryPolicy(DEFAULT_DELIVERY_POLICY, 0.1);
    expect(scaled).toMatchObject({ minIntervalMs: 100, backoffBaseMs: 100, requestTimeoutMs: 10_000, timeScale: 0.1 });
    expect(handBackDelaySeconds(1, 3000, scaled, () => 0)).toBe(2);
  });
});

describe('WebhookPacer', () => {
  it('spaces posts to one webhook by the interval, and leaves other webhooks alone', async () => {
    const clock = fakeClock();
    const pacer = new WebhookPacer(1000, clock);
    await pacer.wait('a');
    pacer.posted('a');
    await pacer.wait('b');
    expect(clock.sleeps).toEqual([]);
    await pacer.wait('a');
    expect(clock.sleeps).toEqual([1000]);
  });

  it('holds a webhook back until a later time, e.g. after a 429', async () => {
    const clock = fakeClock();
    const pacer = new WebhookPacer(1000, clock);
    pacer.holdUntil('a', clock.now() + 5000);
    pacer.posted('a'); // an earlier hold is never shortened
    expect(pacer.readyAt('a')).toBe(clock.now() + 5000);
    await pacer.wait('a');
    expect(clock.sleeps).toEqual([5000]);
  });
});
