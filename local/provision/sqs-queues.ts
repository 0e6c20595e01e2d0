import { CreateQueueCommand, GetQueueUrlCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { CfnBoolean, CfnJsonDocument, CfnNumber, CfnTags, jsonText } from './cfn-schemas';
import { isAwsError, parseProperties, provisionFailure, type ResourceHandler } from './resource-context';

const QueueProperties = z.looseObject({
  QueueName: z.string().optional(),
  FifoQueue: CfnBoolean.optional(),
  ContentBasedDeduplication: CfnBoolean.optional(),
  DeduplicationScope: z.string().optional(),
  FifoThroughputLimit: z.string().optional(),
  VisibilityTimeout: CfnNumber.optional(),
  MessageRetentionPeriod: CfnNumber.optional(),
  DelaySeconds: CfnNumber.optional(),
  MaximumMessageSize: CfnNumber.optional(),
  ReceiveMessageWaitTimeSeconds: CfnNumber.optional(),
  RedrivePolicy: CfnJsonDocument.optional(),
  RedriveAllowPolicy: CfnJsonDocument.optional(),
  KmsMasterKeyId: z.string().optional(),
  KmsDataKeyReusePeriodSeconds: CfnNumber.optional(),
  SqsManagedSseEnabled: CfnBoolean.optional(),
  Tags: CfnTags,
});

/**
 * `AWS::SQS::Queue` -> CreateQueue with every attribute the template sets (FIFO, redrive policy, visibility
 * timeout, retention, KMS). A FIFO queue without `QueueName` gets the `.fifo` suffix CloudFormation adds.
 * Ref is the queue URL; attributes `Arn`, `QueueName`, `QueueUrl`.
 */
export const provisionSqsQueue: ResourceHandler = async (ctx) => {
  const props = parseProperties(ctx, QueueProperties);
  const fifo = props.FifoQueue === true;
  const name = props.QueueName ?? ctx.generatedName({ maxLength: 80, suffix: fifo ? '.fifo' : '' });
  const attributes: Record<string, string> = {};
  const set = (key: string, value: string | number | boolean | undefined): void => {
    if (value !== undefined) attributes[key] = String(value);
  };
  set('FifoQueue', fifo ? true : undefined);
  set('ContentBasedDeduplication', props.ContentBasedDeduplication);
  set('DeduplicationScope', props.DeduplicationScope);
  set('FifoThroughputLimit', props.FifoThroughputLimit);
  set('VisibilityTimeout', props.VisibilityTimeout);
  set('MessageRetentionPeriod', props.MessageRetentionPeriod);
  set('DelaySeconds', props.DelaySeconds);
  set('MaximumMessageSize', props.MaximumMessageSize);
  set('ReceiveMessageWaitTimeSeconds', props.ReceiveMessageWaitTimeSeconds);
  set('RedrivePolicy', props.RedrivePolicy === undefined ? undefined : jsonText(props.RedrivePolicy));
  set('RedriveAllowPolicy', props.RedriveAllowPolicy === undefined ? undefined : jsonText(props.RedriveAllowPolicy));
  set('KmsMasterKeyId', props.KmsMasterKeyId);
  set('KmsDataKeyReusePeriodSeconds', props.KmsDataKeyReusePeriodSeconds);
  set('SqsManagedSseEnabled', props.SqsManagedSseEnabled);
  const tags = Object.fromEntries((props.Tags ?? []).map((tag) => [tag.Key, tag.Value]));

  const sqs = ctx.clients.sqs;
  let url: string | undefined;
  try {
    url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes, tags }))).QueueUrl;
  } catch (error) {
    // A second provisioning with changed attributes: update the queue in place, as CloudFormation would.
    if (!isAwsError(error, 'QueueAlreadyExists', 'QueueNameExists'))
      throw provisionFailure(ctx, `CreateQueue ${name}`, error);
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
    const { FifoQueue: _immutable, ...changeable } = attributes;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: changeable }));
  }
  if (url === undefined) throw provisionFailure(ctx, `CreateQueue ${name}`, new Error('no QueueUrl returned'));
  const arn = `arn:${ctx.partition}:sqs:${ctx.region}:${ctx.accountId}:${name}`;
  ctx.registry.queueUrlByArn.set(arn, url);
  return { physicalId: url, attributes: { Arn: arn, QueueName: name, QueueUrl: url } };
};
