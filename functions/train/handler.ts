// Training: starts at most one SageMaker training job per pipeline on accepted data (and on retrain requests from
// the live evaluation), judges a finished job against the quality gate and the champion, registers a model that
// earns it, and starts the one pending follow-up run.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseTrainingJobStateChange, SAGEMAKER_SOURCE } from '../events/aws-sagemaker';
import { DatasetAccepted, DriftDetected, ModelDegraded, parseLifecycleEvent } from '../events/lifecycle';
import { EvaluationStore } from '../metadata/evaluation-store';
import { TrainingStore } from '../metadata/training-store';
import { MalformedEventError } from '../runtime/errors';
import { lambdaHandler, sqsMalformedEventSink } from '../runtime/lambda-handler';
import { logger } from '../runtime/powertools';
import { readEnv, readOptionalEnv } from '../runtime/read-env';
import { parseTrainingSettings, triggerOf, type TrainingTrigger } from './training-events';
import { TrainingRuns, type TrainingOutcome } from './training-runs';

const env = readEnv(
  'METADATA_TABLE',
  'ARTIFACTS_BUCKET',
  'LANDING_BUCKET',
  'EVENT_BUS_NAME',
  'SAGEMAKER_ROLE_ARN',
  'KMS_KEY_ARN',
  'STAGE',
  'PIPELINES',
  'DEBOUNCE_QUEUE_URL',
  'DEAD_LETTER_QUEUE_URL',
  'AWS_REGION',
);
const settings = parseTrainingSettings(
  env.PIPELINES,
  readOptionalEnv('VPC_CONFIG'),
  readOptionalEnv('NETWORK_ISOLATION'),
);
const sqs = new SQSClient({});
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const runs = new TrainingRuns({
  store: new TrainingStore(documentClient, env.METADATA_TABLE),
  evaluations: new EvaluationStore(documentClient, env.METADATA_TABLE),
  s3: new S3Client({}),
  sagemaker: new SageMakerClient({}),
  events: new EventBridgeClient({}),
  sqs,
  environment: {
    stage: env.STAGE,
    region: env.AWS_REGION,
    roleArn: env.SAGEMAKER_ROLE_ARN,
    artifactsBucket: env.ARTIFACTS_BUCKET,
    landingBucket: env.LANDING_BUCKET,
    kmsKeyArn: env.KMS_KEY_ARN,
    ...(settings.vpc ? { vpc: settings.vpc } : {}),
    networkIsolation: settings.networkIsolation,
  },
  busName: env.EVENT_BUS_NAME,
  debounceQueueUrl: env.DEBOUNCE_QUEUE_URL,
  pipelines: settings.pipelines,
});

async function handleTrigger(trigger: TrainingTrigger): Promise<TrainingOutcome> {
  const pipeline = runs.pipeline(trigger.pipeline);
  if (pipeline === undefined) return { kind: 'ignored', reason: `pipeline ${trigger.pipeline} is not deployed here` };
  logger.appendKeys({ pipeline: pipeline.name, trigger: trigger.id });
  return trigger.kind === 'debounce' ? runs.debounceElapsed(pipeline) : runs.trigger(pipeline, trigger.id);
}

export const handler = lambdaHandler(
  sqsMalformedEventSink(sqs, env.DEAD_LETTER_QUEUE_URL),
  async (event: unknown): Promise<TrainingOutcome | TrainingOutcome[]> => {
    const source = typeof event === 'object' && event !== null && 'source' in event ? event.source : undefined;
    if (source === SAGEMAKER_SOURCE || (Array.isArray(source) && source[0] === SAGEMAKER_SOURCE)) {
      const change = parseTrainingJobStateChange(event);
      if (!change.ok) throw new MalformedEventError(change.error);
      return runs.jobEnded(change.value);
    }
    const triggers = triggerOf(event, {
      datasetAccepted: (e) => parseLifecycleEvent(DatasetAccepted, e),
      modelDegraded: (e) => parseLifecycleEvent(ModelDegraded, e),
      driftDetected: (e) => parseLifecycleEvent(DriftDetected, e),
    });
    if (!triggers.ok) throw new MalformedEventError(triggers.error);
    const outcomes: TrainingOutcome[] = [];
    for (const trigger of triggers.value) outcomes.push(await handleTrigger(trigger));
    return outcomes.length === 1 ? outcomes[0]! : outcomes;
  },
);
