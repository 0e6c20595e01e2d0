// Deploys approved models behind SageMaker's deployment guardrails and closes the loop on endpoint state changes.
// Wiring (lib/deployment.ts): SageMaker Model Package State Change (Approved) and Endpoint State Change on the
// default bus, Model Degraded / Drift Detected with action rollback on the project's bus. The state machine is
// ./deployment-runner.ts; the decisions are functions/deployment/. See docs/deployment.md.
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { parseDeploymentSettings } from '../deployment/deployment-settings';
import type { AlarmStateValue } from '../deployment/rollback-alarms';
import { rollbackRequestOf } from '../deployment/rollback-triggers';
import {
  ENDPOINT_STATE_CHANGE,
  MODEL_PACKAGE_STATE_CHANGE,
  parseEndpointStateChange,
  parseModelPackageStateChange,
} from '../events/aws-sagemaker';
import { DriftDetected, ModelDegraded, parseLifecycleEvent, type PutEventsEntry } from '../events/lifecycle';
import { DeploymentStore } from '../metadata/deployment-store';
import { MalformedEventError } from '../runtime/errors';
import { lambdaHandler, sqsMalformedEventSink } from '../runtime/lambda-handler';
import { logger } from '../runtime/powertools';
import { readEnv } from '../runtime/read-env';
import { DeploymentRunner, type RunResult } from './deployment-runner';
import { DEPLOYER_ENV } from './environment';
import { SageMakerHosting } from './sagemaker-hosting';

const env = readEnv(...Object.values(DEPLOYER_ENV));
const cloudwatch = new CloudWatchClient({});
const events = new EventBridgeClient({});

const runner = new DeploymentRunner({
  store: new DeploymentStore(
    DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
    env[DEPLOYER_ENV.metadataTable],
  ),
  hosting: new SageMakerHosting(new SageMakerClient({})),
  publish: async (entry: PutEventsEntry) => {
    const sent = await events.send(new PutEventsCommand({ Entries: [entry] }));
    if (sent.FailedEntryCount) {
      throw new Error(
        `PutEvents failed: ${sent.Entries?.[0]?.ErrorCode ?? 'unknown'} ${sent.Entries?.[0]?.ErrorMessage ?? ''}`,
      );
    }
  },
  busName: env[DEPLOYER_ENV.eventBusName],
  settings: parseDeploymentSettings(env[DEPLOYER_ENV.pipelines]),
  resources: {
    executionRoleArn: env[DEPLOYER_ENV.executionRoleArn],
    dataCaptureBucket: env[DEPLOYER_ENV.dataCaptureBucket],
    kmsKeyArn: env[DEPLOYER_ENV.kmsKeyArn],
  },
  alarmStates: async (names) => {
    const found = await cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: [...names], AlarmTypes: ['MetricAlarm'] }),
    );
    return new Map<string, AlarmStateValue>(
      (found.MetricAlarms ?? []).flatMap((alarm) =>
        alarm.AlarmName !== undefined && alarm.StateValue !== undefined ? [[alarm.AlarmName, alarm.StateValue]] : [],
      ),
    );
  },
});

/** The envelope fields every event is routed by. */
const Envelope = z.object({ id: z.string().min(1), 'detail-type': z.string(), source: z.string() });

export const handler = lambdaHandler(
  sqsMalformedEventSink(new SQSClient({}), env[DEPLOYER_ENV.deadLetterQueueUrl]),
  async (event: unknown): Promise<RunResult> => {
    const envelope = Envelope.safeParse(event);
    if (!envelope.success) throw new MalformedEventError(`not an EventBridge event: ${envelope.error.message}`);
    const { id, 'detail-type': detailType } = envelope.data;
    logger.appendKeys({ eventId: id, detailType });
    const result = await route(id, detailType, event);
    logger.info('deployment step done', { result });
    return result;
  },
);

async function route(eventId: string, detailType: string, event: unknown): Promise<RunResult> {
  if (detailType === MODEL_PACKAGE_STATE_CHANGE) {
    const parsed = parseModelPackageStateChange(event);
    if (!parsed.ok) throw new MalformedEventError(parsed.error);
    const change = parsed.value;
    logger.appendKeys({ modelPackageArn: change.modelPackageArn, modelVersion: change.modelPackageVersion });
    if (change.approvalStatus !== 'Approved') return { kind: 'ignored', reason: `package is ${change.approvalStatus}` };
    return runner.onApproval({
      eventId,
      modelPackageArn: change.modelPackageArn,
      modelPackageGroupName: change.modelPackageGroupName,
    });
  }
  if (detailType === ENDPOINT_STATE_CHANGE) {
    const parsed = parseEndpointStateChange(event);
    if (!parsed.ok) throw new MalformedEventError(parsed.error);
    logger.appendKeys({ endpointName: parsed.value.endpointName, endpointStatus: parsed.value.status });
    return runner.onEndpointChange(parsed.value.endpointName);
  }
  const parsed =
    detailType === ModelDegraded.detailType
      ? parseLifecycleEvent(ModelDegraded, event)
      : detailType === DriftDetected.detailType
        ? parseLifecycleEvent(DriftDetected, event)
        : undefined;
  if (parsed !== undefined) {
    if (!parsed.ok) throw new MalformedEventError(parsed.error);
    const detail = parsed.value.detail;
    logger.appendKeys({ pipeline: detail.pipeline, evaluationId: detail.evaluationId });
    if (detail.action !== 'rollback') return { kind: 'ignored', reason: `action is ${detail.action}, not rollback` };
    return runner.rollback(detail.pipeline, rollbackRequestOf(detailType, detail), 'pipeline');
  }
  throw new MalformedEventError(`the deploy function does not handle "${detailType}" events`, 'detail-type');
}
