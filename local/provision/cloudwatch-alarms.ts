import { ComparisonOperator, PutMetricAlarmCommand, StandardUnit, Statistic } from '@aws-sdk/client-cloudwatch';
import * as z from 'zod';
import { CfnBoolean, CfnNumber } from './cfn-schemas';
import { parseProperties, provisionFailure, type ResourceHandler } from './resource-context';

const Dimensions = z.array(z.object({ Name: z.string(), Value: z.string() })).optional();

const AlarmProperties = z.looseObject({
  AlarmName: z.string().optional(),
  AlarmDescription: z.string().optional(),
  ActionsEnabled: CfnBoolean.optional(),
  AlarmActions: z.array(z.string()).optional(),
  OKActions: z.array(z.string()).optional(),
  InsufficientDataActions: z.array(z.string()).optional(),
  ComparisonOperator: z.enum(ComparisonOperator),
  DatapointsToAlarm: CfnNumber.optional(),
  Dimensions,
  EvaluateLowSampleCountPercentile: z.string().optional(),
  EvaluationPeriods: CfnNumber,
  ExtendedStatistic: z.string().optional(),
  MetricName: z.string().optional(),
  Metrics: z
    .array(
      z.object({
        Id: z.string(),
        Expression: z.string().optional(),
        Label: z.string().optional(),
        Period: CfnNumber.optional(),
        ReturnData: CfnBoolean.optional(),
        AccountId: z.string().optional(),
        MetricStat: z
          .object({
            Metric: z.object({ MetricName: z.string().optional(), Namespace: z.string().optional(), Dimensions }),
            Period: CfnNumber,
            Stat: z.string(),
            Unit: z.enum(StandardUnit).optional(),
          })
          .optional(),
      }),
    )
    .optional(),
  Namespace: z.string().optional(),
  Period: CfnNumber.optional(),
  Statistic: z.enum(Statistic).optional(),
  Threshold: CfnNumber.optional(),
  ThresholdMetricId: z.string().optional(),
  TreatMissingData: z.string().optional(),
  Unit: z.enum(StandardUnit).optional(),
});

/**
 * `AWS::CloudWatch::Alarm` -> PutMetricAlarm. moto stores alarms but never evaluates them or runs their
 * actions (MOTO.md 5). Ref is the alarm name; attribute `Arn`.
 */
export const provisionCloudWatchAlarm: ResourceHandler = async (ctx) => {
  const { AlarmName, ...alarm } = parseProperties(ctx, AlarmProperties);
  const name = AlarmName ?? ctx.generatedName({ maxLength: 255 });
  try {
    await ctx.clients.cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: name, ...alarm }));
  } catch (error) {
    throw provisionFailure(ctx, `PutMetricAlarm ${name}`, error);
  }
  return {
    physicalId: name,
    attributes: { Arn: `arn:${ctx.partition}:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:${name}` },
  };
};
