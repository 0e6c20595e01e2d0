import {
  BucketVersioningStatus,
  CreateBucketCommand,
  Event as S3Event,
  FilterRuleName,
  PutBucketEncryptionCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  ServerSideEncryption,
  BucketLocationConstraint,
  type NotificationConfiguration,
} from '@aws-sdk/client-s3';
import * as z from 'zod';
import { CfnBoolean, CfnTags } from './cfn-schemas';
import {
  isAwsError,
  parseProperties,
  provisionFailure,
  type ResourceContext,
  type ResourceHandler,
} from './resource-context';

const FilterRules = z
  .looseObject({
    Key: z.looseObject({
      FilterRules: z.array(
        z.object({
          // CDK writes `prefix`/`suffix`; CloudFormation documents `Prefix`/`Suffix`.
          Name: z.preprocess((name) => (typeof name === 'string' ? name.toLowerCase() : name), z.enum(FilterRuleName)),
          Value: z.string(),
        }),
      ),
    }),
  })
  .optional();

const BucketProperties = z.looseObject({
  BucketName: z.string().optional(),
  VersioningConfiguration: z.object({ Status: z.enum(BucketVersioningStatus) }).optional(),
  BucketEncryption: z
    .object({
      ServerSideEncryptionConfiguration: z.array(
        z.looseObject({
          ServerSideEncryptionByDefault: z
            .object({ SSEAlgorithm: z.enum(ServerSideEncryption), KMSMasterKeyID: z.string().optional() })
            .optional(),
          BucketKeyEnabled: CfnBoolean.optional(),
        }),
      ),
    })
    .optional(),
  PublicAccessBlockConfiguration: z
    .object({
      BlockPublicAcls: CfnBoolean.optional(),
      BlockPublicPolicy: CfnBoolean.optional(),
      IgnorePublicAcls: CfnBoolean.optional(),
      RestrictPublicBuckets: CfnBoolean.optional(),
    })
    .optional(),
  NotificationConfiguration: z
    .looseObject({ EventBridgeConfiguration: z.object({ EventBridgeEnabled: CfnBoolean }).optional() })
    .optional(),
  ObjectLockEnabled: CfnBoolean.optional(),
  Tags: CfnTags,
});

const NotificationsProperties = z.looseObject({
  BucketName: z.string(),
  NotificationConfiguration: z.looseObject({
    EventBridgeConfiguration: z.record(z.string(), z.unknown()).optional(),
    QueueConfigurations: z
      .array(
        z.looseObject({
          Id: z.string().optional(),
          QueueArn: z.string(),
          Events: z.array(z.enum(S3Event)),
          Filter: FilterRules,
        }),
      )
      .optional(),
    TopicConfigurations: z
      .array(
        z.looseObject({
          Id: z.string().optional(),
          TopicArn: z.string(),
          Events: z.array(z.enum(S3Event)),
          Filter: FilterRules,
        }),
      )
      .optional(),
    LambdaFunctionConfigurations: z.array(z.unknown()).optional(),
  }),
});

// Properties whose behaviour moto lacks or the local runtime does not need; named so the user knows.
const UNAPPLIED_PROPERTIES: Readonly<Record<string, string>> = {
  LifecycleConfiguration: 'moto never runs lifecycle rules',
  ReplicationConfiguration: 'there is one local region and account per test',
  LoggingConfiguration: 'server access logs are not written locally',
  CorsConfiguration: 'browsers do not call the emulator',
};

/**
 * `AWS::S3::Bucket` -> CreateBucket plus versioning, default encryption, public access block and tags.
 * The name is `BucketName`, or a lower-case name from stack and logical id made unique per account and
 * region (bucket names are global in moto, as in AWS). `NotificationConfiguration.EventBridgeConfiguration`
 * turns EventBridge on through the gateway. Ref is the name; attributes `Arn`, `DomainName`,
 * `RegionalDomainName`, `DualStackDomainName`, `WebsiteURL`.
 */
