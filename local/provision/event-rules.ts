import { PutRuleCommand, PutTargetsCommand, type Target } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { LocalRuleTarget } from '../runtime-model';
import { CfnJsonDocument, CfnNumber } from './cfn-schemas';
import { physicalName } from './physical-names';
import { parseProperties, provisionFailure, type ResourceContext, type ResourceHandler } from './resource-context';

const RetryPolicy = z
  .object({ MaximumRetryAttempts: CfnNumber.optional(), MaximumEventAgeInSeconds: CfnNumber.optional() })
  .optional();
const DeadLetterConfig = z.object({ Arn: z.string().optional() }).optional();
const InputTransformer = z
  .object({ InputPathsMap: z.record(z.string(), z.string()).optional(), InputTemplate: z.string() })
  .optional();

const RuleTarget = z.looseObject({
  Id: z.string(),
  Arn: z.string(),
  Input: z.string().optional(),
  InputPath: z.string().optional(),
  InputTransformer,
  RetryPolicy,
  DeadLetterConfig,
  RoleArn: z.string().optional(),
  SqsParameters: z.object({ MessageGroupId: z.string() }).optional(),
});

const RuleProperties = z.looseObject({
  Name: z.string().optional(),
  Description: z.string().optional(),
  EventBusName: z.string().optional(),
  EventPattern: CfnJsonDocument.optional(),
  ScheduleExpression: z.string().optional(),
  State: z.string().optional(),
  Targets: z.array(RuleTarget).optional(),
});

const ScheduleProperties = z.looseObject({
  Name: z.string().optional(),
  GroupName: z.string().optional(),
  ScheduleExpression: z.string(),
  State: z.string().optional(),
  Target: z.looseObject({ Arn: z.string(), Input: z.string().optional(), RetryPolicy, DeadLetterConfig }),
});

type RuleTargetProps = z.infer<typeof RuleTarget>;

/** The target's `InputTransformer` in the runtime model's shape (the dispatcher applies it). */
function inputTransformerOf(target: RuleTargetProps): Pick<LocalRuleTarget, 'inputTransformer'> {
  const transformer = target.InputTransformer;
  if (transformer === undefined) return {};
  return {
    inputTransformer: {
      inputTemplate: transformer.InputTemplate,
      ...(transformer.InputPathsMap === undefined ? {} : { inputPathsMap: transformer.InputPathsMap }),
    },
  };
}

/**
 * `AWS::Events::Rule`:
 * - with `ScheduleExpression`: never created in moto (moto matches such rules against every event and never
 *   fires them); each function target becomes a `LocalSchedule`.
 * - with `EventPattern`: PutRule on its bus with the exact pattern. SQS, event-bus and log-group targets are put
 *   as they are; a target that is a function of the template is re-pointed at a per-target inbox queue and
 *   recorded as a `LocalRuleTarget` (moto answers PutEvents with 500 when a rule has a Lambda target).
 *   Other targets are reported as not provisioned.
 * A DISABLED rule is created without targets, because moto delivers to disabled rules too.
 * Ref is the rule name; attribute `Arn`.
 */
