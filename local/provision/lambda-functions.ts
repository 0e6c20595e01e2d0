import { createHash } from 'node:crypto';
import * as z from 'zod';
import { CfnBoolean, CfnNumber } from './cfn-schemas';
import { parseProperties, provisionFailure, type ResourceContext, type ResourceHandler } from './resource-context';

const EnvironmentVariables = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean()]).transform((value) => String(value)),
);

const LocalFunctionProperties = z.looseObject({
  FunctionName: z.string().optional(),
  Environment: z.looseObject({ Variables: EnvironmentVariables.optional() }).optional(),
  Timeout: CfnNumber.optional(),
  MemorySize: CfnNumber.optional(),
  ReservedConcurrentExecutions: CfnNumber.optional(),
  DeadLetterConfig: z.looseObject({ TargetArn: z.string().optional() }).optional(),
});

const FunctionMetadata = z.looseObject({
  'mlops:entry': z.string().min(1).optional(),
  'mlops:handler': z.string().min(1).optional(),
});

const InvokeConfigProperties = z.looseObject({
  FunctionName: z.string(),
  Qualifier: z.string().optional(),
  MaximumRetryAttempts: CfnNumber.optional(),
  MaximumEventAgeInSeconds: CfnNumber.optional(),
  DestinationConfig: z
    .looseObject({
      OnFailure: z.object({ Destination: z.string() }).optional(),
      OnSuccess: z.object({ Destination: z.string() }).optional(),
    })
    .optional(),
});

const EventSourceMappingProperties = z.looseObject({
  EventSourceArn: z.string().optional(),
  FunctionName: z.string(),
  BatchSize: CfnNumber.optional(),
  Enabled: CfnBoolean.optional(),
  FunctionResponseTypes: z.array(z.string()).optional(),
});

/**
 * `AWS::Lambda::Function` is never created in moto (moto would need Docker to run it). A function with
 * `Metadata["mlops:entry"]` becomes a `LocalFunction` with its environment resolved; one without it (CDK's own
 * custom-resource providers) is reported as not provisioned. Ref is the name (`FunctionName`, else the logical
 * id); attribute `Arn`.
 */
export const provisionLambdaFunction: ResourceHandler = (ctx) => {
  const metadata = parseProperties(ctx, FunctionMetadata, ctx.resource.Metadata ?? {});
  const explicitName = ctx.property('FunctionName');
  const functionName = typeof explicitName === 'string' ? explicitName : ctx.logicalId;
  const arn = `arn:${ctx.partition}:lambda:${ctx.region}:${ctx.accountId}:function:${functionName}`;
  const entry = metadata['mlops:entry'];
  if (entry === undefined) {
    ctx.registry.functions.push({ logicalId: ctx.logicalId, functionName, arn, local: false });
    ctx.notProvisioned(
      ctx.type,
      ctx.logicalId,
      'no Metadata["mlops:entry"]: not a project function (e.g. a CDK custom-resource provider), so it is not run locally',
    );
    return { physicalId: functionName, attributes: { Arn: arn } };
  }
  const props = parseProperties(ctx, LocalFunctionProperties, {
    FunctionName: explicitName,
    Environment: ctx.property('Environment'),
    Timeout: ctx.property('Timeout'),
    MemorySize: ctx.property('MemorySize'),
    ReservedConcurrentExecutions: ctx.property('ReservedConcurrentExecutions'),
    DeadLetterConfig: ctx.property('DeadLetterConfig'),
  });
  ctx.registry.functions.push({
    logicalId: ctx.logicalId,
    functionName,
    arn,
    local: true,
    entry,
    handlerExport: metadata['mlops:handler'] ?? 'handler',
    environment: props.Environment?.Variables ?? {},
    // Lambda's defaults when the template leaves them out.
    timeoutSeconds: props.Timeout ?? 3,
    memorySizeMb: props.MemorySize ?? 128,
    ...(props.ReservedConcurrentExecutions === undefined
      ? {}
      : { reservedConcurrentExecutions: props.ReservedConcurrentExecutions }),
    ...(props.DeadLetterConfig?.TargetArn === undefined ? {} : { deadLetterArn: props.DeadLetterConfig.TargetArn }),
  });
  return { physicalId: functionName, attributes: { Arn: arn } };
};

/** `AWS::Lambda::EventInvokeConfig` -> the async-invoke settings (retries, max age, on-failure) of its function. */
export const provisionEventInvokeConfig: ResourceHandler = (ctx) => {
  const props = parseProperties(ctx, InvokeConfigProperties);
  const target = findFunction(ctx, props.FunctionName);
  ctx.registry.invokeConfigs.push({
    functionLogicalId: target.logicalId,
    ...(props.MaximumRetryAttempts === undefined ? {} : { maximumRetryAttempts: props.MaximumRetryAttempts }),
    ...(props.MaximumEventAgeInSeconds === undefined ? {} : { maximumEventAgeSeconds: props.MaximumEventAgeInSeconds }),
    ...(props.DestinationConfig?.OnFailure === undefined
      ? {}
      : { onFailureArn: props.DestinationConfig.OnFailure.Destination }),
  });
  if (props.DestinationConfig?.OnSuccess !== undefined) {
    ctx.warn('DestinationConfig.OnSuccess is not recorded; the local runtime only routes failures');
  }
  return { physicalId: `${target.functionName}:${props.Qualifier ?? '$LATEST'}` };
};

/**
 * `AWS::Lambda::EventSourceMapping` from an SQS queue -> a `LocalQueueSource` the local poller drains.
 * Other sources (DynamoDB streams, Kinesis, ...) are reported as not provisioned. Ref and `Id` are a
 * deterministic UUID-shaped id.
 */
export const provisionEventSourceMapping: ResourceHandler = (ctx) => {
  const props = parseProperties(ctx, EventSourceMappingProperties);
  const id = uuidFrom(`${ctx.stackName}/${ctx.logicalId}`);
  const target = findFunction(ctx, props.FunctionName);
  const sourceArn = props.EventSourceArn ?? '';
  const queueUrl = ctx.registry.queueUrlByArn.get(sourceArn);
  if (!sourceArn.includes(':sqs:') || queueUrl === undefined) {
    ctx.notProvisioned(
      ctx.type,
      ctx.logicalId,
      `only SQS queues of the template are polled locally, not ${sourceArn || '(no source)'}`,
    );
  } else if (props.Enabled === false) {
    ctx.warn('the mapping is disabled; its queue is not polled');
  } else if (target.local) {
    ctx.registry.queueSources.push({
      logicalId: ctx.logicalId,
      queueUrl,
      functionLogicalId: target.logicalId,
      batchSize: props.BatchSize ?? 10,
      reportBatchItemFailures: props.FunctionResponseTypes?.includes('ReportBatchItemFailures') ?? false,
    });
  }
  return { physicalId: id, attributes: { Id: id } };
};

function findFunction(ctx: ResourceContext, nameOrArn: string) {
  const found = ctx.functionByNameOrArn(nameOrArn);
  if (found === undefined) {
    throw provisionFailure(ctx, 'finding the function', new Error(`${nameOrArn} is not a function of this template`));
  }
  return found;
}

function uuidFrom(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