export const provisionS3Bucket: ResourceHandler = async (ctx) => {
  const props = parseProperties(ctx, BucketProperties);
  const s3 = ctx.clients.s3;
  const bucket =
    props.BucketName ??
    ctx.generatedName({ maxLength: 63, lowerCase: true, uniqueIn: `${ctx.accountId}/${ctx.region}` });
  for (const [property, reason] of Object.entries(UNAPPLIED_PROPERTIES)) {
    if (ctx.property(property) !== undefined) ctx.warn(`${property} is not applied: ${reason}`);
  }

  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(ctx.region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: locationConstraint(ctx) } }),
        ...(props.ObjectLockEnabled === true ? { ObjectLockEnabledForBucket: true } : {}),
      }),
    );
  } catch (error) {
    if (!isAwsError(error, 'BucketAlreadyOwnedByYou')) throw provisionFailure(ctx, `CreateBucket ${bucket}`, error);
  }
  try {
    if (props.VersioningConfiguration !== undefined) {
      await s3.send(
        new PutBucketVersioningCommand({
          Bucket: bucket,
          VersioningConfiguration: { Status: props.VersioningConfiguration.Status },
        }),
      );
    }
    if (props.BucketEncryption !== undefined) {
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: {
            // CloudFormation's `ServerSideEncryptionByDefault` is the API's `ApplyServerSideEncryptionByDefault`.
            Rules: props.BucketEncryption.ServerSideEncryptionConfiguration.map((rule) => ({
              ApplyServerSideEncryptionByDefault: rule.ServerSideEncryptionByDefault,
              BucketKeyEnabled: rule.BucketKeyEnabled,
            })),
          },
        }),
      );
    }
    if (props.PublicAccessBlockConfiguration !== undefined) {
      await s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: props.PublicAccessBlockConfiguration,
        }),
      );
    }
    if (props.Tags !== undefined && props.Tags.length > 0) {
      await s3.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: props.Tags } }));
    }
    if (props.NotificationConfiguration?.EventBridgeConfiguration?.EventBridgeEnabled === true) {
      await putNotifications(ctx, bucket, { EventBridgeConfiguration: {} });
    }
  } catch (error) {
    throw provisionFailure(ctx, `configuring bucket ${bucket}`, error);
  }

  const suffix = ctx.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return {
    physicalId: bucket,
    attributes: {
      Arn: `arn:${ctx.partition}:s3:::${bucket}`,
      DomainName: `${bucket}.s3.${suffix}`,
      RegionalDomainName: `${bucket}.s3.${ctx.region}.${suffix}`,
      DualStackDomainName: `${bucket}.s3.dualstack.${ctx.region}.${suffix}`,
      WebsiteURL: `http://${bucket}.s3-website-${ctx.region}.${suffix}`,
    },
  };
};

/**
 * `Custom::S3BucketNotifications` (how CDK implements `eventBridgeEnabled` and bucket notifications: a Lambda
 * that calls PutBucketNotificationConfiguration) -> the same call, made here. Queue and topic notifications
 * pass through to moto; Lambda notifications cannot be delivered locally and are reported.
 */
export const provisionBucketNotifications: ResourceHandler = async (ctx) => {
  const props = parseProperties(ctx, NotificationsProperties);
  const { EventBridgeConfiguration, QueueConfigurations, TopicConfigurations, LambdaFunctionConfigurations } =
    props.NotificationConfiguration;
  if (LambdaFunctionConfigurations !== undefined && LambdaFunctionConfigurations.length > 0) {
    ctx.notProvisioned(
      'S3 -> Lambda notification',
      ctx.logicalId,
      'moto would invoke the function with Docker; use eventBridgeEnabled and an EventBridge rule instead',
    );
  }
  try {
    await putNotifications(ctx, props.BucketName, {
      ...(EventBridgeConfiguration === undefined ? {} : { EventBridgeConfiguration: {} }),
      ...(QueueConfigurations === undefined ? {} : { QueueConfigurations }),
      ...(TopicConfigurations === undefined ? {} : { TopicConfigurations }),
    });
  } catch (error) {
    throw provisionFailure(ctx, `PutBucketNotificationConfiguration ${props.BucketName}`, error);
  }
  return { physicalId: ctx.logicalId };
};

async function putNotifications(
  ctx: ResourceContext,
  bucket: string,
  configuration: NotificationConfiguration,
): Promise<void> {
  await ctx.clients.s3.send(
    new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: configuration }),
  );
}

function locationConstraint(ctx: ResourceContext): BucketLocationConstraint {
  const constraint = z.enum(BucketLocationConstraint).safeParse(ctx.region);
  if (!constraint.success) {
    throw provisionFailure(
      ctx,
      'CreateBucket',
      new Error(`region ${ctx.region} is not a LocationConstraint the SDK knows`),
    );
  }
  return constraint.data;
}
