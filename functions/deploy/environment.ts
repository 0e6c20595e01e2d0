/**
 * The deploy function's environment. `lib/deployment.ts` sets every variable from these names, so the construct and
 * the handler cannot disagree.
 */
export const DEPLOYER_ENV = {
  /** Metadata table: the pipelines' `STATE` items and `DEPLOYMENT#` records. */
  metadataTable: 'METADATA_TABLE',
  /** The project's bus, for the deployment lifecycle events. */
  eventBusName: 'EVENT_BUS_NAME',
  /** The SageMaker execution role models are created with (the only role the function may pass). */
  executionRoleArn: 'EXECUTION_ROLE_ARN',
  /** Where endpoints write their data capture. */
  dataCaptureBucket: 'DATA_CAPTURE_BUCKET',
  /** Encrypts data capture and endpoint storage volumes. */
  kmsKeyArn: 'KMS_KEY_ARN',
  /** Per pipeline deployment settings (JSON, `deploymentSettings`). */
  pipelines: 'DEPLOYMENT_PIPELINES',
  /** Where malformed events go (set by `MlopsFunction`). */
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
} as const;
