import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  cacheWebhookSecret,
  parseWebhookSecret,
  resolveWebhook,
  WebhookUrl,
  type WebhookDirectory,
} from '../../../functions/slack/webhook-secret';

const URL_A = 'https://hooks.slack.com/services/T0000/B0000/aaaaSECRETaaaa';
const URL_B = 'https://hooks.slack.com/services/T0000/B1111/bbbbSECRETbbbb';

function directory(value: string): WebhookDirectory {
  const parsed = parseWebhookSecret(value);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.directory;
}

const revealed = (d: WebhookDirectory) => Object.fromEntries([...d].map(([k, v]) => [k, v.reveal()]));

describe('parseWebhookSecret', () => {
  it('takes a bare URL as the default webhook', () => {
    expect(revealed(directory(` ${URL_A}\n`))).toEqual({ default: URL_A });
  });

  it('takes a JSON map of key to URL, ignoring empty values', () => {
    expect(revealed(directory(JSON.stringify({ default: URL_A, fraud: URL_B, churn: '' })))).toEqual({
      default: URL_A,
      fraud: URL_B,
    });
  });

  it('reads {} and an empty value as "no webhook configured"', () => {
    expect(directory('{}').size).toBe(0);
    expect(directory('').size).toBe(0);
    expect(parseWebhookSecret(undefined)).toEqual({ ok: true, directory: new Map() });
  });

  it('accepts http only on loopback (the local receiver)', () => {
    expect(revealed(directory('http://127.0.0.1:8080/services/x'))).toEqual({
      default: 'http://127.0.0.1:8080/services/x',
    });
    expect(parseWebhookSecret('http://hooks.slack.com/services/T/B/secrettoken')).toEqual({
      ok: false,
      error:
        'the Slack webhook secret is neither a JSON object nor a usable URL: not an https URL (http is accepted on 127.0.0.1 and localhost only)',
    });
  });

  it.each([
    ['not a URL', 'hooks.slack.com/services/T/B/secrettoken'],
    ['broken JSON', '{"default": "https://hooks.slack.com/services/T/B/secrettoken"'],
    ['an array', '["https://hooks.slack.com/services/T/B/secrettoken"]'],
    ['a non-string value', '{"default": {"url": "https://hooks.slack.com/services/T/B/secrettoken"}}'],
    ['a bad URL in the map', '{"fraud": "ftp://hooks.slack.com/services/T/B/secrettoken"}'],
  ])('refuses %s, naming the problem but never the value', (_, value) => {
    const parsed = parseWebhookSecret(value);
    expect(parsed.ok).toBe(false);
    expect(JSON.stringify(parsed)).not.toContain('secrettoken');
  });
});

describe('WebhookUrl', () => {
  it('never shows the URL, whichever way it is printed', () => {
    const parsed = WebhookUrl.parse(URL_A);
    if (!parsed.ok) throw new Error(parsed.error);
    const url = parsed.url;
    for (const printed of [String(url), `${url.toString()}`, JSON.stringify({ url }), inspect({ url }), inspect(url)]) {
      expect(printed).not.toContain('SECRET');
    }
    expect(url.reveal()).toBe(URL_A);
  });
});

describe('resolveWebhook', () => {
  const d = directory(JSON.stringify({ default: URL_A, churn: URL_B, 'team-x': URL_B }));

  it('uses the webhookKey, then the pipeline name, then default', () => {
    expect(resolveWebhook(d, 'fraud', 'team-x')).toMatchObject({ kind: 'found', key: 'team-x' });
    expect(resolveWebhook(d, 'churn')).toMatchObject({ kind: 'found', key: 'churn' });
    expect(resolveWebhook(d, 'fraud')).toMatchObject({ kind: 'found', key: 'default' });
  });

  it('falls back when the webhookKey is missing, and says so', () => {
    expect(resolveWebhook(d, 'fraud', 'nope')).toMatchObject({ kind: 'found', key: 'default', missingKey: 'nope' });
  });

  it('finds none in an empty secret', () => {
    expect(resolveWebhook(new Map(), 'churn', 'x')).toEqual({ kind: 'none' });
  });
});

describe('cacheWebhookSecret', () => {
  it('reads the secret once per expiry and again after it', async () => {
    let now = 0;
    let loads = 0;
    const cache = cacheWebhookSecret(
      () => {
        loads++;
        return Promise.resolve(URL_A);
      },
      { maxAgeMs: 300_000, now: () => now },
    );
    await Promise.all([cache.get(), cache.get()]);
    now = 299_999;
    await cache.get();
    expect(loads).toBe(1);
    now = 300_000;
    await cache.get();
    expect(loads).toBe(2);
    cache.invalidate();
    await cache.get();
    expect(loads).toBe(3);
  });

  it('does not cache a failed read', async () => {
    let fail = true;
    const cache = cacheWebhookSecret(() => (fail ? Promise.reject(new Error('throttled')) : Promise.resolve(URL_A)));
    await expect(cache.get()).rejects.toThrow('throttled');
    fail = false;
    await expect(cache.get()).resolves.toMatchObject({ ok: true });
  });
});
