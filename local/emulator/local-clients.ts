import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';

/** SDK clients aimed at a local gateway, with dummy credentials; also usable as the provisioner's clients. */
export interface LocalAwsClients {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly eventbridge: EventBridgeClient;
  readonly secretsManager: SecretsManagerClient;
  readonly kms: KMSClient;
  readonly cloudwatch: CloudWatchClient;
  readonly sagemaker: SageMakerClient;
  readonly sagemakerRuntime: SageMakerRuntimeClient;
  readonly sts: STSClient;
}

/** The environment a process needs to reach the gateway through the SDK's standard endpoint configuration. */
export function localAwsEnvironment(endpoint: string, region: string): Readonly<Record<string, string>> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
  };
}

/** Creates the clients; S3 uses path-style addressing (MOTO.md 8: virtual hosts do not resolve on 127.0.0.1). */
export function localAwsClients(endpoint: string, region: string): LocalAwsClients & { destroy(): void } {
  const config = { endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const clients: LocalAwsClients = {
    s3: new S3Client({ ...config, forcePathStyle: true }),
    sqs: new SQSClient(config),
    dynamodb: new DynamoDBClient(config),
    eventbridge: new EventBridgeClient(config),
    secretsManager: new SecretsManagerClient(config),
    kms: new KMSClient(config),
    cloudwatch: new CloudWatchClient(config),
    sagemaker: new SageMakerClient(config),
    sagemakerRuntime: new SageMakerRuntimeClient(config),
    sts: new STSClient(config),
  };
  const all: readonly { destroy(): void }[] = Object.values(clients);
  return { ...clients, destroy: () => all.forEach((client) => client.destroy()) };
}
