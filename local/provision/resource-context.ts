import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { LocalQueueSource, LocalRuleTarget, LocalSchedule } from '../runtime-model';
import { ResourceProvisionError } from './errors';
import type { PhysicalNameOptions } from './physical-names';
import type { TemplateResource } from './template';

/**
 * SDK clients aimed at the local gateway (never at moto directly: the S3 EventBridge flag lives in the
 * gateway). Build them with `forcePathStyle: true` for S3.
 */
export interface ProvisionClients {
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly eventbridge: EventBridgeClient;
  readonly sqs: SQSClient;
  readonly secretsManager: SecretsManagerClient;
  readonly kms: KMSClient;
  readonly cloudwatch: CloudWatchClient;
  readonly sagemaker: SageMakerClient;
}

/** What a resource handler returns: the `Ref` value and the `Fn::GetAtt` attributes. */
export interface Provisioned {
  readonly physicalId: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** A Lambda function of the template, before its async-invoke settings are known. */
export interface FunctionRecord {
  readonly logicalId: string;
  readonly functionName: string;
  readonly arn: string;
  /** False for functions without `mlops:entry` metadata (CDK providers); they are reported, not run. */
  readonly local: boolean;
  readonly entry?: string;
  readonly handlerExport?: string;
  readonly environment?: Readonly<Record<string, string>>;
  readonly timeoutSeconds?: number;
  readonly memorySizeMb?: number;
  readonly reservedConcurrentExecutions?: number;
  readonly deadLetterArn?: string;
}

/** An `AWS::Lambda::EventInvokeConfig`, by the function it configures. */
export interface InvokeConfigRecord {
  readonly functionLogicalId: string;
  readonly maximumRetryAttempts?: number;
  readonly maximumEventAgeSeconds?: number;
  readonly onFailureArn?: string;
}

/** What handlers record for the local runtime while provisioning, shared by all handlers of one run. */
export interface LocalRegistry {
  readonly functions: FunctionRecord[];
  readonly invokeConfigs: InvokeConfigRecord[];
  readonly ruleTargets: LocalRuleTarget[];
  readonly schedules: LocalSchedule[];
  readonly queueSources: LocalQueueSource[];
  /** Queue ARN -> URL, for redrive policies, destinations and event source mappings. */
  readonly queueUrlByArn: Map<string, string>;
}

/** Everything a resource handler needs for one resource. */
export interface ResourceContext {
  readonly logicalId: string;
  readonly type: string;
  readonly resource: TemplateResource;
  readonly stackName: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly clients: ProvisionClients;
  readonly registry: LocalRegistry;
  /** All `Properties`, intrinsics resolved. */
  properties(): Record<string, unknown>;
  /** One property, intrinsics resolved (`undefined` when absent). */
  property(name: string): unknown;
  /** The name CloudFormation would generate, made deterministic (see `physical-names.ts`). */
  generatedName(opts: PhysicalNameOptions): string;
  /** A property mistake or an ignored property worth telling the user about. */
  warn(message: string): void;
  /** Reports part of the resource (e.g. one rule target) as not provisioned, with the reason. */
  notProvisioned(type: string, id: string, reason: string): void;
  /** Finds a function of the template by name or ARN (qualifiers are ignored). */
  functionByNameOrArn(nameOrArn: string): FunctionRecord | undefined;
}

/** Creates (or finds) one resource in the emulator, or only registers it for the local runtime (synchronously). */
export type ResourceHandler = (ctx: ResourceContext) => Promise<Provisioned> | Provisioned;

/** Validates resolved properties against `schema`; errors name the resource and the offending path. */
export function parseProperties<T>(ctx: ResourceContext, schema: z.ZodType<T>, value: unknown = ctx.properties()): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ResourceProvisionError(
      ctx.logicalId,
      ctx.type,
      `unexpected properties: ${z.prettifyError(parsed.error)}`,
      {
        cause: parsed.error,
      },
    );
  }
  return parsed.data;
}

/** True when `error` is an AWS SDK service exception with one of `names`. */
export function isAwsError(error: unknown, ...names: string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}

/** Wraps an emulator failure so it names the resource. */
export function provisionFailure(ctx: ResourceContext, action: string, error: unknown): ResourceProvisionError {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new ResourceProvisionError(ctx.logicalId, ctx.type, `${action} failed: ${reason}`, { cause: error });
}
