import { createHash } from 'node:crypto';
import * as z from 'zod';
import { replyJson } from './aws-call';
import type { Gateway } from './gateway';

const ReceiveMessageReply = z.looseObject({
  Messages: z.array(z.looseObject({ Body: z.string().optional(), MD5OfBody: z.string().optional() })).optional(),
});

const EventEnvelope = z.looseObject({
  id: z.string(),
  'detail-type': z.string(),
  source: z.string(),
  detail: z.unknown(),
});

const ENVELOPE_ORDER = ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'];

/**
 * Completes the envelope of EventBridge events that moto delivers to SQS: moto's default target input drops
 * `account` (MOTO.md 2, `events/utils.py::DEFAULT_EVENT_INPUT_TEMPLATE`), which every AWS event has. The
 * gateway adds the receiving account to each message body that is an event envelope without it, rewrites the
 * body in AWS's field order and fixes `MD5OfBody` (SDK v3 checks it).
 */
export function normaliseEventEnvelopes(gateway: Gateway): void {
  gateway.intercept('sqs', 'ReceiveMessage', async (call, forward) => {
    const reply = await forward();
    if (reply.status !== 200) return reply;
    const parsed = ReceiveMessageReply.safeParse(replyJson(reply));
    if (!parsed.success || parsed.data.Messages === undefined) return reply;
    let changed = false;
    const messages = parsed.data.Messages.map((message) => {
      const body = message.Body === undefined ? undefined : withAccount(message.Body, call.accountId);
      if (body === undefined) return message;
      changed = true;
      return { ...message, Body: body, MD5OfBody: createHash('md5').update(body, 'utf8').digest('hex') };
    });
    if (!changed) return reply;
    return { ...reply, body: Buffer.from(JSON.stringify({ ...parsed.data, Messages: messages }), 'utf8') };
  });
}

/** The body with `account` added, or `undefined` when it is not an event envelope lacking it. */
function withAccount(body: string, accountId: string): string | undefined {
  if (!body.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  const envelope = EventEnvelope.safeParse(value);
  if (!envelope.success || 'account' in envelope.data) return undefined;
  const fields: Record<string, unknown> = { ...envelope.data, account: accountId };
  const ordered: Record<string, unknown> = {};
  for (const name of ENVELOPE_ORDER) if (name in fields) ordered[name] = fields[name];
  for (const [name, field] of Object.entries(fields)) if (!(name in ordered)) ordered[name] = field;
  return JSON.stringify(ordered);
}
