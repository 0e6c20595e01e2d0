import type { SlackMessage } from './block-kit';
import { parseRetryAfter } from './delivery-policy';
import type { WebhookUrl } from './webhook-secret';

/**
 * Posts one message to a Slack incoming webhook with `fetch` and says what happened, as a value (REFERENCE 7.1,
 * 7.2): `sent` on 200; `retryable` on 429 (with `Retry-After`), 408, 5xx, a timeout or a network error;
 * `permanent` on any other status (`invalid_payload`, `no_service`, `channel_is_archived`, ...), which no retry can
 * fix. Never throws for an HTTP or network failure, and no outcome carries the URL or an error that could.
 */
export type WebhookOutcome =
  | { readonly kind: 'sent' }
  | {
      readonly kind: 'retryable';
      readonly reason: string;
      readonly status?: number;
      /** From `Retry-After`, unscaled. */
      readonly retryAfterMs?: number;
    }
  | {
      readonly kind: 'permanent';
      readonly reason: string;
      readonly status: number;
      /** Slack's error string (`invalid_payload`, ...), or `http_<status>` when the body is not one. */
      readonly error: string;
    };

/**
 * Slack errors that mean the webhook itself is gone or unusable (REFERENCE 7.2): someone has to replace it in the
 * secret, so the cached secret is dropped and read again for the next message.
 */
export const WEBHOOK_GONE_ERRORS: ReadonlySet<string> = new Set([
  'no_service',
  'no_service_id',
  'no_team',
  'team_disabled',
  'invalid_token',
  'channel_not_found',
  'channel_is_archived',
  'action_prohibited',
  'posting_to_general_channel_denied',
]);

/** Options of {@link postToWebhook}. */
export interface PostOptions {
  /** Aborts the request (and the body read) after this long. */
  readonly timeoutMs: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Slack answers with a short snake_case token; anything else (an HTML error page, a proxy's text) is not echoed. */
function errorToken(body: string, status: number): string {
  const token = body.trim();
  return /^[a-z0-9_]{1,64}$/.test(token) ? token : `http_${status}`;
}

/** Describes a fetch failure by its kind and code only: undici's errors and causes can carry the request URL. */
function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no response within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : '';
  return /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? `network error ${code}` : 'network error';
}

/** Posts `message` to `url` once. */
export async function postToWebhook(
  url: WebhookUrl,
  message: SlackMessage,
  options: PostOptions,
): Promise<WebhookOutcome> {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const signal = AbortSignal.timeout(options.timeoutMs);
  let status: number;
  let body: string;
  let retryAfter: string | null;
  try {
    const response = await doFetch(url.reveal(), {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(message),
      // A webhook never redirects; following one would send the message (and the token path) elsewhere.
      redirect: 'manual',
      signal,
    });
    status = response.status;
    retryAfter = response.headers.get('retry-after');
    body = await response.text();
  } catch (error) {
    return { kind: 'retryable', reason: networkReason(error, options.timeoutMs) };
  }
  if (status >= 200 && status < 300) return { kind: 'sent' };
  const error = errorToken(body, status);
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(retryAfter, now());
    return {
      kind: 'retryable',
      status,
      reason: `HTTP 429 ${error}${retryAfter === null ? '' : ` (Retry-After ${retryAfter.trim().slice(0, 40)})`}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  if (status >= 500 || status === 408) return { kind: 'retryable', status, reason: `HTTP ${status} ${error}` };
  return { kind: 'permanent', status, error, reason: `HTTP ${status} ${error}` };
}