export const provisionEventRule: ResourceHandler = async (ctx) => {
  const props = parseProperties(ctx, RuleProperties);
  const name = props.Name ?? ctx.generatedName({ maxLength: 64 });
  const busName = busNameOf(props.EventBusName ?? 'default');
  const arn = `arn:${ctx.partition}:events:${ctx.region}:${ctx.accountId}:rule/${busName === 'default' ? '' : `${busName}/`}${name}`;
  const enabled = (props.State ?? 'ENABLED') === 'ENABLED';
  const targets = props.Targets ?? [];

  if (props.ScheduleExpression !== undefined) {
    if (!enabled) ctx.warn('the schedule rule is DISABLED; it is not registered');
    for (const target of enabled ? targets : []) {
      const fn = ctx.functionByNameOrArn(target.Arn);
      if (fn?.local !== true) {
        notProvisionedTarget(ctx, target, 'a schedule only runs functions of the template locally');
        continue;
      }
      ctx.registry.schedules.push({
        logicalId: ctx.logicalId,
        name,
        scheduleExpression: props.ScheduleExpression,
        functionLogicalId: fn.logicalId,
        ...(target.Input === undefined ? {} : { input: target.Input }),
        ...(target.InputPath === undefined ? {} : { inputPath: target.InputPath }),
        ...inputTransformerOf(target),
        ...retryFields(ctx, target),
      });
    }
    return { physicalId: name, attributes: { Arn: arn } };
  }

  if (props.EventPattern === undefined) {
    throw provisionFailure(ctx, 'PutRule', new Error('a rule needs an EventPattern or a ScheduleExpression'));
  }
  const patternText = typeof props.EventPattern === 'string' ? props.EventPattern : JSON.stringify(props.EventPattern);
  const eventPattern = patternObject(ctx, props.EventPattern);
  try {
    await ctx.clients.eventbridge.send(
      new PutRuleCommand({
        Name: name,
        EventBusName: busName,
        EventPattern: patternText,
        State: enabled ? 'ENABLED' : 'DISABLED',
        Description: props.Description,
      }),
    );
  } catch (error) {
    throw provisionFailure(ctx, `PutRule ${name}`, error);
  }
  if (!enabled) {
    ctx.warn('the rule is DISABLED: created without targets, because moto would still deliver to them');
    return { physicalId: name, attributes: { Arn: arn } };
  }

  const emulatorTargets: Target[] = [];
  for (const target of targets) {
    const fn = ctx.functionByNameOrArn(target.Arn);
    if (fn !== undefined) {
      if (!fn.local) {
        notProvisionedTarget(
          ctx,
          target,
          `function ${fn.logicalId} has no mlops:entry metadata, so it is not run locally`,
        );
        continue;
      }
      const inbox = await createInbox(ctx, name, target.Id);
      emulatorTargets.push({
        Id: target.Id,
        Arn: inbox.arn,
        ...(target.RetryPolicy === undefined ? {} : { RetryPolicy: target.RetryPolicy }),
        ...(target.DeadLetterConfig === undefined ? {} : { DeadLetterConfig: target.DeadLetterConfig }),
      });
      const ruleTarget: LocalRuleTarget = {
        ruleLogicalId: ctx.logicalId,
        ruleName: name,
        eventBusName: busName,
        eventPattern,
        functionLogicalId: fn.logicalId,
        inboxQueueUrl: inbox.url,
        ...(target.Input === undefined ? {} : { input: target.Input }),
        ...(target.InputPath === undefined ? {} : { inputPath: target.InputPath }),
        ...inputTransformerOf(target),
        ...retryFields(ctx, target),
      };
      ctx.registry.ruleTargets.push(ruleTarget);
    } else if (
      /^arn:[^:]+:(sqs|logs):/.test(target.Arn) ||
      /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\//.test(target.Arn)
    ) {
      if (target.InputTransformer !== undefined) {
        ctx.warn(
          `target ${target.Id}: moto applies input transformers only to valid-JSON templates with quoted placeholders`,
        );
      }
      const {
        Id,
        Arn,
        Input,
        InputPath,
        InputTransformer: transformer,
        RetryPolicy: retry,
        DeadLetterConfig: dlq,
        RoleArn,
        SqsParameters,
      } = target;
      emulatorTargets.push({
        Id,
        Arn,
        Input,
        InputPath,
        InputTransformer: transformer,
        RetryPolicy: retry,
        DeadLetterConfig: dlq,
        RoleArn,
        SqsParameters,
      });
    } else {
      notProvisionedTarget(
        ctx,
        target,
        'moto can deliver only to SQS, event buses and log groups (others make PutEvents fail with 500)',
      );
    }
  }
  if (emulatorTargets.length > 0) {
    try {
      const reply = await ctx.clients.eventbridge.send(
        new PutTargetsCommand({ Rule: name, EventBusName: busName, Targets: emulatorTargets }),
      );
      if ((reply.FailedEntryCount ?? 0) > 0) throw new Error(JSON.stringify(reply.FailedEntries));
    } catch (error) {
      throw provisionFailure(ctx, `PutTargets ${name}`, error);
    }
  }
  return { physicalId: name, attributes: { Arn: arn } };
};

