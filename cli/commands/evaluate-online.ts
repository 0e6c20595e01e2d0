/**
 * `mlops evaluate <pipeline>` without local folders: runs the deployed scheduled evaluation now, on AWS (a synchronous
 * invoke of the evaluation function named in the stack outputs) or on the local runtime (the same through its
 * control endpoint), and prints the report it wrote. The evaluation is recorded and announced like a scheduled one
 * (`trigger: request`, its own id), so what it finds also counts towards the K-window streaks.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EvaluationRunOutcome } from '../../functions/evaluate/live-evaluations';
import type { EvaluationReport } from '../../functions/evaluation/evaluation-report';
import { EvaluationStore, type EvaluationItem } from '../../functions/metadata/evaluation-store';
import { UsageError } from '../exit-codes';
import { control } from '../local-runtime-handle';
import type { StackTarget } from '../stack-target';

/** What the online evaluation prints: the recorded evaluation and its report. */
export interface OnlineEvaluation {
  readonly evaluation: Omit<EvaluationItem, 'events' | 'eventsSent'> & { readonly events: readonly string[] };
  readonly report: EvaluationReport;
}

/** How long to wait for a window split into parts (each part is one invocation of at most 15 minutes). */
const SPLIT_WAIT_MS = 20 * 60_000;

async function invoke(target: StackTarget, projectRoot: string, functionName: string, event: unknown) {
  if (target.where === 'local') {
    const result = (await control(
      projectRoot,
      'POST',
      `/functions/${encodeURIComponent(functionName)}/invoke`,
      JSON.stringify(event),
    )) as { ok: boolean; value?: unknown; error?: { errorType?: string; errorMessage?: string } };
    if (!result.ok) {
      throw new Error(`the evaluation failed: ${result.error?.errorType ?? ''} ${result.error?.errorMessage ?? ''}`);
    }
    return result.value as EvaluationRunOutcome;
  }
  const lambda = new LambdaClient(target.clientConfig);
  const response = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  const payload = response.Payload === undefined ? '' : Buffer.from(response.Payload).toString('utf8');
  if (response.FunctionError !== undefined) throw new Error(`the evaluation failed: ${payload.slice(0, 2000)}`);
  return JSON.parse(payload) as EvaluationRunOutcome;
}

/** Runs the pipeline's evaluation now (at `time`, default now) and reads back its record and report. */
export async function runOnlineEvaluation(input: {
  readonly target: StackTarget;
  readonly projectRoot: string;
  readonly pipeline: string;
  readonly time?: Date;
}): Promise<OnlineEvaluation> {
  const { target } = input;
  const functionName = target.outputs.evaluatorFunctionName;
  if (functionName === undefined) {
    throw new UsageError(`${target.stackName} has no evaluation function; deploy (or start) it again`);
  }
  const event = {
    pipeline: input.pipeline,
    requestId: `cli-${randomUUID().slice(0, 8)}`,
    ...(input.time === undefined ? {} : { time: input.time.toISOString() }),
  };
  const outcome = await invoke(target, input.projectRoot, functionName, event);
  if (outcome.kind === 'ignored') throw new UsageError(outcome.reason);
  if (outcome.kind === 'skipped') throw new UsageError(`${input.pipeline}: ${outcome.reason}`);
  if (outcome.kind === 'part-done') throw new Error(`unexpected answer to an evaluation request: ${outcome.kind}`);

  const store = new EvaluationStore(
    DynamoDBDocumentClient.from(new DynamoDBClient(target.clientConfig)),
    target.outputs.metadataTableName,
  );
  let item = await store.byId(outcome.evaluationId);
  // A window split into parts is recorded by its last part.
  for (const deadline = Date.now() + SPLIT_WAIT_MS; item === undefined && Date.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    item = await store.byId(outcome.evaluationId);
  }
  if (item === undefined) throw new Error(`evaluation ${outcome.evaluationId} was not recorded in time`);
  const s3 = new S3Client({ ...target.clientConfig });
  const object = await s3.send(
    new GetObjectCommand({ Bucket: target.outputs.artifactsBucketName, Key: item.reportKey }),
  );
  const report = JSON.parse((await object.Body?.transformToString('utf8')) ?? '{}') as EvaluationReport;
  const { events, eventsSent: _sent, ...rest } = item;
  return { evaluation: { ...rest, events: events.map((e) => e.detailType) }, report };
}
