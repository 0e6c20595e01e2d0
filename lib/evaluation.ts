import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PipelineConfig } from '../functions/config/pipeline-config';
import { encodeEvaluationSettings } from '../functions/evaluate/evaluation-settings';
import { evaluationSettings } from '../functions/evaluate/pipeline-evaluation-settings';
import type { DataPlane } from './data-plane';
import { grantMetadataTable, grantObjectAccess, validateSettingsSize } from './grants';
import { MlopsFunction } from './mlops-function';
import type { Observability } from './observability';

export interface EvaluationProps {
  readonly dataPlane: DataPlane;
  readonly observability: Observability;
  readonly stage: string;
  readonly pipelines: readonly PipelineConfig[];
  /** Folder holding `<pipeline>/pipeline.yaml` and the contracts. @default 'pipelines' (from the working directory) */
  readonly pipelinesDir?: string;
  /** Byte budget of one part of a split evaluation. @default the function's default (2 GiB of capture) */
  readonly partBytes?: number;
}

/**
 * Scheduled evaluation on live traffic: one schedule per pipeline with an `evaluation` section invokes the evaluator
 * with the pipeline and the scheduled time; a window too large for one invocation is split into parts that go
 * through an SQS queue back to the same function. Wiring only: the logic is in functions/evaluate and
 * functions/evaluation.
 */
export class Evaluation extends Construct {
  public readonly evaluator: MlopsFunction;
  public readonly partsQueue: sqs.Queue;
  public readonly schedules: readonly events.Rule[];

  public constructor(scope: Construct, id: string, props: EvaluationProps) {
    super(scope, id);
    const { dataPlane, pipelines } = props;
    const pipelinesDir = props.pipelinesDir ?? 'pipelines';
    const settings = evaluationSettings(pipelines, (p) => {
      const file = path.join(pipelinesDir, p.name, p.data.contract);
      return { text: fs.readFileSync(file, 'utf8'), file };
    });
    const encoded = encodeEvaluationSettings(settings);

    this.evaluator = new MlopsFunction(this, 'Evaluator', {
      entry: 'functions/evaluate/handler.ts',
      description: "Evaluates each pipeline's live model on its captured traffic and ground truth",
      encryptionKey: dataPlane.key,
      stage: props.stage,
      // The join keeps about 60 bytes per captured request: 2 GiB of capture per part is about 300 MB.
      memorySize: 2048,
      timeout: Duration.minutes(15),
      environment: {},
      maxEventAge: Duration.hours(2),
    });
    this.partsQueue = new sqs.Queue(this, 'PartsQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: dataPlane.key,
      enforceSSL: true,
      // Lambda's advice for SQS sources: six times the function's timeout.
      visibilityTimeout: Duration.minutes(90),
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: this.evaluator.deadLetterQueue, maxReceiveCount: 3 },
    });
    this.evaluator.function.addEventSource(new lambdaEventSources.SqsEventSource(this.partsQueue, { batchSize: 1 }));

    const variables: Record<string, string> = {
      METADATA_TABLE: dataPlane.metadataTable.tableName,
      ARTIFACTS_BUCKET: dataPlane.artifactsBucket.bucketName,
      CAPTURE_BUCKET: dataPlane.dataCaptureBucket.bucketName,
      GROUND_TRUTH_BUCKET: dataPlane.groundTruthBucket.bucketName,
      EVENT_BUS_NAME: dataPlane.bus.eventBusName,
      PIPELINES: encoded,
      PARTS_QUEUE_URL: this.partsQueue.queueUrl,
      ...(props.partBytes === undefined ? {} : { PART_BYTES: String(props.partBytes) }),
    };
    for (const [name, value] of Object.entries(variables)) this.evaluator.function.addEnvironment(name, value);
    validateSettingsSize(this, 'evaluation', settings.length, encoded);

    const role = this.evaluator.role;
    for (const p of settings) {
      grantObjectAccess(role, dataPlane.dataCaptureBucket, 'read', { key: dataPlane.key, prefix: `${p.name}/` });
      grantObjectAccess(role, dataPlane.groundTruthBucket, 'read', { key: dataPlane.key, prefix: `${p.name}/` });
    }
    // Training profiles and the pipelines' first baselines (drift), the evaluation reports and part states.
    grantObjectAccess(role, dataPlane.artifactsBucket, 'read', { key: dataPlane.key, prefix: 'profiles/' });
    grantObjectAccess(role, dataPlane.artifactsBucket, 'read', { key: dataPlane.key, prefix: 'baselines/' });
    grantObjectAccess(role, dataPlane.artifactsBucket, 'read-write', { key: dataPlane.key, prefix: 'evaluations/' });
    grantMetadataTable(role, dataPlane.metadataTable, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
      'dynamodb:BatchGetItem',
    ]);
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [dataPlane.bus.eventBusArn] }),
    );
    role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.partsQueue.queueArn] }));

    this.schedules = settings.map(
      (p) =>
        new events.Rule(this, `Schedule-${p.name}`, {
          description: `Evaluates the live model of ${p.name} (${p.evaluation.schedule})`,
          schedule: events.Schedule.expression(p.evaluation.schedule),
          targets: [
            new targets.LambdaFunction(this.evaluator.function, {
              event: events.RuleTargetInput.fromObject({ pipeline: p.name, time: events.EventField.time }),
              deadLetterQueue: this.evaluator.deadLetterQueue,
              maxEventAge: Duration.hours(2),
              retryAttempts: 4,
            }),
          ],
        }),
    );
    props.observability.monitorFunction(this.evaluator);
  }
}