/**
 * `AWS::Scheduler::Schedule` -> a `LocalSchedule` when its target is a function of the template (moto stores
 * schedules but never fires them). Ref is the name; attribute `Arn`.
 */
export const provisionSchedulerSchedule: ResourceHandler = (ctx) => {
  const props = parseProperties(ctx, ScheduleProperties);
  const name = props.Name ?? ctx.generatedName({ maxLength: 64 });
  const group = props.GroupName ?? 'default';
  const arn = `arn:${ctx.partition}:scheduler:${ctx.region}:${ctx.accountId}:schedule/${group}/${name}`;
  const fn = ctx.functionByNameOrArn(props.Target.Arn);
  if ((props.State ?? 'ENABLED') !== 'ENABLED') {
    ctx.warn('the schedule is DISABLED; it is not registered');
  } else if (fn?.local !== true) {
    ctx.notProvisioned(ctx.type, ctx.logicalId, `target ${props.Target.Arn} is not a function of the template`);
  } else {
    ctx.registry.schedules.push({
      logicalId: ctx.logicalId,
      name,
      scheduleExpression: props.ScheduleExpression,
      functionLogicalId: fn.logicalId,
      ...(props.Target.Input === undefined ? {} : { input: props.Target.Input }),
      ...retryFields(ctx, props.Target),
    });
  }
  return { physicalId: name, attributes: { Arn: arn } };
};

async function createInbox(
  ctx: ResourceContext,
  ruleName: string,
  targetId: string,
): Promise<{ url: string; arn: string }> {
  const queueName = physicalName(ruleName, `${targetId}-inbox`, { maxLength: 80 });
  try {
    const url = (await ctx.clients.sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl;
    if (url === undefined) throw new Error('no QueueUrl returned');
    const arn = `arn:${ctx.partition}:sqs:${ctx.region}:${ctx.accountId}:${queueName}`;
    ctx.registry.queueUrlByArn.set(arn, url);
    return { url, arn };
  } catch (error) {
    throw provisionFailure(ctx, `CreateQueue ${queueName} (inbox of target ${targetId})`, error);
  }
}

function retryFields(
  ctx: ResourceContext,
  target: { RetryPolicy?: z.infer<typeof RetryPolicy>; DeadLetterConfig?: z.infer<typeof DeadLetterConfig> },
): Pick<LocalRuleTarget, 'retryPolicy' | 'deadLetterQueueUrl'> {
  const retry = target.RetryPolicy;
  const dlqArn = target.DeadLetterConfig?.Arn;
  const dlqUrl = dlqArn === undefined ? undefined : ctx.registry.queueUrlByArn.get(dlqArn);
  if (dlqArn !== undefined && dlqUrl === undefined)
    ctx.warn(`dead-letter queue ${dlqArn} is not a queue of the template`);
  return {
    ...(retry === undefined
      ? {}
      : {
          retryPolicy: {
            ...(retry.MaximumRetryAttempts === undefined ? {} : { maximumRetryAttempts: retry.MaximumRetryAttempts }),
            ...(retry.MaximumEventAgeInSeconds === undefined
              ? {}
              : { maximumEventAgeSeconds: retry.MaximumEventAgeInSeconds }),
          },
        }),
    ...(dlqUrl === undefined ? {} : { deadLetterQueueUrl: dlqUrl }),
  };
}

function notProvisionedTarget(ctx: ResourceContext, target: RuleTargetProps, reason: string): void {
  ctx.notProvisioned(`${ctx.type} target`, `${ctx.logicalId}/${target.Id}`, `${target.Arn}: ${reason}`);
}

function busNameOf(nameOrArn: string): string {
  const marker = ':event-bus/';
  const index = nameOrArn.indexOf(marker);
  return nameOrArn.startsWith('arn:') && index >= 0 ? nameOrArn.slice(index + marker.length) : nameOrArn;
}

function patternObject(ctx: ResourceContext, pattern: Record<string, unknown> | string): Record<string, unknown> {
  if (typeof pattern !== 'string') return pattern;
  const parsed = z.record(z.string(), z.unknown()).safeParse(JSON.parse(pattern));
  if (!parsed.success) throw provisionFailure(ctx, 'PutRule', new Error('EventPattern is not a JSON object'));
  return parsed.data;
}
