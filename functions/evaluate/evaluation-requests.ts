/**
 * What the evaluation function receives:
 *
 * - the schedule's input, `{"pipeline": "<name>", "time": "<the scheduled event's time>"}` (an input transformer
 *   of the pipeline's schedule rule): evaluate the window ending at that time;
 * - a request from `mlops evaluate <pipeline>` (a synchronous invoke): `{"pipeline", "requestId"}`, optionally
 *   with `time`; evaluated at once, its result returned;
 * - SQS messages of a split evaluation: `{"pipeline", "evaluationId", "part"}`, one per part.
 */
import * as z from 'zod';
import { formatIssues, type ParseResult } from '../events/parse-result';

/** An evaluation to run now. */
export interface EvaluationRequest {
  readonly kind: 'evaluate';
  readonly pipeline: string;
  readonly time: Date | undefined;
  /** Set for evaluations asked for by people (each gets its own id). */
  readonly requestId?: string;
}

/** One part of a split evaluation. */
export interface PartRequest {
  readonly kind: 'part';
  readonly pipeline: string;
  readonly evaluationId: string;
  readonly part: number;
}

const isoTime = z.iso.datetime({ offset: true });
const RequestSchema = z.strictObject({
  pipeline: z.string().min(1),
  time: isoTime.optional(),
  requestId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'expected 1 to 64 letters, digits, dots, colons, underscores or hyphens')
    .optional(),
});
const PartSchema = z.strictObject({
  pipeline: z.string().min(1),
  evaluationId: z.string().min(1).max(128),
  part: z.number().int().nonnegative(),
});
const SqsBatchSchema = z.object({
  Records: z.array(z.object({ eventSource: z.literal('aws:sqs'), body: z.string() })).min(1),
});

/** The requests in an event, or why it is malformed. */
export function evaluationRequestsOf(event: unknown): ParseResult<(EvaluationRequest | PartRequest)[]> {
  const batch = SqsBatchSchema.safeParse(event);
  if (batch.success) {
    const parts: PartRequest[] = [];
    for (const record of batch.data.Records) {
      let body: unknown;
      try {
        body = JSON.parse(record.body);
      } catch {
        return { ok: false, error: `evaluation part message is not JSON: ${record.body.slice(0, 200)}` };
      }
      const part = PartSchema.safeParse(body);
      if (!part.success) return { ok: false, error: `evaluation part message: ${formatIssues(part.error.issues)}` };
      parts.push({ kind: 'part', ...part.data });
    }
    return { ok: true, value: parts };
  }
  const request = RequestSchema.safeParse(event);
  if (!request.success) {
    return {
      ok: false,
      error: `expected {"pipeline", "time"} from the schedule or {"pipeline", "requestId"} from the CLI: ${formatIssues(request.error.issues)}`,
    };
  }
  const { pipeline, time, requestId } = request.data;
  return {
    ok: true,
    value: [
      {
        kind: 'evaluate',
        pipeline,
        time: time === undefined ? undefined : new Date(time),
        ...(requestId === undefined ? {} : { requestId }),
      },
    ],
  };
}
