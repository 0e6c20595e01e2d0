// Scheduled evaluation: joins the live champion's captured traffic with its ground truth, measures model quality
// and drift, publishes the metrics (EMF), records the evaluation and its report, and emits `Evaluation Completed`,
// `Model Degraded` and `Drift Detected`. Also runs the parts of a window too large for one invocation (SQS).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PutEventsEntry } from '../events/lifecycle';
import { DeploymentStore } from '../metadata/deployment-store';
import { EvaluationStore } from '../metadata/evaluation-store';
import { TrainingStore } from '../metadata/training-store';
import { MalformedEventError } from '../runtime/errors';
import { lambdaHandler, sqsMalformedEventSink } from '../runtime/lambda-handler';
import { logger } from '../runtime/powertools';
import { readEnv, readOptionalEnv } from '../runtime/read-env';
import { metadataChampionLookup } from './champion-lookup';
import { evaluationRequestsOf } from './evaluation-requests';
import { decodeEvaluationSettings } from './evaluation-settings';
import { LiveEvaluations, type EvaluationRunOutcome } from './live-evaluations';

const env = readEnv(
  'METADATA_TABLE',
  'ARTIFACTS_BUCKET',
  'CAPTURE_BUCKET',
  'GROUND_TRUTH_BUCKET',
  'EVENT_BUS_NAME',
  'PIPELINES',
  'PARTS_QUEUE_URL',
  'DEAD_LETTER_QUEUE_URL',
);
const partBytes = readOptionalEnv('PART_BYTES');
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const events = new EventBridgeClient({});
const sqs = new SQSClient({});
const evaluations = new LiveEvaluations({
  s3: new S3Client({}),
  sqs,
  store: new EvaluationStore(documents, env.METADATA_TABLE),
  champions: metadataChampionLookup(
    new DeploymentStore(documents, env.METADATA_TABLE),
    new TrainingStore(documents, env.METADATA_TABLE),
  ),
  publish: async (entry: PutEventsEntry) => {
    const sent = await events.send(new PutEventsCommand({ Entries: [entry] }));
    if ((sent.FailedEntryCount ?? 0) > 0) {
      const failed = sent.Entries?.[0];
      throw new Error(
        `PutEvents refused ${entry.DetailType}: ${failed?.ErrorCode ?? ''} ${failed?.ErrorMessage ?? ''}`,
      );
    }
  },
  // CloudWatch extracts embedded-metric-format documents from the function's log, one JSON document per line.
  emitMetrics: (docs) => {
    for (const doc of docs) process.stdout.write(`${JSON.stringify(doc)}\n`);
  },
  pipelines: decodeEvaluationSettings(env.PIPELINES),
  artifactsBucket: env.ARTIFACTS_BUCKET,
  captureBucket: env.CAPTURE_BUCKET,
  groundTruthBucket: env.GROUND_TRUTH_BUCKET,
  busName: env.EVENT_BUS_NAME,
  partsQueueUrl: env.PARTS_QUEUE_URL,
  ...(partBytes === undefined ? {} : { partBytes: Number(partBytes) }),
});

export const handler = lambdaHandler(
  sqsMalformedEventSink(sqs, env.DEAD_LETTER_QUEUE_URL),
  async (event: unknown): Promise<EvaluationRunOutcome | EvaluationRunOutcome[]> => {
    const requests = evaluationRequestsOf(event);
    if (!requests.ok) throw new MalformedEventError(requests.error);
    const outcomes: EvaluationRunOutcome[] = [];
    for (const request of requests.value) {
      logger.appendKeys({ pipeline: request.pipeline });
      const outcome = request.kind === 'part' ? await evaluations.part(request) : await evaluations.evaluate(request);
      logger.info('evaluation step done', { outcome });
      outcomes.push(outcome);
    }
    return outcomes.length === 1 ? outcomes[0]! : outcomes;
  },
);
