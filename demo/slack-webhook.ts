/**
 * Where the demo's Slack messages go. With `SLACK_WEBHOOK_URL` set (a webhook URL, or the JSON map the secret takes;
 * docs/notifications.md), to that webhook; otherwise to a local receiver that answers like Slack's incoming
 * webhooks (200 `ok`) and records each message so the demo can print it. Either way the notifier gets the value as
 * `SLACK_WEBHOOK_URL`, which takes the place of the Secrets Manager secret locally (DESIGN 6).
 */
import * as http from 'node:http';
import * as z from 'zod';

/** A message the local receiver got. */
export interface RecordedMessage {
  /** The header block's text, e.g. `:no_entry: Dataset rejected · churn`. */
  readonly header: string;
  /** The first section's text: the one- or two-sentence summary. */
  readonly summary: string;
  /** The fallback text (summary, link, facts). */
  readonly text: string;
}

export interface SlackWebhook {
  /** `local` records messages here; `webhook` sends them to the configured Slack webhook. */
  readonly kind: 'local' | 'webhook';
  /** What the demo says about it (never the URL of a real webhook: it is a credential). */
  readonly description: string;
  /** Messages recorded by the local receiver (empty for a real webhook). */
  readonly messages: readonly RecordedMessage[];
  /** What the functions get: `SLACK_WEBHOOK_URL`, and `NOTIFIER_TIME_SCALE` for the local receiver. */
  readonly functionEnvironment: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * Slack takes about one message per second per webhook, so the notifier paces its posts (docs/notifications.md);
 * the local receiver has no such limit, and a second of pacing per message held up every step that announces
 * something (about 10 s of a 24 s run).
 */
const LOCAL_NOTIFIER_TIME_SCALE = '0.05';

const SlackMessageSchema = z.object({
  text: z.string().default(''),
  blocks: z.array(z.looseObject({ type: z.string(), text: z.object({ text: z.string() }).optional() })).default([]),
});

/**
 * The environment's `SLACK_WEBHOOK_URL` if set, else a local receiver started here.
 * @param configured the value of `SLACK_WEBHOOK_URL`, if any
 */
export async function startSlackWebhook(configured: string | undefined): Promise<SlackWebhook> {
  if (configured !== undefined && configured.trim() !== '') {
    return {
      kind: 'webhook',
      description: 'sent to the webhook of SLACK_WEBHOOK_URL',
      messages: [],
      functionEnvironment: { SLACK_WEBHOOK_URL: configured.trim() },
      close: () => Promise.resolve(),
    };
  }
  const messages: RecordedMessage[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const parsed = SlackMessageSchema.safeParse(safeJson(Buffer.concat(chunks).toString('utf8')));
      if (!parsed.success) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
        return;
      }
      const { blocks, text } = parsed.data;
      messages.push({
        header: blocks.find((b) => b.type === 'header')?.text?.text ?? '',
        summary: blocks.find((b) => b.type === 'section' && b.text !== undefined)?.text?.text ?? '',
        text,
      });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    kind: 'local',
    description: 'recorded by a local receiver (set SLACK_WEBHOOK_URL to send them to Slack)',
    messages,
    functionEnvironment: {
      SLACK_WEBHOOK_URL: `http://127.0.0.1:${port}/services/T0DEMO/B0DEMO/local-receiver`,
      NOTIFIER_TIME_SCALE: LOCAL_NOTIFIER_TIME_SCALE,
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
