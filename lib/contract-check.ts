import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { PipelineConfig } from '../functions/config/pipeline-config';
import type { PipelineSetting } from '../functions/contract-check/pipeline-contracts';
import { s3ObjectCreatedPattern } from '../functions/events/aws-s3';
import type { DataPlane } from './data-plane';
import { grantObjectAccess } from './grants';
import { MlopsFunction } from './mlops-function';
import type { Observability } from './observability';

export interface ContractCheckProps {
  readonly dataPlane: DataPlane;
  readonly observability: Observability;
  readonly stage: string;
  /** Pipelines whose landing prefixes are checked; validated by `loadPipelines`. */
  readonly pipelines: readonly PipelineConfig[];
  /**
   * How long EventBridge and Lambda keep an undelivered S3 event before it goes to the dead-letter queue.
   * @default Duration.hours(6)
   */
  readonly maxEventAge?: Duration;
}

/**
 * The data-contract check on arrival: a rule on S3 `Object Created` for every pipeline's landing prefix invokes
 * the contract-check function, which reads the object, writes the report and profile, quarantines a rejected
 * file, records the dataset version and emits `Dataset Accepted` or `Dataset Rejected`. Wiring only.
 */
export class ContractCheck extends Construct {
  public readonly checker: MlopsFunction;
  public readonly rule: events.Rule;

  public constructor(scope: Construct, id: string, props: ContractCheckProps) {
    super(scope, id);
    const { dataPlane } = props;
    const settings: PipelineSetting[] = props.pipelines.map((p) => ({
      name: p.name,
      landingPrefix: p.data.landingPrefix,
      contract: `${p.name}/${p.data.contract}`,
      maxObjectSizeBytes: p.data.maxObjectSizeBytes,
    }));

    this.checker = new MlopsFunction(this, 'Checker', {
      entry: 'functions/contract-check/handler.ts',
      description: 'Checks landed data files against their data contract',
      encryptionKey: dataPlane.key,
      stage: props.stage,
      // 1769 MB and more get a second vCPU: byte ranges are checked in two worker threads.
      memorySize: 3008,
      timeout: Duration.minutes(15),
      bundledFiles: settings.map((s) => `pipelines/${s.contract}`),
      // The validator checks byte ranges in worker threads started from this file, next to the handler.
      additionalEntries: [{ entry: 'functions/contracts/validation-worker.ts', outfile: 'validation-worker.mjs' }],
      environment: {
        METADATA_TABLE: dataPlane.metadataTable.tableName,
        ARTIFACTS_BUCKET: dataPlane.artifactsBucket.bucketName,
        QUARANTINE_BUCKET: dataPlane.quarantineBucket.bucketName,
        EVENT_BUS_NAME: dataPlane.bus.eventBusName,
        PIPELINES: JSON.stringify(settings),
      },
      maxEventAge: props.maxEventAge ?? Duration.hours(6),
    });
    const role = this.checker.role;
    grantObjectAccess(role, dataPlane.landingBucket, 'read-delete', { key: dataPlane.key });
    grantObjectAccess(role, dataPlane.quarantineBucket, 'write', { key: dataPlane.key });
    for (const prefix of ['reports/', 'profiles/', 'baselines/']) {
      grantObjectAccess(role, dataPlane.artifactsBucket, 'read-write', { key: dataPlane.key, prefix });
    }
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
        resources: [dataPlane.metadataTable.tableArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [dataPlane.bus.eventBusArn] }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [dataPlane.key.keyArn],
        conditions: {
          StringEquals: {
            'kms:ViaService': [
              `dynamodb.${Stack.of(this).region}.amazonaws.com`,
              `events.${Stack.of(this).region}.amazonaws.com`,
            ],
          },
        },
      }),
    );

    this.rule = new events.Rule(this, 'OnObjectCreated', {
      description: 'Data files landing under a pipeline prefix',
      eventPattern: s3ObjectCreatedPattern(
        dataPlane.landingBucket.bucketName,
        settings.map((s) => s.landingPrefix),
      ),
      targets: [
        new targets.LambdaFunction(this.checker.function, {
          deadLetterQueue: this.checker.deadLetterQueue,
          maxEventAge: props.maxEventAge ?? Duration.hours(6),
          retryAttempts: 8,
        }),
      ],
    });
    props.observability.monitorFunction(this.checker);
  }
}
