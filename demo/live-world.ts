/**
 * The world around the live endpoint: client applications calling it (captured by SageMaker data capture), labels
 * arriving hours later in the ground-truth bucket, and the clock of the scheduled evaluation, which the demo
 * advances an hour per window (the schedule's `time` is the evaluation's "now").
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import type { EvaluationRunOutcome } from '../functions/evaluate/live-evaluations';
import { EvaluationCompleted } from '../functions/events/lifecycle';
import { EvaluationStore, type EvaluationItem } from '../functions/metadata/evaluation-store';
import { groundTruthFiles } from '../pipelines/churn/world/ground-truth';
import {
  inferenceRequests,
  type InferenceRequest,
  type InferenceTrafficOptions,
} from '../pipelines/churn/world/inference-traffic';
import type { DemoContext } from './demo-context';
import { DemoExpectationError } from './progress';

const HOUR_MS = 3_600_000;
/** Labels arrive 1 to 3 hours after the inference (the world generator's default); one in ten never. */
export const LABEL_DELAY_HOURS = { min: 1, max: 3 } as const;
export const MISSING_LABEL_SHARE = 0.1;

/** Sends `count` requests of traffic seed `seed` through the endpoint, eight callers at a time; captured. */
export async function sendTraffic(
  context: DemoContext,
  seed: number,
  count: number,
  options: InferenceTrafficOptions = {},
): Promise<InferenceRequest[]> {
  const endpointName = context.pipeline.deployment.endpointName;
  const requests = inferenceRequests(seed, count, options);
  let next = 0;
  let failures = 0;
  const caller = async () => {
    while (next < requests.length) {
      const request = requests[next++]!;
      try {
        await context.runtime.clients.sagemakerRuntime.send(
          new InvokeEndpointCommand({
            EndpointName: endpointName,
            Body: request.body,
            ContentType: request.contentType,
            InferenceId: request.inferenceId,
          }),
        );
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, caller));
  if (failures > 0) throw new DemoExpectationError(`${failures} of ${count} calls to ${endpointName} failed`);
  await context.runtime.endpoints.flush(); // SageMaker writes capture files some time after; here, now
  return requests;
}

/** Writes the labels of served requests where Model Monitor's ground truth goes; returns the keys written. */
export async function dropLabels(
  context: DemoContext,
  requests: readonly InferenceRequest[],
  seed: number,
  servedAt: Date,
): Promise<{ keys: string[]; labels: number }> {
  const files = groundTruthFiles(
    requests.map((r) => ({ ...r, inferenceTime: servedAt })),
    { prefix: context.pipeline.name, seed, missingShare: MISSING_LABEL_SHARE, delayHours: LABEL_DELAY_HOURS },
  );
  for (const file of files) {
    await context.runtime.clients.s3.send(
      new PutObjectCommand({
        Bucket: context.outputs.groundTruthBucketName,
        Key: file.key,
        Body: file.body,
        ContentType: 'application/jsonlines',
      }),
    );
  }
  return { keys: files.map((f) => f.key), labels: files.reduce((sum, f) => sum + f.records, 0) };
}

export const evaluationStore = (context: DemoContext) =>
  new EvaluationStore(context.documents, context.outputs.metadataTableName);

/**
 * The time of the next scheduled evaluation: an hour after the last one, or, for the first, once every label of
 * traffic sent now has arrived (the window ends `labelLagHours` before it, so today's traffic is inside).
 */
export async function nextEvaluationTime(context: DemoContext): Promise<Date> {
  const [last] = await evaluationStore(context).recent(context.pipeline.name, 1);
  const lag = context.pipeline.evaluation?.labelLagHours ?? 0;
  if (last !== undefined) return new Date(Date.parse(last.windowEnd) + (lag + 1) * HOUR_MS);
  return new Date(Date.now() + LABEL_DELAY_HOURS.max * HOUR_MS + 5 * 60_000);
}

/** Fires the pipeline's evaluation schedule at `time`, as EventBridge would; waits for its record and event. */
export async function fireEvaluation(context: DemoContext, time: Date): Promise<EvaluationItem> {
  const { runtime, pipeline } = context;
  const schedule = runtime.dispatcher.schedules.find((s) =>
    s.inputTransformer?.inputTemplate.includes(`"pipeline":"${pipeline.name}"`),
  );
  if (schedule === undefined)
    throw new DemoExpectationError(`the stack has no evaluation schedule for ${pipeline.name}`);
  const since = context.events.count;
  const fired = await runtime.dispatcher.fireSchedule(schedule.logicalId, time);
  if (fired.kind !== 'succeeded') {
    throw new DemoExpectationError(`the scheduled evaluation failed: ${JSON.stringify(fired).slice(0, 500)}`);
  }
  const outcome = fired.value as EvaluationRunOutcome;
  if (outcome.kind !== 'evaluated') {
    throw new DemoExpectationError(`the scheduled evaluation did not evaluate: ${JSON.stringify(outcome)}`);
  }
  await context.until('Evaluation Completed', () =>
    context.events.events(EvaluationCompleted, since).find((e) => e.detail.evaluationId === outcome.evaluationId),
  );
  const [record] = (await evaluationStore(context).recent(pipeline.name, 5)).filter(
    (r) => r.evaluationId === outcome.evaluationId,
  );
  if (record === undefined) throw new DemoExpectationError(`evaluation ${outcome.evaluationId} is not recorded`);
  return record;
}
