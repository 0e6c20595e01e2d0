import { inspect } from 'node:util';

/**
 * The Slack webhook secret: its formats, which webhook a pipeline posts to, and a cache with an expiry.
 *
 * A webhook URL is a bearer credential (anyone with it can post to the channel), so it lives in a
 * {@link WebhookUrl} that prints as `[webhook URL]` everywhere (`String()`, JSON, `util.inspect`, the logger);
 * only the HTTP call reads it, with {@link WebhookUrl.reveal}. Error messages name keys, never values.
 */

/** The key used when a pipeline has no webhook of its own. */
export const DEFAULT_WEBHOOK_KEY = 'default';

const REDACTED = '[webhook URL]';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A webhook URL that never shows itself. */
export class WebhookUrl {
  readonly #url: string;

  private constructor(url: string) {
    this.#url = url;
  }

  /**
   * Checks a URL from the secret: `https:`, or `http:` on a loopback host (the local runtime's receiver).
   * The error names what is wrong, never the value.
   */
  public static parse(
    raw: string,
  ): { readonly ok: true; readonly url: WebhookUrl } | { readonly ok: false; readonly error: string } {
    let url: URL;
    try {
      url = new URL(raw.trim());
    } catch {
      return { ok: false, error: 'not a URL' }; // URL's TypeError carries the input: never pass it on
    }
    if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
      return { ok: true, url: new WebhookUrl(url.href) };
    }
    return { ok: false, error: 'not an https URL (http is accepted on 127.0.0.1 and localhost only)' };
  }

  /** The URL itself; for the HTTP request only. */
  public reveal(): string {
    return this.#url;
  }

  public toString(): string {
    return REDACTED;
  }

  public toJSON(): string {
    return REDACTED;
  }

  public [inspect.custom](): string {
    return REDACTED;
  }
}

/** Webhooks by key (`default`, pipeline names, `notifications.webhookKey` values). Empty: none configured. */
export type WebhookDirectory = ReadonlyMap<string, WebhookUrl>;

/** A parsed secret, or why it cannot be used (without its value). */
export type WebhookSecret =
  { readonly ok: true; readonly directory: WebhookDirectory } | { readonly ok: false; readonly error: string };

/**
 * Parses the secret's value. Accepted forms:
 * - a bare URL: the default webhook of every pipeline;
 * - a JSON object of URLs: `{"default": url, "<pipeline or webhookKey>": url}`; an empty string value counts as
 *   absent;
 * - `{}` or an empty value: no webhook configured (messages are rendered and logged, not sent).
 */
export function parseWebhookSecret(value: string | undefined): WebhookSecret {
  const text = (value ?? '').trim();
  if (text === '') return { ok: true, directory: new Map() };
  if (!text.startsWith('{')) {
    const url = WebhookUrl.parse(text);
    return url.ok
      ? { ok: true, directory: new Map([[DEFAULT_WEBHOOK_KEY, url.url]]) }
      : { ok: false, error: `the Slack webhook secret is neither a JSON object nor a usable URL: ${url.error}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'the Slack webhook secret starts with "{" but is not valid JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, error: 'the Slack webhook secret is not a JSON object of webhook URLs' };
  }
  const directory = new Map<string, WebhookUrl>();
  for (const [key, entry] of Object.entries(json)) {
    const name = JSON.stringify(key.slice(0, 64));
    if (typeof entry !== 'string')
      return { ok: false, error: `key ${name} of the Slack webhook secret is not a string` };
    if (entry.trim() === '') continue;
    const url = WebhookUrl.parse(entry);
    if (!url.ok) return { ok: false, error: `key ${name} of the Slack webhook secret: ${url.error}` };
    directory.set(key, url.url);
  }
  return { ok: true, directory };
}

/** Where a pipeline's messages go. */
export type WebhookResolution =
  | {
      readonly kind: 'found';
      /** The directory key used; names the webhook in logs and paces it. */
      readonly key: string;
      readonly url: WebhookUrl;
      /** Set when the pipeline's `webhookKey` is missing from the secret and another key was used. */
      readonly missingKey?: string;
    }
  | { readonly kind: 'none' };

/**
 * The webhook for `pipeline`: its `webhookKey`, else its own name, else `default`. A `webhookKey` missing from the
 * secret falls back the same way (and says so), so messages still reach a channel.
 */
export function resolveWebhook(directory: WebhookDirectory, pipeline: string, webhookKey?: string): WebhookResolution {
  const candidates = [...(webhookKey === undefined ? [] : [webhookKey]), pipeline, DEFAULT_WEBHOOK_KEY];
  for (const key of candidates) {
    const url = directory.get(key);
    if (url === undefined) continue;
    return webhookKey !== undefined && key !== webhookKey
      ? { kind: 'found', key, url, missingKey: webhookKey }
      : { kind: 'found', key, url };
  }
  return { kind: 'none' };
}

/** The secret, parsed, fetched again after `maxAgeMs` or after {@link invalidate}. */
export interface WebhookSecretCache {
  get(): Promise<WebhookSecret>;
  /** Forgets the cached value, e.g. after Slack said a webhook was removed: the next call fetches the secret. */
  invalidate(): void;
}

/** Options of {@link cacheWebhookSecret}. */
export interface WebhookSecretCacheOptions {
  /** @default 5 minutes: a rotated webhook is picked up within that, and the secret is read about 12 times an hour */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

/**
 * Caches the secret's parsed value. `load` returns the raw value (`undefined` for none) and throws on a fault,
 * which is not cached. Concurrent callers share one fetch.
 */
export function cacheWebhookSecret(
  load: () => Promise<string | undefined>,
  options: WebhookSecretCacheOptions = {},
): WebhookSecretCache {
  const maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  let cached: { readonly value: Promise<WebhookSecret>; readonly fetchedAt: number } | undefined;
  return {
    get() {
      if (cached !== undefined && now() - cached.fetchedAt < maxAgeMs) return cached.value;
      const entry = { value: load().then(parseWebhookSecret), fetchedAt: now() };
      cached = entry;
      entry.value.catch(() => {
        if (cached === entry) cached = undefined;
      });
      return entry.value;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
